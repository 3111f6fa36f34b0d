//go:build unix && !linux

package fsguard

import "errors"

var errNoOpenat2 = errors.New("openat2 unavailable")

// openBeneath is Linux's openat2; elsewhere the caller walks the path one O_NOFOLLOW open at a
// time.
func openBeneath(int, string) (int, error) { return -1, errNoOpenat2 }

// pseudoFile is Linux's check for /proc and /sys; other systems' are not regular files.
func pseudoFile(int) bool { return false }

// openFileBeneath is Linux's openat2; elsewhere openRead walks the path.
func openFileBeneath(string, string, int) (int, error) { return -1, errNoOpenat2 }

// openFileBeneathFd is Linux's openat2; elsewhere the caller walks the path.
func openFileBeneathFd(int, string, int) (int, error) { return -1, errNoOpenat2 }
