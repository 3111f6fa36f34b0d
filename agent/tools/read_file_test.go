package tools

import (
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	env := newEnv(t, repo)
	r := call(t, env, "read_file", `{"path":"main.go","offset":3,"limit":2}`)
	want := "3\tfunc main() {\n4\t\tprintln(\"hello\")\n[… 1 more lines; continue with offset 5]\n"
	if r.Output != want {
		t.Errorf("got %q", r.Output)
	}
	for args, msg := range map[string]string{
		`{"path":"missing.go"}`:          "does not exist",
		`{"path":"img.bin"}`:             "binary",
		`{"path":"main.go","offset":99}`: "past the end",
		`{"path":"../etc/passwd"}`:       "climbs out",
		`{"path":".git/config"}`:         ".git",
		`{}`:                             "needs a path",
	} {
		if r := call(t, env, "read_file", args); !r.IsError || !strings.Contains(r.Output, msg) {
			t.Errorf("read_file %s = %+v, want error with %q", args, r, msg)
		}
	}
}
