package seccomp

import (
	"errors"
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

// The filter is installed in a child copy of the test binary, so the test process keeps its
// sockets.
func TestMain(m *testing.M) {
	if os.Getenv("SECCOMP_TEST_CHILD") == "1" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

func child() int {
	if err := Install(Options{}); err != nil {
		println("install:", err.Error())
		return 10
	}
	if _, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0); !errors.Is(err, unix.EPERM) {
		println("AF_INET socket: want EPERM, got", err)
		return 11
	}
	if _, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0); !errors.Is(err, unix.EPERM) {
		println("AF_INET6 socket: want EPERM, got", err)
		return 12
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		println("AF_UNIX socket:", err.Error())
		return 13
	}
	unix.Close(fd)
	if _, err := os.ReadFile("/proc/self/status"); err != nil {
		println("read:", err.Error())
		return 14
	}
	return 0
}

func TestFilterDeniesInternetSocketsOnly(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SECCOMP_TEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child under the filter: %v\n%s", err, out)
	}
}

func TestFilterEndsWithAllow(t *testing.T) {
	prog, err := Filter(Options{DenyConnect: true})
	if err != nil {
		t.Skip(err)
	}
	last := prog[len(prog)-1]
	if last.Code != unix.BPF_RET|unix.BPF_K || last.K != unix.SECCOMP_RET_ALLOW {
		t.Fatalf("last instruction %+v, want return allow", last)
	}
}
