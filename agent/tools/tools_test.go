package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hew/agent/event"
	"hew/agent/proposal"
)

func newEnv(t testing.TB, files map[string]string) *Env {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := proposal.OpenWith(root, t.TempDir(), proposal.Options{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Layer: l}
}

func call(t testing.TB, env *Env, name, args string) Result {
	t.Helper()
	tool, ok := NewSet("").Get(name)
	if !ok {
		t.Fatalf("no tool %s", name)
	}
	return tool.Run(context.Background(), env, json.RawMessage(args))
}

var repo = map[string]string{
	".gitignore":           "build/\n*.log\n",
	"main.go":              "package main\n\nfunc main() {\n\tprintln(\"hello\")\n}\n",
	"internal/x/x.go":      "package x\n\n// Hello says hello.\nfunc Hello() string { return \"Hello\" }\n",
	"internal/x/x_test.go": "package x\n",
	"build/out.go":         "package out // hello\n",
	"debug.log":            "hello\n",
	"img.bin":              "\x00\x01hello",
}

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

func TestEditsSeeEachOtherThroughTheProposal(t *testing.T) {
	env := newEnv(t, repo)
	patch := "*** Begin Patch\n*** Update File: main.go\n@@ func main() {\n-\tprintln(\"hello\")\n+\tprintln(\"hi\")\n }\n*** Add File: docs/new.md\n+# new\n*** End Patch"
	args, _ := json.Marshal(map[string]string{"patch": patch})
	if r := call(t, env, "apply_patch", string(args)); r.IsError || !r.Changed || !strings.Contains(r.Output, "M main.go") {
		t.Fatalf("apply_patch: %+v", r)
	}
	if r := call(t, env, "search", `{"pattern":"println"}`); !strings.Contains(r.Output, `println("hi")`) {
		t.Errorf("search does not see the proposal: %q", r.Output)
	}
	if r := call(t, env, "edit_file", `{"path":"main.go","old_string":"println(\"hi\")","new_string":"println(\"hey\")"}`); r.IsError {
		t.Fatalf("edit_file: %+v", r)
	}
	if b, _ := os.ReadFile(filepath.Join(env.Layer.Root(), "main.go")); !strings.Contains(string(b), `"hello"`) {
		t.Error("the working tree was changed")
	}
	r := call(t, env, "apply_patch", `{"patch":"*** Begin Patch\n*** Update File: main.go\n@@\n-nothing like this\n+x\n*** End Patch"}`)
	if !r.IsError || !strings.Contains(r.Output, "main.go") || !strings.Contains(r.Output, "Nothing was applied") {
		t.Errorf("bad patch: %+v", r)
	}
}

type fakeRunner struct{ got string }

func (f *fakeRunner) Run(ctx context.Context, command string, timeout time.Duration) (RunResult, error) {
	f.got = fmt.Sprintf("%s|%s", command, timeout)
	return RunResult{ExitCode: 3, Output: "boom\n", Duration: time.Second}, nil
}

func TestRunAndPlan(t *testing.T) {
	env := newEnv(t, repo)
	fr := &fakeRunner{}
	env.Runner = fr
	var plan []event.PlanStep
	env.OnPlan = func(s []event.PlanStep) { plan = s }
	r := call(t, env, "run", `{"command":"make test","timeout_s":5}`)
	if fr.got != "make test|5s" || !r.IsError || *r.ExitCode != 3 || !strings.HasPrefix(r.Output, "exit code 3") {
		t.Errorf("run: %q %+v", fr.got, r)
	}
	if r := call(t, env, "update_plan", `{"steps":[{"step":"a","status":"done"},{"step":"b","status":"in_progress"}]}`); r.IsError || len(plan) != 2 {
		t.Errorf("plan: %+v %v", r, plan)
	}
	if r := call(t, env, "update_plan", `{"steps":[{"step":"a","status":"doing"}]}`); !r.IsError {
		t.Error("bad status accepted")
	}
}

func TestClipKeepsHeadAndTail(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	got := Clip(b.String(), 1000)
	if len(got) > 1100 || !strings.HasPrefix(got, "line 0\n") || !strings.HasSuffix(got, "line 9999\n") || !strings.Contains(got, "lines (") {
		t.Errorf("clip: %d bytes\n%s", len(got), got)
	}
	if Clip("short", 10) != "short" {
		t.Error("short text changed")
	}
}

func TestSpecsComeFromPrompts(t *testing.T) {
	for _, s := range NewSet("").Specs() {
		if len(s.Description) < 40 || !json.Valid(s.Parameters) {
			t.Errorf("%s: description or schema missing", s.Name)
		}
	}
	if names := strings.Join(NewSet(EditApplyPatch).Names(), ","); strings.Contains(names, "edit_file") {
		t.Errorf("apply_patch set offers %s", names)
	}
}
