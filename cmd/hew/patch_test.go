package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hew/cmd/hew/internal/patchcli"
)

// runPatchCmd runs "hew" with args through the cobra tree in dir, with fake streams. When the
// early start of "hew patch apply" (patchcli.Main, run before hew's other packages initialize)
// takes the command line, it is run first on a copy of dir and must print and exit the same.
func runPatchCmd(t *testing.T, dir, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var early *[3]string
	if _, ok := patchcli.ParseArgs(args); ok && !absoluteArg(args) {
		cp := t.TempDir()
		if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		var out, errOut strings.Builder
		c, ok := patchcli.Main(args, cp, strings.NewReader(stdin), &out, &errOut)
		if !ok {
			t.Fatal("patchcli.ParseArgs took the command line but patchcli.Main did not")
		}
		early = &[3]string{out.String(), strings.ReplaceAll(errOut.String(), cp, dir), strconv.Itoa(c)}
	}
	ios, out, errOut := testIO(t, dir, nil)
	ios.In = strings.NewReader(stdin)
	code = Main(args, ios)
	if early != nil {
		if got := [3]string{out.String(), errOut.String(), strconv.Itoa(code)}; got != *early {
			t.Errorf("%q: the early start gave (out, err, code) %q, cobra %q", args, *early, got)
		}
	}
	return out.String(), errOut.String(), code
}

// absoluteArg reports whether an argument names something outside the working directory by an
// absolute path (which a copy of the working directory does not cover).
func absoluteArg(args []string) bool {
	for _, a := range args {
		if filepath.IsAbs(a) || strings.HasPrefix(a, "-C/") {
			return true
		}
	}
	return false
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
	t.Run("-C with relative paths", func(t *testing.T) {
		base := t.TempDir()
		dir := filepath.Join(base, "w")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(base, "p.diff"), []byte("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+uno\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runPatchCmd(t, base, "", "patch", "apply", "-Cw", "p.diff")
		if code != 0 || out != "M a.txt\n" || errOut != "" {
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

// TestPatchApplyStartsBeforeTheHeavyPackages runs the built binary: "hew patch apply" does its
// work and exits before the UI's syntax-highlighting tables are built (GODEBUG=inittrace=1 prints
// each package's initialization), while help and other commands still go through cobra.
func TestPatchApplyStartsBeforeTheHeavyPackages(t *testing.T) {
	bin := hewBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "patch", "apply", "--check")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	cmd.Stdin = strings.NewReader("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || out.String() != "M a.txt\n" {
		t.Fatalf("%v: out %q err %q", err, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "init runtime") {
		t.Fatalf("no init trace: %q", errOut.String())
	}
	if strings.Contains(errOut.String(), "init github.com/alecthomas/chroma") {
		t.Error("the syntax highlighter was initialized before hew patch apply ran")
	}
	help, err := exec.Command(bin, "patch", "apply", "--help").Output()
	if err != nil || !strings.Contains(string(help), "Refused, as git apply refuses them") {
		t.Errorf("help: %v %q", err, help)
	}
}
