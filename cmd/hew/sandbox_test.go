package main

import (
	"os"
	"os/exec"
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

// TestSandboxStartsBeforeTheRestOfHew: `hew sandbox -- CMD` and the sandbox's helper stage run
// before the packages that need regexp are initialized, which release the heavy ones (the
// syntax highlighter's tables, the UI, the model providers): most of what a sandboxed command
// would otherwise cost to start. Go's own trace of package initialization shows it.
func TestSandboxStartsBeforeTheRestOfHew(t *testing.T) {
	bin := hewBinary(t)
	heavy := []string{"init regexp ", "init github.com/alecthomas/chroma", "init charm.land/lipgloss", "init github.com/spf13/cobra "}
	// A package's line is printed once its initialization is done: the helper stage takes over
	// inside package sandbox's, `hew sandbox` inside sandboxcli's, after sandbox's.
	check := func(what, trace, last string) {
		t.Helper()
		if !strings.Contains(trace, last) {
			t.Fatalf("%s: no %q in the initialization trace:\n%s", what, last, trace)
		}
		for _, h := range heavy {
			if strings.Contains(trace, h) {
				t.Errorf("%s initialized %q first", what, strings.TrimSpace(h))
			}
		}
	}
	ws := t.TempDir()
	cmd := exec.Command(bin, "sandbox", "--", "true")
	cmd.Dir = ws
	cmd.Env = binaryEnv(t, t.TempDir(), "GODEBUG=inittrace=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Run()
	check("hew sandbox", stderr.String(), "init hew/sandbox ")

	// The helper stage, given a plan that does not exist, fails at once (exit 125).
	cmd = exec.Command(bin)
	cmd.Env = []string{"HEW_SANDBOX_HELPER=" + filepath.Join(ws, "no-plan.json"), "GODEBUG=inittrace=1"}
	stderr.Reset()
	cmd.Stderr = &stderr
	if err := cmd.Run(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 125 {
		t.Fatalf("helper stage without a plan: %v, want exit 125\n%s", err, stderr.String())
	}
	check("the helper stage", stderr.String(), "init golang.org/x/sys/unix ")
}
