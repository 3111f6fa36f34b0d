package gitops

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"hew/gitops/fsguard"
)

// file is the content of a path in the working tree, or its absence.
type file struct {
	exists bool
	data   []byte            // the content, or a symbolic link's target
	mode   filemode.FileMode // Regular, Executable or Symlink
	perm   fs.FileMode       // a regular file's permission bits in the working tree; 0 if unknown
}

// hash is the blob hash of the file's content.
func (f file) hash() plumbing.Hash { return blobHash(f.data) }

// entry is the tree entry for the file; the zero entry when it does not exist.
func (f file) entry() entry {
	if !f.exists {
		return entry{}
	}
	return entry{f.mode, f.hash()}
}

// equalFile reports whether two files have the same existence, content and mode.
func equalFile(a, b file) bool {
	return a.exists == b.exists && bytes.Equal(a.data, b.data) && (!a.exists || a.mode == b.mode)
}

// checkPath rejects paths that are not plain slash-separated paths inside the working tree.
func checkPath(p string) error {
	switch {
	case p == "" || p != path.Clean(p) || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "\\"):
		return fmt.Errorf("path %q is not a clean slash-separated path inside the repository", p)
	}
	for _, part := range strings.Split(p, "/") {
		if fsguard.IsGitName(part) {
			return fmt.Errorf("path %q is inside a .git directory, which hew never writes", p)
		}
	}
	return nil
}

// tree is what readFile reads a working tree through: an *os.Root, which keeps reads inside
// the tree, or a guarded tree, which also follows no symbolic link at all.
type tree interface {
	Lstat(name string) (fs.FileInfo, error)
	Readlink(name string) (string, error)
	ReadFile(name string) ([]byte, error)
}

// guarded is the working tree at a directory read through fsguard: no component of a path is
// followed if it is a symbolic link, so what is read is what a guarded write would replace.
type guarded string

func (g guarded) Lstat(name string) (fs.FileInfo, error) { return fsguard.Lstat(string(g), name) }
func (g guarded) Readlink(name string) (string, error)   { return fsguard.Readlink(string(g), name) }
func (g guarded) ReadFile(name string) ([]byte, error)   { return fsguard.ReadFile(string(g), name) }

// readFile reads path p of the working tree through root, which keeps it inside.
func readFile(root tree, p string) (file, error) {
	fi, err := root.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return file{}, nil
	}
	if err != nil {
		return file{}, fmt.Errorf("read %s: %w", p, err)
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := root.Readlink(p)
		if err != nil {
			return file{}, fmt.Errorf("read link %s: %w", p, err)
		}
		return file{exists: true, data: []byte(target), mode: filemode.Symlink}, nil
	case !fi.Mode().IsRegular():
		return file{}, fmt.Errorf("%s is not a regular file (%s)", p, fi.Mode().Type())
	}
	data, err := root.ReadFile(p)
	if err != nil {
		return file{}, fmt.Errorf("read %s: %w", p, err)
	}
	mode := filemode.Regular
	if fi.Mode()&0o111 != 0 {
		mode = filemode.Executable
	}
	return file{exists: true, data: data, mode: mode, perm: fi.Mode().Perm()}, nil
}

// write is one file to put into the working tree; a file that does not exist is deleted.
type write struct {
	path string
	file file
	// expect, when set, is what the file must still be right before it is replaced; if it
	// changed since, nothing is written (a *ChangedError).
	expect *file
}

// ChangedError reports a file that changed while it was being accepted; nothing was written.
type ChangedError struct{ Path string }

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s changed while the change was being accepted; nothing was written: accept again", e.Path)
}

