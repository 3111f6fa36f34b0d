package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A child whose command name holds ") " is still found: /proc/PID/stat's comm field ends at the
// last ") ", not the first.
func TestDescendantsWithParenthesesInName(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	b, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "a) b 1 2")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	comm := fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if b, _ := os.ReadFile(comm); strings.TrimSpace(string(b)) == filepath.Base(exe) {
			break // the child has exec'd: its stat line carries the new name
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never took its new name")
		}
	}
	if got := descendants(os.Getpid()); !slices.Contains(got, cmd.Process.Pid) {
		t.Errorf("descendants = %v, want it to include %d (%q)", got, cmd.Process.Pid, filepath.Base(exe))
	}
}

// A process's name may hold spaces and ") ": the fields after it are still found, as
// descendants (state, ppid) and hasTerminal (tty_nr) read them.
func TestStatFieldsSkipsAnyProcessName(t *testing.T) {
	got := statFields([]byte("4242 (a) b) (c ) S 1 4242 4242 34816 4242 4194560\n"))
	want := []string{"S", "1", "4242", "4242", "34816", "4242", "4194560"}
	if !slices.Equal(got, want) {
		t.Errorf("statFields = %q, want %q", got, want)
	}
	if got := statFields([]byte("4242 (truncated")); got != nil {
		t.Errorf("statFields of a file without the end of the name = %q, want nil", got)
	}
}
