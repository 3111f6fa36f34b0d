package tools

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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

// TestApplyPatchUnifiedDiffEndingInBlankContext: the tool takes unified diffs too, including the
// common one whose last line is the context line of an empty line (a lone space).
func TestApplyPatchUnifiedDiffEndingInBlankContext(t *testing.T) {
	env := newEnv(t, map[string]string{"a.go": "package a\n\nfunc A() {\n\tx()\n}\n\nfunc B() {}\n"})
	diff := "diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -3,4 +3,4 @@ package a\n func A() {\n-\tx()\n+\ty()\n }\n \n"
	args, _ := json.Marshal(map[string]string{"patch": diff})
	if r := call(t, env, "apply_patch", string(args)); r.IsError || !strings.Contains(r.Output, "M a.go") {
		t.Fatalf("apply_patch: %+v", r)
	}
	if r := call(t, env, "read_file", `{"path":"a.go"}`); !strings.Contains(r.Output, "y()") {
		t.Errorf("the proposal lacks the change: %q", r.Output)
	}
}