// writeFiles puts every write into the working tree or none: each file is first written beside
// its destination, then all are renamed into place; if a rename fails, the files already
// replaced get their previous content back.
//
// Every read, write, rename and removal goes through fsguard, which follows no symbolic link in
// any component of the path (openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS on Linux): a
// directory on the way that is, or has become, a link (into .git, out of the repository, or
// anywhere) makes writeFiles write nothing and say so, and a link at the path itself is
// replaced, never written through. Callers that follow links inside the tree (Accept) resolve
// paths with fsguard.ResolveIn first and pass the resolved names.
func (r *Repo) writeFiles(ws []write) (err error) {
	root := guarded(r.root)
	prev := make([]file, len(ws))
	temps := make([]string, len(ws))
	defer func() {
		for _, t := range temps {
			if t != "" {
				_ = fsguard.Remove(r.root, t)
			}
		}
	}()
	if testHookBeforeWrite != nil {
		testHookBeforeWrite()
	}
	for i, w := range ws {
		if prev[i], err = readFile(root, w.path); err != nil {
			return refuseWrite(w.path, err)
		}
		if e := w.expect; e != nil && (e.exists != prev[i].exists || !bytes.Equal(e.data, prev[i].data) || e.mode != prev[i].mode) {
			return &ChangedError{Path: w.path}
		}
		if w.file.exists {
			if prev[i].exists && w.file.perm == 0 {
				w.file.perm = keepPerm(prev[i], w.file.mode)
			}
			if temps[i], err = writeTemp(r.root, w.path, w.file); err != nil {
				return refuseWrite(w.path, err)
			}
		}
	}
	for i, w := range ws {
		if w.file.exists {
			err = fsguard.Rename(r.root, temps[i], w.path)
			temps[i] = ""
		} else if prev[i].exists {
			err = fsguard.Remove(r.root, w.path)
			removeEmptyDirs(r.root, path.Dir(w.path))
		}
		if err != nil {
			err = fmt.Errorf("write %s: %w", w.path, err)
			for j := range i {
				if rerr := restore(r.root, ws[j].path, prev[j]); rerr != nil {
					err = fmt.Errorf("%w; and restoring %s failed, so it is left changed: %v", err, ws[j].path, rerr)
				}
			}
			return err
		}
	}
	return nil
}

// testHookBeforeWrite, when set by a test, runs in writeFiles after the callers' checks and
// before anything is read or written: where a link swapped into the tree would land.
var testHookBeforeWrite func()

// refuseWrite explains a write refused before anything was written.
func refuseWrite(p string, err error) error {
	if errors.Is(err, fsguard.ErrUnsafe) {
		return fmt.Errorf("refusing to write %s, nothing was written: a directory on its path is a symbolic link or not a directory, and hew never writes through a link (it could lead into .git or out of the repository); replace the link with a directory, or remove it, and try again: %w", p, err)
	}
	return fmt.Errorf("nothing was written: %w", err)
}

// writeTemp writes f beside p under a fresh name and returns that name.
func writeTemp(root, p string, f file) (string, error) {
	if f.mode == filemode.Symlink {
		return fsguard.SymlinkTemp(root, p, string(f.data))
	}
	perm, exact := fs.FileMode(0o666), false
	if f.mode == filemode.Executable {
		perm = 0o777
	}
	if f.perm != 0 {
		perm, exact = f.perm, true
	}
	return fsguard.WriteTemp(root, p, f.data, perm, exact)
}

// keepPerm is the permission bits a file that was prev gets when rewritten with mode: its own,
// as git keeps them, with the execute bits following the mode (set where it can be read).
func keepPerm(prev file, mode filemode.FileMode) fs.FileMode {
	if prev.perm == 0 || prev.mode == filemode.Symlink || mode == filemode.Symlink {
		return 0
	}
	p := prev.perm
	switch {
	case mode == filemode.Executable && p&0o111 == 0:
		p |= (p & 0o444) >> 2
	case mode == filemode.Regular:
		p &^= 0o111
	}
	return p
}

// restore puts f back at p, best effort, after a failed writeFiles.
func restore(root, p string, f file) error {
	if !f.exists {
		return fsguard.Remove(root, p)
	}
	tmp, err := writeTemp(root, p, f)
	if err != nil {
		return err
	}
	return fsguard.Rename(root, tmp, p)
}

// removeEmptyDirs removes dir and its parents while they are empty, as git does when it deletes
// a file.
func removeEmptyDirs(root, dir string) {
	for dir != "." && dir != "/" {
		if fsguard.Remove(root, dir) != nil {
			return
		}
		dir = path.Dir(dir)
	}
}
