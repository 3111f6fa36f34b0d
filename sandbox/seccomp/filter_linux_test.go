package seccomp

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// The filter is installed in a child copy of the test binary, so the test process keeps its
// sockets.
func TestMain(m *testing.M) {
	if os.Getenv("SECCOMP_TEST_CHILD") == "1" {
		os.Exit(child())
	}
	if path := os.Getenv("SECCOMP_TEST_CONNECT"); path != "" {
		os.Exit(connectChild(path))
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

// connectChild installs the filter with DenyConnect and tries to reach the Unix socket at path.
func connectChild(path string) int {
	if err := Install(Options{DenyConnect: true}); err != nil {
		println("install:", err.Error())
		return 10
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		println("AF_UNIX socket:", err.Error())
		return 11
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); !errors.Is(err, unix.EPERM) {
		println("connect: want EPERM, got", err)
		return 12
	}
	return 0
}

// With DenyConnect no named Unix socket can be reached, though the listener is there.
func TestDenyConnect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	arrived := make(chan bool, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
		arrived <- err == nil
	}()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SECCOMP_TEST_CONNECT="+path)
	out, err := cmd.CombinedOutput()
	ln.Close()
	if err != nil {
		t.Fatalf("child under the filter: %v\n%s", err, out)
	}
	if <-arrived {
		t.Error("a connection arrived")
	}
}
