package proposal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"hew/gitops/fsguard"
)

// Materialize copies the merged view (ignored files included, .git excluded) into dst, for
// sandboxes that cannot mount the upper layer over the tree. After the command ran in dst,
// Import brings what it changed back into the proposal.
func (l *Layer) Materialize(dst string) error {
	return l.WalkDir(".", false, func(name string, d fs.DirEntry) error {
		target := filepath.Join(dst, filepath.FromSlash(name))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			w, err := l.locate(name)
			if err != nil {
				return err
			}
			t, err := os.Readlink(w.path)
			if err != nil {
				return err
			}
			return os.Symlink(t, target)
		case info.Mode().IsRegular():
			w, err := l.locate(name)
			if err != nil {
				return err
			}
			data, err := l.readAt(w, name)
			if err != nil {
				return fmt.Errorf("copy %s: %w", name, err)
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
		return nil // sockets, devices: not copied
	})
}

// Import records into the proposal every regular file that differs between dst (a tree made
// by Materialize) and the merged view, and deletes from the proposal what dst no longer has.
func (l *Layer) Import(dst string) error {
	present := map[string]bool{}
	err := filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dst, p)
		name := filepath.ToSlash(rel)
		if name == "." || d.IsDir() {
			if name == ".git" {
				return fs.SkipDir
			}
			return nil
		}
		present[name] = true
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() {
			return err
		}
		return l.importFile(dst, name)
	})
	if err != nil {
		return fmt.Errorf("bring the command's changes into the proposal: %w", err)
	}
	var gone []string
	l.WalkDir(".", false, func(name string, d fs.DirEntry) error {
		if !d.IsDir() && !present[name] {
			gone = append(gone, name)
		}
		return nil
	})
	for _, name := range gone {
		if err := l.Remove(name); err != nil {
			return fmt.Errorf("bring the command's deletions into the proposal: %w", err)
		}
	}
	return nil
}

// importFile records regular file name of the tree dst (a copy of the merged view a command
// ran in) into the proposal when its content or mode differs from the merged view's.
func (l *Layer) importFile(dst, name string) error {
	data, err := fsguard.ReadFile(dst, name) // no link followed, never a FIFO swapped in since
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	info, err := fsguard.Lstat(dst, name)
	if err != nil {
		return err
	}
	if cur, err := l.ReadFile(name); err == nil && bytes.Equal(cur, data) {
		if st, err := l.Stat(name); err == nil && st.Mode() == info.Mode() {
			return nil
		}
	}
	return l.WriteFile(name, data, info.Mode().Perm())
}
