package seccomp

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Offsets into struct seccomp_data (little-endian: the low word of args[0] comes first).
const (
	offNr   = 0
	offArch = 4
	offArg0 = 16
)

// x32 system calls on x86-64 carry this bit in their number.
const x32SyscallBit = 0x40000000

// Options change what the filter denies.
type Options struct {
	// DenyConnect denies connect(2) as well, so no named Unix socket of the host can be reached
	// where it cannot be hidden (no mount namespace).
	DenyConnect bool
}

// Filter returns the BPF program for the running architecture. It lets every system call through
// except socket(2) for any family but AF_UNIX and io_uring_setup(2) (io_uring can open sockets
// on its own), which fail with EPERM, and, with opts.DenyConnect, connect(2); system calls of
// another architecture (32-bit compat entry points, which have their own socketcall) fail the
// same way.
func Filter(opts Options) ([]unix.SockFilter, error) {
	var arch uint32
	switch runtime.GOARCH {
	case "amd64":
		arch = unix.AUDIT_ARCH_X86_64
	case "arm64":
		arch = unix.AUDIT_ARCH_AARCH64
	default:
		return nil, fmt.Errorf("seccomp filter: architecture %s is not supported", runtime.GOARCH)
	}
	deny := uint32(unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM))
	allow := uint32(unix.SECCOMP_RET_ALLOW)
	load := func(off uint32) unix.SockFilter {
		return unix.SockFilter{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: off}
	}
	// jump builds a conditional jump; jt and jf count instructions to skip.
	jump := func(op uint16, k uint32, jt, jf uint8) unix.SockFilter {
		return unix.SockFilter{Code: unix.BPF_JMP | op | unix.BPF_K, K: k, Jt: jt, Jf: jf}
	}
	ret := func(k uint32) unix.SockFilter { return unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: k} }
	connect := uint32(0xffffffff) // no system call has this number
	if opts.DenyConnect {
		connect = unix.SYS_CONNECT
	}
	return []unix.SockFilter{
		/* 0 */ load(offArch),
		/* 1 */ jump(unix.BPF_JEQ, arch, 1, 0),
		/* 2 */ ret(deny),
		/* 3 */ load(offNr),
		/* 4 */ jump(unix.BPF_JGE, x32SyscallBit, 0, 1),
		/* 5 */ ret(deny),
		/* 6 */ jump(unix.BPF_JEQ, unix.SYS_IO_URING_SETUP, 0, 1),
		/* 7 */ ret(deny),
		/* 8 */ jump(unix.BPF_JEQ, connect, 0, 1),
		/* 9 */ ret(deny),
		/* 10 */ jump(unix.BPF_JEQ, unix.SYS_SOCKET, 0, 3),
		/* 11 */ load(offArg0),
		/* 12 */ jump(unix.BPF_JEQ, unix.AF_UNIX, 1, 0),
		/* 13 */ ret(deny),
		/* 14 */ ret(allow),
	}, nil
}

// Install applies Filter to every thread of the calling process and to everything it starts
// afterwards. It sets no_new_privs, which installing a filter without CAP_SYS_ADMIN requires.
func Install(opts Options) error {
	prog, err := Filter(opts)
	if err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("seccomp: set no_new_privs: %w", err)
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return fmt.Errorf("seccomp: install filter: %w", errno)
	}
	return nil
}
