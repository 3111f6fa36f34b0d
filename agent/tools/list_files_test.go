package tools

import (
	"testing"
)

func TestListFiles(t *testing.T) {
	env := newEnv(t, repo)
	for _, tc := range []struct{ args, want string }{
		{`{}`, ".gitignore\nimg.bin\ninternal/x/x.go\ninternal/x/x_test.go\nmain.go"},
		{`{"glob":"*.go"}`, "internal/x/x.go\ninternal/x/x_test.go\nmain.go"},
		{`{"glob":"**/*_test.go"}`, "internal/x/x_test.go"},
		{`{"path":"internal","glob":"internal/**"}`, "internal/x/x.go\ninternal/x/x_test.go"},
		{`{"glob":"*.{md,bin}"}`, "img.bin"},
		{`{"max":2}`, ".gitignore\nimg.bin\n[… 3 more files not shown; narrow with path or glob]"},
	} {
		if r := call(t, env, "list_files", tc.args); r.IsError || r.Output != tc.want {
			t.Errorf("list_files %s =\n%s\nwant\n%s", tc.args, r.Output, tc.want)
		}
	}
	if r := call(t, env, "list_files", `{"path":"nope"}`); !r.IsError {
		t.Error("missing path not an error")
	}
}
