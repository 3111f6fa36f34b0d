package tools

import (
	"strings"
	"testing"
)

func TestSearchSkipsIgnoredAndBinary(t *testing.T) {
	env := newEnv(t, repo)
	r := call(t, env, "search", `{"pattern":"hello","ignore_case":true}`)
	want := "internal/x/x.go:3: // Hello says hello.\ninternal/x/x.go:4: func Hello() string { return \"Hello\" }\nmain.go:4: \tprintln(\"hello\")\n"
	if r.Output != want {
		t.Errorf("got\n%s", r.Output)
	}
	if r := call(t, env, "search", `{"pattern":"Hello","path":"main.go"}`); r.Output != "no matches" {
		t.Errorf("path filter: %q", r.Output)
	}
	if r := call(t, env, "search", `{"pattern":"(unclosed"}`); !r.IsError || !strings.Contains(r.Output, "RE2") {
		t.Errorf("bad pattern: %+v", r)
	}
	if r := call(t, env, "search", `{"pattern":"hello","max_results":1}`); !strings.Contains(r.Output, "1 more matches") {
		t.Errorf("cap: %q", r.Output)
	}
}
