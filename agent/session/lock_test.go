package session

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestASessionIsHeldWhileItRuns(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir, NewID(time.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockFile(l.Path); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), l.ID) {
		t.Fatalf("locking a running session: %v, want ErrInUse naming it", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lock, err := LockFile(l.Path)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	// The resumer holds it through its log until that closes.
	a, err := Append(dir, l.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Hold(lock)
	if _, err := LockFile(l.Path); !errors.Is(err, ErrInUse) {
		t.Errorf("a resumed session was not held: %v", err)
	}
	a.Close()
	if lock2, err := LockFile(l.Path); err != nil {
		t.Errorf("after the resumer closed: %v", err)
	} else {
		lock2.Unlock()
	}
}

// TestTheLockIsHeldAcrossProcesses checks the lock against another process: flock(1) cannot
// take a session this process holds.
func TestTheLockIsHeldAcrossProcesses(t *testing.T) {
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("flock(1) is not installed (util-linux)")
	}
	l, err := Create(t.TempDir(), NewID(time.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(flock, "--nonblock", "--exclusive", l.Path, "true").Run(); err == nil {
		t.Fatal("another process took the session while it ran")
	}
	l.Close()
	if out, err := exec.Command(flock, "--nonblock", "--exclusive", l.Path, "true").CombinedOutput(); err != nil {
		t.Fatalf("another process could not take the closed session: %v %s", err, out)
	}
}
