//go:build !unix

package session

import "os"

// lockFile does nothing where flock is not available: sessions are not locked there.
func lockFile(*os.File) error { return nil }
