package gitops

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"

	"hew/gitops/diff"
	"hew/gitops/fsguard"
)

// Update is one accepted file change: the proposal turned Base into New.
type Update struct {
	// Path is the slash-separated path from the top of the working tree.
	Path string
	// Base is the file's content when the proposal was made; BaseExists is false when the
	// proposal creates the file.
	Base       []byte
	BaseExists bool
	// New is the accepted content, which may take only some of the proposal's hunks.
	New []byte
	// Delete removes the file instead of writing New.
	Delete bool
	// Mode is the new file's permission bits (0o755 makes it executable) or fs.ModeSymlink, in
	// which case New is the link's target; zero keeps the file's current mode.
	Mode fs.FileMode
}

// ConflictError reports that the user changed, since the proposal was made, the same lines an
// accepted change touches. Nothing was written.
type ConflictError struct {
	Files []FileConflict
}

// FileConflict is the conflicts in one file.
type FileConflict struct {
	Path string
	// Reason explains a conflict over the whole file, such as "you deleted it"; empty when
	// Conflicts lists the lines.
	Reason    string
	Conflicts []diff.Conflict
}

func (e *ConflictError) Error() string {
	var sb strings.Builder
	sb.WriteString("the accepted change conflicts with edits made since it was proposed; nothing was written:")
	for _, f := range e.Files {
		if f.Reason != "" {
			fmt.Fprintf(&sb, "\n  %s: %s", f.Path, f.Reason)
			continue
		}
		for _, c := range f.Conflicts {
			fmt.Fprintf(&sb, "\n  %s: %s now (%s when proposed) were also changed by the proposal", f.Path, c.Ours, c.Base)
		}
	}
	return sb.String()
}

// Accept writes updates into the working tree, all or none. A file that still has its Base
// content gets New; a file the user has edited since gets the proposal's change merged into the
// edit, line by line; if an edit touches the same or adjacent lines as the change, Accept writes
// nothing and returns a *ConflictError naming the files and lines.
//
// Accepts are serialised across processes (hew sessions over one working tree): each holds an
// exclusive lock on the worktree's git directory while it reads, merges and writes, and right
// before writing checks that each file is still what it merged with (compare-and-swap), so an
// edit that lands in between is never lost: Accept then writes nothing and says so.
func (r *Repo) Accept(updates []Update) error {
	unlock, err := lockPath(filepath.Join(r.gitDir, "hew-accept.lock"))
	if err != nil {
		return fmt.Errorf("serialise accepts: %w", err)
	}
	defer unlock()
	var ws []write
	var conflicts []FileConflict
	for _, u := range updates {
		if err := checkPath(u.Path); err != nil {
			return err
		}
		// Links among the directories are followed only while they stay in the tree and out
		// of .git (never g -> .git, then g/hooks/pre-commit); the name they resolve to is then
		// read and written with no link followed at all, so a link swapped in after this check
		// makes the write fail instead of landing where it leads.
		name, err := fsguard.ResolveIn(r.root, u.Path, false)
		if err != nil {
			return fmt.Errorf("refusing to write %s: %w", u.Path, err)
		}
		cur, err := readFile(guarded(r.root), name)
		if err != nil {
			return err
		}
		target, fc := merged(u, cur)
		if fc != nil {
			conflicts = append(conflicts, *fc)
			continue
		}
		if target.exists != cur.exists || !bytes.Equal(target.data, cur.data) || target.mode != cur.mode {
			ws = append(ws, write{path: name, file: target, expect: &cur})
		}
	}
	if len(conflicts) > 0 {
		return &ConflictError{Files: conflicts}
	}
	return r.writeFiles(ws)
}

// merged returns what the file should become when u is accepted onto its current state cur.
func merged(u Update, cur file) (file, *FileConflict) {
	target := file{exists: !u.Delete, data: u.New, mode: updateMode(u.Mode, cur)}
	conflict := func(reason string) (file, *FileConflict) {
		return file{}, &FileConflict{Path: u.Path, Reason: reason}
	}
	switch {
	case cur.exists == u.BaseExists && bytes.Equal(cur.data, u.Base):
		return target, nil // unchanged since the proposal
	case cur.exists == target.exists && bytes.Equal(cur.data, target.data):
		return target, nil // already as accepted
	case !cur.exists:
		return conflict("it was deleted since the proposal")
	case !u.BaseExists:
		return conflict("it was created since the proposal, which creates it too")
	case u.Delete:
		return conflict("it was edited since the proposal, which deletes it")
	case cur.mode == filemode.Symlink || target.mode == filemode.Symlink:
		return conflict("the symbolic link was changed since the proposal")
	case diff.IsBinary(cur.data) || diff.IsBinary(u.Base) || diff.IsBinary(u.New):
		return conflict("the binary file was changed since the proposal")
	}
	text, cs := diff.Merge(u.Base, cur.data, u.New)
	if len(cs) > 0 {
		return file{}, &FileConflict{Path: u.Path, Conflicts: cs}
	}
	target.data = text
	return target, nil
}

// updateMode is the git mode for an Update's Mode, given the file's current state.
func updateMode(m fs.FileMode, cur file) filemode.FileMode {
	switch {
	case m&fs.ModeSymlink != 0:
		return filemode.Symlink
	case m&0o111 != 0:
		return filemode.Executable
	case m != 0:
		return filemode.Regular
	case cur.exists:
		return cur.mode
	}
	return filemode.Regular
}
