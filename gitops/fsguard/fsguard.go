// Package fsguard keeps file access inside a directory tree and out of git's own directory.
//
// Every path hew reads for the model or writes into a working tree comes through here. A path
// is resolved component by component: a symbolic link is followed only while it stays inside
// the tree and does not lead into a .git directory, and the final open or write is then made
// without following any link at all (openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS on
// Linux, a walk of O_NOFOLLOW directory opens elsewhere), so a link swapped in after the check
// makes the operation fail instead of escaping. Reads open only regular files: a FIFO, a
// device, a socket or a /proc file is refused before a byte is read, so none can hang or leak.
//
// The package imports nothing of hew's; gitops, the patch engine and the proposal layer use it.
package fsguard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrUnsafe marks a path refused because it leaves the tree, enters .git, or passes through a
// symbolic link that does.
var ErrUnsafe = errors.New("unsafe path")

// ErrNotRegular marks a read refused because the file is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// maxLinks bounds how many symbolic links one resolution follows, as the kernel's ELOOP does.
const maxLinks = 40

// IsGitName reports whether one path component names a git directory as some file system
// would see it: ".git" in any case, with the trailing dots and spaces Windows drops, with the
// characters HFS+ ignores, or as NTFS's short name "git~1".
func IsGitName(part string) bool {
	p := strings.Map(func(r rune) rune {
		switch {
		case r >= 0x200c && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x206a && r <= 0x206f, r == 0xfeff:
			return -1 // ignored by HFS+ when comparing names
		}
		return r
	}, part)
	p = strings.TrimRight(p, ". ")
	return strings.EqualFold(p, ".git") || strings.EqualFold(p, "git~1")
}

// gitDir names a git directory component for messages.
func gitDir(part string) string {
	if part == ".git" {
		return ".git"
	}
	return fmt.Sprintf(".git (spelt %q)", part)
}

// GitComponent returns the first component of the slash-separated path p that names a git
// directory, or "".
func GitComponent(p string) string {
	for _, part := range strings.Split(p, "/") {
		if IsGitName(part) {
			return part
		}
	}
	return ""
}

// Clean checks that rel is a relative path that stays inside its tree and avoids .git, and
// returns it slash-separated and cleaned ("." for the tree itself).
func Clean(rel string) (string, error) {
	switch {
	case strings.ContainsRune(rel, 0):
		return "", fmt.Errorf("path %q contains a NUL byte: %w", rel, ErrUnsafe)
	case path.IsAbs(filepath.ToSlash(rel)) || filepath.IsAbs(rel):
		return "", fmt.Errorf("path %q is absolute; give it relative to the repository root: %w", rel, ErrUnsafe)
	}
	p := path.Clean(filepath.ToSlash(rel))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("path %q climbs out of the repository: %w", rel, ErrUnsafe)
	}
	if g := GitComponent(p); g != "" {
		return "", fmt.Errorf("path %q is inside %s, which hew never reads or writes: %w", rel, gitDir(g), ErrUnsafe)
	}
	return p, nil
}

// Tree is what Resolve walks: a directory tree addressed by clean slash-separated names.
type Tree interface {
	// Lstat describes name without following a final symbolic link; every earlier component
	// of name is a directory, not a link.
	Lstat(name string) (fs.FileInfo, error)
	// Readlink returns the target of the symbolic link name.
	Readlink(name string) (string, error)
}

// Resolve returns the name rel denotes in tree t, whose absolute location is root, with every
// symbolic link among its components followed (the last one too when followLast), as a clean
// slash-separated name with no link in it but, when !followLast, the last. A link is followed
// only when its target stays inside root and does not enter .git; otherwise Resolve fails
// with ErrUnsafe naming the link. Names that do not exist resolve to themselves.
func Resolve(t Tree, root, rel string, followLast bool) (string, error) {
	clean, err := Clean(rel)
	if err != nil || clean == "." {
		return clean, err
	}
	todo := strings.Split(clean, "/")
	var done []string
	links := 0
	for len(todo) > 0 {
		part := todo[0]
		todo = todo[1:]
		switch {
		case part == "" || part == ".":
			continue
		case part == "..":
			if len(done) == 0 {
				return "", fmt.Errorf("path %q leads out of the repository through a symbolic link: %w", rel, ErrUnsafe)
			}
			done = done[:len(done)-1]
			continue
		case IsGitName(part):
			return "", fmt.Errorf("path %q leads into %s through a symbolic link, and hew never reads or writes there: %w", rel, gitDir(part), ErrUnsafe)
		}
		cur := path.Join(append(done, part)...)
		if len(todo) == 0 && !followLast {
			done = append(done, part)
			break
		}
		info, err := t.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			done = append(done, part)
			for _, p := range todo { // nothing below a missing name can be a link
				if p == ".." {
					return "", fmt.Errorf("path %q: %s does not exist: %w", rel, cur, fs.ErrNotExist)
				}
				if p != "." && p != "" {
					done = append(done, p)
				}
			}
			break
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			if len(todo) > 0 && !info.IsDir() {
				return "", &fs.PathError{Op: "resolve", Path: rel, Err: fmt.Errorf("%s is not a directory", cur)}
			}
			done = append(done, part)
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("path %q: too many levels of symbolic links", rel)
		}
		target, err := t.Readlink(cur)
		if err != nil {
			return "", err
		}
		next, err := linkTarget(root, done, cur, target)
		if err != nil {
			return "", fmt.Errorf("path %q passes through the symbolic link %s, %w", rel, cur, err)
		}
		todo = append(next, todo...)
		done = nil
	}
	if len(done) == 0 {
		return ".", nil
	}
	return strings.Join(done, "/"), nil
}

