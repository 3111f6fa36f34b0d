package patch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
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
		if strings.EqualFold(part, ".git") {
			return "", fmt.Errorf("path %q points into .git; git's own files cannot be patched: %w", name, ErrUnsafePath)
		}
	}
	return clean, nil
}

// DirFS returns an FS for the directory root. Writes go to a temporary file renamed over the
// target. Paths are checked with CleanPath, and a path passing through a symbolic link that
// leads outside root is refused.
func DirFS(root string) FS {
	return &dirFS{root: root}
}

type dirFS struct {
	root string
}

// resolve maps name to an OS path. Symbolic links among the parent directories (and the file
// itself when followLeaf is set) are resolved and must stay inside the root.
func (d *dirFS) resolve(name string, followLeaf bool) (string, error) {
	clean, err := CleanPath(name)
	if err != nil {
		return "", err
	}
	root, err := filepath.Abs(d.root)
	if err != nil {
		return "", fmt.Errorf("resolve root %s: %w", d.root, err)
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	parts := strings.Split(clean, "/")
	cur := root
	for i, part := range parts {
		next := filepath.Join(cur, part)
		if i == len(parts)-1 && !followLeaf {
			return next, nil
		}
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.Join(append([]string{next}, parts[i+1:]...)...), nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			real, err := filepath.EvalSymlinks(next)
			if err != nil {
				return "", fmt.Errorf("path %q passes through the symbolic link %s, which cannot be resolved: %w", name, part, err)
			}
			if real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
				return "", fmt.Errorf("path %q passes through the symbolic link %s, which leads outside the repository: %w", name, strings.Join(parts[:i+1], "/"), ErrUnsafePath)
			}
			next = real
		}
		cur = next
	}
	return cur, nil
}

func (d *dirFS) ReadFile(name string) ([]byte, error) {
	p, err := d.resolve(name, true)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

func (d *dirFS) Stat(name string) (fs.FileInfo, error) {
	p, err := d.resolve(name, false)
	if err != nil {
		return nil, err
	}
	return os.Lstat(p)
}

func (d *dirFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	p, err := d.resolve(name, false)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+".hew-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), perm.Perm())); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

func (d *dirFS) Remove(name string) error {
	p, err := d.resolve(name, false)
	if err != nil {
		return err
	}
	return os.Remove(p)
}
