package sandbox

import (
	"fmt"
	"strings"
)

// Limits bound what each command may take. A zero field means the default; a negative one turns
// that limit off. They are resource limits (rlimits) of the command's processes, set before the
// command starts and not raisable from inside (the command has no capabilities).
type Limits struct {
	// Processes caps the tasks (processes and threads) the command's user may have: RLIMIT_NPROC.
	// Inside the new user namespace of the bwrap and namespaces backends the kernel counts only
	// the command's own tasks. Default 4096. Not set on the Landlock-only backend, where it would
	// count every process of the user. The kernel does not enforce it for root (uid 0 outside):
	// for root each command gets a pids cgroup with this pids.max where one can be made.
	Processes int
	// Memory caps each process's data segment (heap and private writable mappings): RLIMIT_DATA.
	// Default 4 GiB. It is per process, not for the command as a whole.
	Memory int64
	// FileSize caps the size of any file a process writes: RLIMIT_FSIZE. Default 1 GiB.
	FileSize int64
}

// Default limits.
const (
	DefaultProcesses       = 4096
	DefaultMemory    int64 = 4 << 30
	DefaultFileSize  int64 = 1 << 30
)

func (l Limits) withDefaults() Limits {
	if l.Processes == 0 {
		l.Processes = DefaultProcesses
	}
	if l.Memory == 0 {
		l.Memory = DefaultMemory
	}
	if l.FileSize == 0 {
		l.FileSize = DefaultFileSize
	}
	return l
}

// rlimits is what the helper stage sets before it becomes the command; 0 means unset.
type rlimits struct{ Nproc, Data, Fsize uint64 }

// rlimits turns l into the helper's limits; processes says whether RLIMIT_NPROC applies.
func (l Limits) rlimits(processes bool) *rlimits {
	pos := func(v int64) uint64 {
		if v < 0 {
			return 0
		}
		return uint64(v)
	}
	r := &rlimits{Data: pos(l.Memory), Fsize: pos(l.FileSize)}
	if processes {
		r.Nproc = pos(int64(l.Processes))
	}
	return r
}

// bytesText renders n bytes for people: "1 GiB", "512 MiB".
func bytesText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// sigXFSZ is SIGXFSZ's number on Linux (x86-64, arm64) and macOS.
const sigXFSZ = 25

// Messages programs print when an allocation or a fork failed, in lower case: output is matched
// regardless of case.
var (
	outOfMemory = []string{"out of memory", "cannot allocate memory", "memory allocation failed", "memoryerror", "std::bad_alloc", "enomem"}
	cannotFork  = []string{"fork: retry", "cannot fork", "fork failed", "can't fork", "resource temporarily unavailable", "pthread_create failed", "eagain"}
)

// mentions reports whether output contains one of messages, regardless of case.
func mentions(output string, messages []string) bool {
	lower := strings.ToLower(output)
	for _, m := range messages {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}

// stoppedBy says which limit stopped a command that exited with code after printing output, or
// "" when none did as far as can be told. A file-size limit kills with SIGXFSZ, which is certain;
// the memory and process limits make allocations and forks fail, which programs report in their
// own words, so those are named as likely.
func (l Limits) stoppedBy(code int, output string, processes bool) string {
	switch {
	case code == 0:
		return ""
	case l.FileSize > 0 && code == 128+sigXFSZ:
		return fmt.Sprintf("stopped: file size limit %s exceeded (a process was killed writing past it)", bytesText(l.FileSize))
	case l.Memory > 0 && mentions(output, outOfMemory):
		return fmt.Sprintf("stopped: probably the memory limit, %s per process (an allocation failed)", bytesText(l.Memory))
	case processes && l.Processes > 0 && mentions(output, cannotFork):
		return fmt.Sprintf("stopped: probably the process limit, %d processes and threads (a fork failed)", l.Processes)
	}
	return ""
}
