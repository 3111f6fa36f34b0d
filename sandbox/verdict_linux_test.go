package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBwrapVerdict: New remembers that bubblewrap works, replaces a verdict taken under other
// conditions, still reports every backend when asked, and a command bubblewrap could not set up
// makes the next Sandbox check again.
func TestBwrapVerdict(t *testing.T) {
	bw, err := systemProgram("bwrap")
	if err != nil || probeBwrap(bw) != nil {
		t.Skip("bubblewrap does not work here")
	}
	file := filepath.Join(t.TempDir(), "cache", "hew", "bwrap-verdict")
	s, err := New(Options{VerdictFile: file})
	if err != nil {
		t.Fatal(err)
	}
	key := bwrapVerdictKey(bw)
	if b, err := os.ReadFile(file); err != nil || string(b) != key+"\n" {
		t.Fatalf("verdict file = %q (%v), want the key", b, err)
	}
	if err := os.WriteFile(file, []byte("another machine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err = New(Options{VerdictFile: file}); err != nil || s.Backend() != BackendBwrap {
		t.Fatalf("New = %v, %v", s, err)
	}
	if b, _ := os.ReadFile(file); string(b) != key+"\n" {
		t.Fatalf("a stale verdict was kept: %q", b)
	}
	// Trusting the verdict, New has checked nothing else; the report is still complete.
	if s, err = New(Options{VerdictFile: file}); err != nil {
		t.Fatal(err)
	}
	if rep := s.Report(); len(rep.Checks) != 3 || rep.Backend != BackendBwrap || !strings.Contains(rep.String(), BackendNamespaces) {
		t.Fatalf("Report after a trusted verdict:\n%s", rep)
	}
	ws := t.TempDir()
	res := run(t, s, Spec{Command: "echo 'bwrap: cannot do it' >&2; exit 1", Workspace: ws, Env: os.Environ()})
	if res.ExitCode != 1 {
		t.Fatalf("exit %d: %s", res.ExitCode, res.Output)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("after what looked like bubblewrap failing to set up, the verdict stayed (%v)", err)
	}
	res = run(t, s, Spec{Command: "echo ok", Workspace: ws, Env: os.Environ()})
	if strings.TrimSpace(res.Output) != "ok" {
		t.Errorf("output %q", res.Output)
	}
}

// TestQuickDetectLeavesNamespaces: choosing bubblewrap needs no namespaces probe, and the checks
// left for later agree with a full detection.
func TestQuickDetectLeavesNamespaces(t *testing.T) {
	opts, err := withDefaults(Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, rest, ok := quickDetect(opts)
	if !ok {
		t.Skip("bubblewrap does not work here")
	}
	if rep.Backend != BackendBwrap || len(rep.Checks) != 1 {
		t.Fatalf("quick report: %+v", rep)
	}
	full, want := rest(), detect(opts)
	if full.String() != want.String() {
		t.Errorf("completed report:\n%s\nfull detection:\n%s", full, want)
	}
	if _, _, ok := quickDetect(Options{Backend: BackendNamespaces}); ok {
		t.Error("quickDetect answered for the namespaces backend")
	}
}

// TestNamespacesVerdict: the namespaces probe, which a Go workspace's read-through caches and the
// proposal overlay need, runs once under a verdict and is kept with it: later Sandboxes read it
// back instead of starting the helper stage to probe again.
func TestNamespacesVerdict(t *testing.T) {
	bw, err := systemProgram("bwrap")
	if err != nil || probeBwrap(bw) != nil {
		t.Skip("bubblewrap does not work here")
	}
	file := filepath.Join(t.TempDir(), "bwrap-verdict")
	s, err := New(Options{VerdictFile: file})
	if err != nil {
		t.Fatal(err)
	}
	want := s.Report()
	key := bwrapVerdictKey(bw)
	holds, ns := readVerdict(file, key)
	if !holds || ns == nil {
		b, _ := os.ReadFile(file)
		t.Fatalf("after the full report the verdict file holds %q", b)
	}
	if probed := verdictOf(probeNamespaces(s.opts)); *ns != *probed {
		t.Errorf("kept %+v, a probe finds %+v", *ns, *probed)
	}
	// A kept verdict is what the next Sandbox reports, without probing: mark it to tell.
	rememberVerdict(file, key, &nsVerdict{Overlay: "sentinel: kept verdict"})
	s, err = New(Options{VerdictFile: file})
	if err != nil {
		t.Fatal(err)
	}
	if rep := s.Report(); !strings.Contains(rep.String(), "sentinel: kept verdict") || rep.CanOverlay {
		t.Errorf("the kept namespaces verdict was not used:\n%s", rep)
	}
	// Under another key (another machine, boot, temp dir...) it is probed again.
	rememberVerdict(file, "another key", &nsVerdict{Overlay: "sentinel: kept verdict"})
	s, err = New(Options{VerdictFile: file})
	if err != nil {
		t.Fatal(err)
	}
	if rep := s.Report(); rep.String() != want.String() {
		t.Errorf("report under a stale verdict:\n%s\nwant:\n%s", rep, want)
	}
}
