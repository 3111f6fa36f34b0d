package sandbox

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestStartWhenCgroupCloneFails checks that a command still runs, contained, when starting its
// helper inside the pids cgroup fails (a kernel without CLONE_INTO_CGROUP): the start is retried
// without it, and the helper joins the cgroup itself.
func TestStartWhenCgroupCloneFails(t *testing.T) {
	s, err := New(Options{})
	if err != nil || s.Backend() == BackendNone {
		t.Skip("no sandbox backend here:", err)
	}
	j, err := s.prepare(Spec{Command: "echo ran; cat /proc/self/status", Workspace: t.TempDir(), Env: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	defer j.cleanup()
	l, err := s.launch(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	// /proc is no cgroup: clone3 refuses it.
	bogus := &pidsCgroup{dir: "/proc", v2: true}
	l.closeCgroup = bogus.intoCgroup(l.cmd)
	if !l.cmd.SysProcAttr.UseCgroupFD {
		t.Fatal("intoCgroup did not ask to start the helper inside the cgroup")
	}
	var out strings.Builder
	l.cmd.Stdout, l.cmd.Stderr = &out, &out
	if err := l.start(context.Background()); err != nil {
		t.Fatalf("start after the failed clone into the cgroup: %v", err)
	}
	l.statusW.Close()
	l.cmd.Wait()
	if msg := readStatus(l.status); msg != "" {
		t.Fatalf("helper failed: %s", msg)
	}
	if l.cmd.SysProcAttr.UseCgroupFD {
		t.Error("the retried start still asks for CLONE_INTO_CGROUP")
	}
	if !strings.Contains(out.String(), "ran\n") || !strings.Contains(out.String(), "CapEff:\t0000000000000000") {
		t.Errorf("the command did not run contained: %q", out.String())
	}
}
