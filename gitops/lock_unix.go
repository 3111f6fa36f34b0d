//go:build unix

package gitops

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// lockPath takes an exclusive flock on the file at path, creating it, waiting for another
// holder to let go; the lock ends with unlock or the process. Where the lock file cannot be
// made (a read-only git directory) it goes on without one: the compare-and-swap before each
// write still refuses to overwrite a change it did not merge.
func lockPath(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