// linkTarget turns the target of link (in directory dir of the tree at root) into components
// relative to root, refusing targets outside root or inside .git.
func linkTarget(root string, dir []string, link, target string) ([]string, error) {
	var p string
	if filepath.IsAbs(target) {
		rel, err := filepath.Rel(root, filepath.Clean(target))
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("which leads outside the repository, to %s: %w", target, ErrUnsafe)
		}
		p = filepath.ToSlash(rel)
	} else {
		p = path.Join(path.Join(dir...), filepath.ToSlash(target))
	}
	p = path.Clean(p)
	if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
		return nil, fmt.Errorf("which leads outside the repository, to %s: %w", target, ErrUnsafe)
	}
	if g := GitComponent(p); g != "" {
		return nil, fmt.Errorf("which leads into %s: %w", gitDir(g), ErrUnsafe)
	}
	return strings.Split(p, "/"), nil
}

// LinkTargetSafe reports whether a symbolic link at name (slash-separated, relative to the
// tree's root) with the given target points inside the tree and not into .git, judged by the
// text alone; an empty reason means it does.
func LinkTargetSafe(root, name, target string) (reason string) {
	dir := path.Dir(name)
	var parts []string
	if dir != "." {
		parts = strings.Split(dir, "/")
	}
	if _, err := linkTarget(root, parts, name, target); err != nil {
		return strings.TrimPrefix(strings.TrimSuffix(err.Error(), ": "+ErrUnsafe.Error()), "which ")
	}
	return ""
}

// Dir is a Tree over a real directory.
type Dir string

// Lstat implements Tree.
func (d Dir) Lstat(name string) (fs.FileInfo, error) {
	return os.Lstat(filepath.Join(string(d), filepath.FromSlash(name)))
}

// Readlink implements Tree.
func (d Dir) Readlink(name string) (string, error) {
	return os.Readlink(filepath.Join(string(d), filepath.FromSlash(name)))
}

// ResolveIn is Resolve over the real directory root.
func ResolveIn(root, rel string, followLast bool) (string, error) {
	return Resolve(Dir(root), root, rel, followLast)
}

// ReadIn reads the regular file rel names under root, following links only as Resolve allows.
func ReadIn(root, rel string) ([]byte, error) {
	name, err := ResolveIn(root, rel, true)
	if err != nil {
		return nil, err
	}
	return ReadFile(root, name)
}

// ReadInAtMost is ReadIn reading no more than n bytes (see ReadFileAtMost).
func ReadInAtMost(root, rel string, n int64) ([]byte, error) {
	name, err := ResolveIn(root, rel, true)
	if err != nil {
		return nil, err
	}
	return ReadFileAtMost(root, name, n)
}

// WriteIn writes data to rel under root as WriteFile does, after resolving the links among
// its directories as Resolve allows; a final link is replaced, not followed.
func WriteIn(root, rel string, data []byte, perm fs.FileMode) error {
	name, err := ResolveIn(root, rel, false)
	if err != nil {
		return err
	}
	return WriteFile(root, name, data, perm)
}

func split(name string) (dir, base string) {
	dir, base = path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	return dir, base
}

func notRegular(name string, mode fs.FileMode) error {
	kind := "a " + mode.Type().String()
	switch {
	case mode&fs.ModeNamedPipe != 0:
		kind = "a FIFO"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	case mode&fs.ModeSymlink != 0:
		kind = "a symbolic link"
	case mode.IsDir():
		kind = "a directory"
	}
	return fmt.Errorf("%s is %s, which hew does not open (%w)", name, kind, ErrNotRegular)
}
