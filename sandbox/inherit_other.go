//go:build !linux

package sandbox

// hasTerminal reports whether this process may have a controlling terminal: always here.
func hasTerminal() bool { return true }

// closeInherited leaves descriptors as they are here.
func closeInherited() {}
