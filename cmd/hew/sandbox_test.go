package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/sandbox"
)

func runHewSandbox(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, out, errOut := testIO(t, dir, nil)
	code = Main(args, ios)
	return code, out.String(), errOut.String()
}

func TestSandboxCommandExitsWithCommandStatus(t *testing.T) {
	if rep := sandbox.Detect(sandbox.Options{}); rep.Backend == sandbox.BackendNone {
		t.Skip("no sandbox backend here")
	}
	ws := t.TempDir()
	outside := t.TempDir()
	code, out, errOut := runHewSandbox(t, ws, "sandbox", "--", "sh", "-c", "echo inside > f; echo hi; echo x > "+outside+"/g; exit 3")
	if code != 3 {
		t.Fatalf("exit %d, want the command's 3; stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, "hi\n") {
		t.Errorf("stdout %q, want the command's output", out)
	}
	if !strings.Contains(errOut, "workspace-write, network off") {
		t.Errorf("stderr %q does not name the containment", errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(ws, "f")); string(b) != "inside\n" {
		t.Errorf("write to the workspace: %q", b)
	}
	if _, err := os.Stat(filepath.Join(outside, "g")); err == nil {
		t.Error("write outside the workspace succeeded")
	}
}

func TestSandboxCommandTimeout(t *testing.T) {
	if rep := sandbox.Detect(sandbox.Options{}); rep.Backend == sandbox.BackendNone {
		t.Skip("no sandbox backend here")
	}
	code, _, errOut := runHewSandbox(t, t.TempDir(), "sandbox", "--timeout", "300ms", "--", "sleep 30")
	if code != exitFailed || !strings.Contains(errOut, "timed out") {
		t.Errorf("exit %d stderr %q, want a timeout failure", code, errOut)
	}
}

// BenchmarkSandboxTrue measures a sandboxed `true` over a proposal overlay, as the agent runs
// commands, with this test binary, which links in all of hew, as the helper stage.
// Run: go test ./cmd/hew -run '^$' -bench SandboxTrue -benchtime 30x
func BenchmarkSandboxTrue(b *testing.B) {
	sb, err := sandbox.New(sandbox.Options{HomeDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if !sb.CanOverlay() {
		b.Skip("no overlay with", sb.Backend())
	}
	layer := b.TempDir()
	ov := &sandbox.Overlay{Upper: filepath.Join(layer, "upper"), Work: filepath.Join(layer, "work")}
	os.Mkdir(ov.Upper, 0o700)
	os.Mkdir(ov.Work, 0o700)
	spec := sandbox.Spec{Command: "true", Workspace: b.TempDir(), Overlay: ov, Env: os.Environ()}
	for b.Loop() {
		if res, err := sb.Run(b.Context(), spec); err != nil || res.ExitCode != 0 {
			b.Fatalf("%v exit %d: %s", err, res.ExitCode, res.Output)
		}
	}
}

// TestSandboxRemembersBwrap: `hew sandbox` keeps the verdict that bubblewrap works under
// $XDG_CACHE_HOME, and a later run trusting it behaves the same.
func TestSandboxRemembersBwrap(t *testing.T) {
	if rep := sandbox.Detect(sandbox.Options{}); rep.Backend != sandbox.BackendBwrap {
		t.Skip("bubblewrap is not the backend here")
	}
	ws := t.TempDir()
	ios, out, errOut := testIO(t, ws, nil)
	for i := range 2 {
		out.Reset()
		if code := Main([]string{"sandbox", "--", "sh", "-c", "echo hi; echo x > /etc/hew-escape"}, ios); code != 2 || !strings.HasPrefix(out.String(), "hi\n") || !strings.Contains(out.String(), "Read-only file system") {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q", i, code, out, errOut)
		}
		if _, err := os.Stat(filepath.Join(ios.Getenv("XDG_CACHE_HOME"), "hew", "bwrap-verdict")); err != nil {
			t.Fatalf("run %d: no verdict kept: %v", i, err)
		}
	}
	if _, err := os.Stat("/etc/hew-escape"); err == nil {
		t.Error("the command wrote /etc/hew-escape")
	}
}
