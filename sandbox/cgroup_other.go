//go:build !linux

package sandbox

import "syscall"

// outsideCgroup does nothing where processes are not started into cgroups.
func outsideCgroup(*syscall.SysProcAttr) {}
