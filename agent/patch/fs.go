package patch

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"hew/gitops/fsguard"
)

// FS is what patches and edits apply to. Names are slash-separated and relative to the FS root.
type FS interface {
	// ReadFile returns a file's content; the error wraps fs.ErrNotExist when the file is absent.
	ReadFile(name string) ([]byte, error)
	// Stat describes a file without following a final symbolic link (Lstat semantics); the mode
	// carries the permission bits and the symlink and directory bits.
	Stat(name string) (fs.FileInfo, error)
	// WriteFile replaces a file's content and permission atomically, creating parent directories.
	WriteFile(name string, data []byte, perm fs.FileMode) error
	// Remove removes a file.
	Remove(name string) error
}

// CleanPath checks that name is a safe relative path inside a tree and returns it cleaned. It
// refuses empty and absolute paths, paths that climb out with "..", and paths into .git.
func CleanPath(name string) (string, error) {
	switch {
	case name == "":
		return "", fmt.Errorf("empty path: %w", ErrUnsafePath)
	case strings.ContainsRune(name, 0):
		return "", fmt.Errorf("path %q contains a NUL byte: %w", name, ErrUnsafePath)
	case strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) || filepath.IsAbs(name) ||
		len(name) >= 2 && name[1] == ':' && (name[0]|0x20 >= 'a' && name[0]|0x20 <= 'z'):
		return "", fmt.Errorf("path %q is absolute; use a path relative to the repository root: %w", name, ErrUnsafePath)
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", fmt.Errorf("path %q names the root directory, not a file: %w", name, ErrUnsafePath)
	}
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("path %q climbs out of the repository with '..': %w", name, ErrUnsafePath)
	}
	for _, part := range strings.Split(clean, "/") {
		if fsguard.IsGitName(part) {
			return "", fmt.Errorf("path %q points into .git (spelt %q); git's own files cannot be patched: %w", name, part, ErrUnsafePath)
		}
	}
	return clean, nil
}

// DirFS returns an FS for the directory root. Writes go to a temporary file renamed over the
// target. Paths are checked with CleanPath; a symbolic link among a path's directories (or a
// read file itself) is followed only while it stays inside root and out of .git, and the final
// open or write follows no link at all (see fsguard), so a patch cannot reach git's hooks or
// anything outside the tree through a link. Reads refuse anything but regular files.
func DirFS(root string) FS {
	return &dirFS{root: root}
}

type dirFS struct {
	root string
}

// resolve maps name to its resolved slash-separated name under the root and the root itself.
// Symbolic links among the parent directories (and the file itself when followLeaf is set)
// are followed within the root.
func (d *dirFS) resolve(name string, followLeaf bool) (root, clean string, err error) {
	if _, err := CleanPath(name); err != nil {
		return "", "", err
	}
	root, err = filepath.Abs(d.root)
	if err != nil {
		return "", "", fmt.Errorf("resolve root %s: %w", d.root, err)
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	clean, err = fsguard.ResolveIn(root, name, followLeaf)
	return root, clean, err
}

func (d *dirFS) ReadFile(name string) ([]byte, error) {
	root, p, err := d.resolve(name, true)
	if err != nil {
		return nil, err
	}
	return fsguard.ReadFile(root, p)
}

func (d *dirFS) Stat(name string) (fs.FileInfo, error) {
	root, p, err := d.resolve(name, false)
	if err != nil {
		return nil, err
	}
	return os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
}

func (d *dirFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	root, p, err := d.resolve(name, false)
	if err != nil {
		return err
	}
	return fsguard.WriteFile(root, p, data, perm)
}

func (d *dirFS) Remove(name string) error {
	root, p, err := d.resolve(name, false)
	if err != nil {
		return err
	}
	return fsguard.Remove(root, p)
}
