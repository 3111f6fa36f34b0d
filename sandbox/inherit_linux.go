package sandbox

import (
	"math"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// What commands would inherit from hew besides what a backend gives them: its controlling
// terminal, and the file descriptors it was itself started with.

// hasTerminal reports whether this process has a controlling terminal, which the commands it
// starts would inherit: they must then start a new session, which leaves it behind. Without one
// there is nothing to inherit, and a process group of their own keeps their signals to
// themselves as a session would, without its cost (each session is a scheduler autogroup, which
// costs a command milliseconds of waiting on a busy machine). It says true when it cannot tell.
func hasTerminal() bool {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return true
	}
	f := statFields(b)
	return len(f) < 5 || f[4] != "0" // tty_nr
}

// closeInherited marks close-on-exec every descriptor above standard error, once per process.
// Go opens all of its own that way, and passes a child what it is given explicitly, so this
// reaches only descriptors hew was started with, open without it: a file or socket the shell or
// a wrapper left open would otherwise reach every command, past every mask (a shell's
// `exec 7<~/.ssh/id_rsa` before running hew, say).
var closeInherited = sync.OnceFunc(func() {
	if unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	// Before Linux 5.11: one by one.
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
})
