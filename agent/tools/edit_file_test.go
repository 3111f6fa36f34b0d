package tools

import (
	"strings"
	"testing"
)

func TestEditFile(t *testing.T) {
	env := newEnv(t, repo)
	if r := call(t, env, "edit_file", `{"path":"docs/new.md","old_string":"","new_string":"# a\n# a\n"}`); r.IsError || !r.Changed {
		t.Fatalf("create: %+v", r)
	}
	if r := call(t, env, "edit_file", `{"path":"docs/new.md","old_string":"# a","new_string":"# b"}`); !r.IsError {
		t.Errorf("an ambiguous edit was applied: %+v", r)
	}
	if r := call(t, env, "edit_file", `{"path":"docs/new.md","old_string":"# a","new_string":"# b","replace_all":true}`); r.IsError {
		t.Fatalf("replace_all: %+v", r)
	}
	if b, _ := env.Layer.ReadFile("docs/new.md"); string(b) != "# b\n# b\n" {
		t.Errorf("docs/new.md = %q", b)
	}
	if r := call(t, env, "edit_file", `{"old_string":"a","new_string":"b"}`); !r.IsError || !strings.Contains(r.Output, "needs a path") {
		t.Errorf("no path: %+v", r)
	}
}
