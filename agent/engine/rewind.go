package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Rewind puts the working tree back as checkpoint id (an id or a unique prefix of at least 4
// characters; Repo.Checkpoints lists them) recorded it. The state before is checkpointed first,
// so a rewind can itself be undone. Accepted changes the restore took out of the tree are
// forgotten, so that the next commit does not bring them back; the proposal is kept.
func (e *Engine) Rewind(ctx context.Context, id string) error {
	if err := e.Repo.RestoreCheckpoint(ctx, id); err != nil {
		return fmt.Errorf("rewind to checkpoint %s: %w", id, err)
	}
	e.mu.Lock()
	for path, u := range e.accepted {
		data, err := os.ReadFile(filepath.Join(e.Repo.Root(), filepath.FromSlash(path)))
		gone := errors.Is(err, fs.ErrNotExist)
		if err != nil && !gone {
			continue // unreadable: keep it, the commit will say what is wrong
		}
		if u.Delete != gone || !u.Delete && !bytes.Equal(data, u.New) {
			delete(e.accepted, path)
		}
	}
	e.mu.Unlock()
	// The proposal lies over the tree, so its diffs may have changed.
	e.reportResolution(nil, false, false)
	return nil
}
