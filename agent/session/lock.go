package session

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrInUse reports a session another hew process is running: two processes appending to one
// session would interleave two conversations into one no model API accepts.
var ErrInUse = errors.New("in use by another hew process")

// Lock holds a session for one process while it runs: an exclusive advisory lock (flock) on
// the session file, which the system drops when the process ends, however it ends.
type Lock struct {
	f *os.File
}

// LockFile takes the session file at path for this process. It fails with an error wrapping
// ErrInUse, at once, when another process holds it.
func LockFile(path string) (*Lock, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open session file %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
}

// Unlock lets another process take the session. It is safe to call on a nil Lock and twice.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor drops the lock
	l.f = nil
	return err
}

// inUse is the error for a session file held by another process.
func inUse(path string) error {
	return fmt.Errorf("session %s is %w; wait for it to finish, or continue a copy with `hew resume --fork`", idOf(path), ErrInUse)
}

func idOf(path string) string { return strings.TrimSuffix(filepath.Base(path), ".jsonl") }

// Hold makes the log keep lock (taken before the session was read to be resumed) until Close.
func (l *Log) Hold(lock *Lock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lock = lock
}
