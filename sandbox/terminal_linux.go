package sandbox

import (
	"bytes"
	"os"
)

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
	// pid (comm) state ppid pgrp session tty_nr ...; comm may hold anything, so the last ") "
	// ends it.
	i := bytes.LastIndex(b, []byte(") "))
	if i < 0 {
		return true
	}
	f := bytes.Fields(b[i+2:])
	return len(f) < 5 || string(f[4]) != "0"
}
