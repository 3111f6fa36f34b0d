package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runPatchCmd runs "hew" with args through the cobra tree in dir, with fake streams.
func runPatchCmd(t *testing.T, dir, stdin string, args ...string) (stdout, stderr string, code int) {
	ios, out, errOut := testIO(t, dir, nil)
	ios.In = strings.NewReader(stdin)
	code = Main(args, ios)
	return out.String(), errOut.String(), code
}

func readPatchTestFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestPatchApplyCommand(t *testing.T) {
	const applyPatch = "*** Begin Patch\n*** Update File: a.txt\n@@\n-one\n+two\n*** Add File: sub/b.txt\n+new\n*** End Patch\n"
	setup := func(t *testing.T) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}

	t.Run("applies from standard input", func(t *testing.T) {
		dir := setup(t)
		out, errOut, code := runPatchCmd(t, dir, applyPatch, "patch", "apply")
		if code != 0 || out != "M a.txt\nA sub/b.txt\n" || errOut != "" {
			t.Fatalf("code %d, out %q, err %q", code, out, errOut)
		}
		if got := readPatchTestFile(t, filepath.Join(dir, "a.txt")); got != "two\n" {
			t.Fatalf("a.txt = %q", got)
		}
	})
	t.Run("check changes nothing", func(t *testing.T) {
		dir := setup(t)
		out, _, code := runPatchCmd(t, dir, applyPatch, "patch", "apply", "--check", "-")
		if code != 0 || out != "M a.txt\nA sub/b.txt\n" {
			t.Fatalf("code %d, out %q", code, out)
		}
		if got := readPatchTestFile(t, filepath.Join(dir, "a.txt")); got != "one\n" {
			t.Fatalf("a.txt = %q after --check", got)
		}
	})
	t.Run("a unified diff from a file with -C", func(t *testing.T) {
		dir := setup(t)
		patchFile := filepath.Join(t.TempDir(), "p.diff")
		if err := os.WriteFile(patchFile, []byte("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+uno\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runPatchCmd(t, t.TempDir(), "", "patch", "apply", "-C", dir, patchFile)
		if code != 0 || out != "M a.txt\n" {
			t.Fatalf("code %d, out %q, err %q", code, out, errOut)
		}
		if got := readPatchTestFile(t, filepath.Join(dir, "a.txt")); got != "uno\n" {
			t.Fatalf("a.txt = %q", got)
		}
	})
	t.Run("a patch that does not apply exits 1 with the reason", func(t *testing.T) {
		dir := setup(t)
		bad := strings.Replace(applyPatch, "-one", "-three", 1)
		out, errOut, code := runPatchCmd(t, dir, bad, "patch", "apply")
		if code != 1 || out != "" || !strings.Contains(errOut, "a.txt: hunk 1 of 1: its lines were not found") {
			t.Fatalf("code %d, out %q, err %q", code, out, errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "sub")); !os.IsNotExist(err) {
			t.Fatal("a failed patch created sub/")
		}
	})
	t.Run("text that is not a patch exits 1", func(t *testing.T) {
		_, errOut, code := runPatchCmd(t, setup(t), "hello\n", "patch", "apply")
		if code != 1 || !strings.Contains(errOut, "not a patch") {
			t.Fatalf("code %d, err %q", code, errOut)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"patch", "apply", "--frob"}, "unknown flag"},
		{"two files", []string{"patch", "apply", "a", "b"}, "accepts at most 1 arg"},
		{"missing patch file", []string{"patch", "apply", "nope.diff"}, "does not exist"},
		{"missing -C directory", []string{"patch", "apply", "-C", "nope"}, "not a directory"},
	} {
		t.Run("usage: "+tc.name, func(t *testing.T) {
			_, errOut, code := runPatchCmd(t, setup(t), applyPatch, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("code %d, err %q; want 2 and %q", code, errOut, tc.want)
			}
		})
	}
}
