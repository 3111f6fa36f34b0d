package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
	// /proc is no cgroup: clone3 refuses it. (On a v1 host the launch would start from a thread
	// in the cgroup instead; this test is about v2.)
	l.startFrom = nil
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

// TestStartFromThread checks the v1 way into a pids cgroup: the command is born inside it, with
// Pdeathsig kept until it ends, and the rest of this process stays outside.
func TestStartFromThread(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("pids cgroups are made for root only")
	}
	cg := newPidsCgroup(64)
	if cg == nil || cg.v2 {
		t.Skip("no cgroup v1 pids hierarchy here")
	}
	defer cg.remove()
	cmd := exec.Command("/bin/sh", "-c", "sleep 0.2; cat /proc/self/cgroup")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var out strings.Builder
	cmd.Stdout = &out
	release, err := cg.startFromThread(cmd)
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	release()
	if err != nil {
		t.Fatalf("the command did not live to its end: %v", err)
	}
	name := filepath.Base(cg.dir)
	if !strings.Contains(out.String(), ":pids:/"+name+"\n") && !strings.Contains(out.String(), "/"+name+"\n") {
		t.Errorf("the command ran outside %s:\n%s", name, out.String())
	}
	if b, _ := os.ReadFile("/proc/self/cgroup"); strings.Contains(string(b), name) {
		t.Errorf("this process moved into the command's cgroup:\n%s", b)
	}
}
