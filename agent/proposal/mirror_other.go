//go:build !linux

package proposal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// mirror serialises InCopy; elsewhere than Linux each command gets a fresh copy.
type mirror struct {
	mu  sync.Mutex
	dir string
}

func (l *Layer) mirrorDir() string { return filepath.Join(l.dir, "copy") }

// InCopy runs fn with the path of a copy of the merged view (ignored files included, .git
// excluded), made afresh for each call on this platform. When keep is set, what fn's command
// changed in the copy is brought into the proposal afterwards.
func (l *Layer) InCopy(keep bool, fn func(dir string) error) error {
	l.copy.mu.Lock()
	defer l.copy.mu.Unlock()
	tmp, err := os.MkdirTemp("", "hew-run-*")
	if err != nil {
		return fmt.Errorf("make a copy of the tree to run in: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := l.Materialize(tmp); err != nil {
		return fmt.Errorf("make a copy of the tree to run in: %w", err)
	}
	if err := fn(tmp); err != nil {
		return err
	}
	if keep {
		return l.Import(tmp)
	}
	return nil
}

// PrepareCopy does nothing here: InCopy keeps no copy between calls.
func (l *Layer) PrepareCopy(ctx context.Context) error { return nil }

// DropCopy does nothing here: InCopy keeps no copy between calls.
func (l *Layer) DropCopy() error { return nil }
