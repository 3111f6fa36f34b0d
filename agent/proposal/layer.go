// Package proposal keeps the agent's pending changes apart from the user's working tree.
//
// A Layer is an overlay over a repository. The working tree is the lower layer, which hew only
// reads; the proposal is an upper directory in overlayfs format: a file there replaces the lower
// file of the same name, and a whiteout (a 0/0 character device) deletes it. Tools read and write
// through the Layer, and the sandbox mounts the same upper directory over the repository, so what
// a command writes lands in the proposal as well. Nothing reaches the working tree until the
// caller accepts changes, writes them itself, and removes them from the layer with Drop.
package proposal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"hew/gitops/fsguard"
	"hew/gitops/ignore"
)

// Layer is a proposal over one working tree. It is safe for concurrent use.
type Layer struct {
	root  string // the working tree, absolute, symlinks resolved
	dir   string // state directory: upper/, work/, base/, base.json
	upper string

	mu    sync.RWMutex
	bases map[string]Base // the lower state of each path when the proposal first touched it
	// ignore holds git's ignore rules over the merged view; each walk renews it (see ignores).
	ignore *ignore.Matcher
	// copy is the copy of the merged view commands run in where no overlay can be mounted
	// (InCopy).
	copy *mirror
}

// Options adjusts how a layer reads its environment; the zero value uses the process's.
type Options struct {
	// Getenv reads HOME and XDG_CONFIG_HOME, which locate the user's git excludes file; nil means
	// os.Getenv.
	Getenv func(string) string
}

// Base is the state of a path in the working tree when the proposal first changed it.
type Base struct {
	Exists bool        `json:"exists"`
	Mode   fs.FileMode `json:"mode,omitempty"`
}

// Open returns the layer over root whose state lives in dir, creating dir as needed. A layer
// reopened over the same dir keeps its pending changes (sessions resume with them).
func Open(root, dir string) (*Layer, error) { return OpenWith(root, dir, Options{}) }

// OpenWith is Open with options.
func OpenWith(root, dir string, opts Options) (*Layer, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open proposal: %w", err)
	}
	if absRoot, err = filepath.EvalSymlinks(absRoot); err != nil {
		return nil, fmt.Errorf("open proposal over %s: %w", root, err)
	}
	l := &Layer{root: absRoot, dir: dir, upper: filepath.Join(dir, "upper"), bases: map[string]Base{}}
	l.copy = &mirror{dir: l.mirrorDir()}
	for _, d := range []string{l.upper, filepath.Join(dir, "work"), filepath.Join(dir, "base")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("open proposal state %s: %w", dir, err)
		}
	}
	// The state holds copies of your files: private, like session files.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("make proposal state %s private: %w", dir, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "base.json")); err == nil {
		if err := json.Unmarshal(b, &l.bases); err != nil {
			return nil, fmt.Errorf("read proposal state %s: %w", filepath.Join(dir, "base.json"), err)
		}
	}
	if l.ignore, err = ignore.New(absRoot, ignore.Options{Getenv: opts.Getenv, ReadFile: l.readIgnoreFile}); err != nil {
		return nil, fmt.Errorf("open proposal over %s: %w", root, err)
	}
	return l, nil
}

// ignores returns git's ignore rules as they stand now: .gitignore files are read from the
// merged view, so a proposed .gitignore counts, and afresh for each walk, so that changes made
// since (by the proposal, a command or the user) count too; the index is re-read only when it
// changed.
func (l *Layer) ignores() *ignore.Matcher {
	if m, err := l.ignore.Renew(); err == nil {
		return m
	}
	return l.ignore
}

// readIgnoreFile reads a .gitignore from the merged view for the matcher; a symbolic link does
// not count, as in git. Callers hold l.mu.
func (l *Layer) readIgnoreFile(name string) ([]byte, error) {
	w, err := l.locate(name)
	if err != nil {
		return nil, err
	}
	if !w.info.Mode().IsRegular() {
		return nil, fs.ErrNotExist
	}
	return l.readAt(w, name)
}

// Root is the working tree the layer lies over.
func (l *Layer) Root() string { return l.root }

// Upper is the overlay upper directory holding the proposal; Work is overlayfs's work directory
// on the same file system. The sandbox mounts them over Root.
func (l *Layer) Upper() string { return l.upper }

// Work is the overlayfs work directory that goes with Upper.
func (l *Layer) Work() string { return filepath.Join(l.dir, "work") }

// Excluded reports whether name (slash-separated, relative to the root) is left out of listings
// as git ls-files -co --exclude-standard leaves it out: ignored by git and not tracked (see
// gitops/ignore). Excluded files can be read and written but are never part of the change set.
func (l *Layer) Excluded(name string, isDir bool) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.ignores().Excluded(name, isDir)
}

// Clean checks a tool-supplied path and returns it slash-separated and relative to the root.
// It refuses absolute paths outside the root, paths that climb out with "..", and paths into a
// .git directory at any level, however a file system might spell it (see fsguard.IsGitName).
func (l *Layer) Clean(name string) (string, error) {
	if name == "" {
		return ".", nil
	}
	p := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		rel, err := filepath.Rel(l.root, filepath.Clean(name))
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			return "", fmt.Errorf("path %s is outside the repository %s", name, l.root)
		}
		p = filepath.ToSlash(rel)
	}
	p = path.Clean(p)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("path %s climbs out of the repository", name)
	}
	if g := fsguard.GitComponent(p); g != "" {
		return "", fmt.Errorf("path %s is inside .git (spelt %q), which hew does not read or change", name, g)
	}
	return p, nil
}

// merged is the layer's merged view as an fsguard.Tree, so that symbolic links in it are
// followed only while they stay inside the repository and out of .git. Callers hold l.mu.
type merged struct{ l *Layer }

func (m merged) Lstat(name string) (fs.FileInfo, error) {
	w, err := m.l.locate(name)
	return w.info, err
}

func (m merged) Readlink(name string) (string, error) {
	w, err := m.l.locate(name)
	if err != nil {
		return "", err
	}
	return os.Readlink(w.path)
}

// resolve cleans name and follows the symbolic links among its components in the merged view
// (the last one too when followLast), refusing links that leave the repository or enter .git.
// Callers hold l.mu.
//
// When the proposal has nothing under name's first component, the working tree alone is
// walked, which costs one lstat per component instead of two. Where a link leads into a part
// the proposal does change, locate judges the result against the upper layer afterwards, so
// the shortcut can only fail closed (a name not found), never open.
func (l *Layer) resolve(name string, followLast bool) (string, error) {
	clean, err := l.Clean(name)
	if err != nil {
		return "", err
	}
	first, _, _ := strings.Cut(clean, "/")
	if _, err := os.Lstat(filepath.Join(l.upper, first)); errors.Is(err, fs.ErrNotExist) {
		return fsguard.Resolve(fsguard.Dir(l.root), l.root, clean, followLast)
	}
	return fsguard.Resolve(merged{l}, l.root, clean, followLast)
}

// readAt reads the regular file w (found by locate for name) without following a link in any
// component; FIFOs, devices and sockets are refused before they are read.
func (l *Layer) readAt(w where, name string) ([]byte, error) {
	if w.inUpper {
		return fsguard.ReadFile(l.upper, name)
	}
	return fsguard.ReadFile(l.root, name)
}

// where says where a name lives in the merged view.
type where struct {
	path    string // absolute path of the file providing the name; "" when it does not exist
	inUpper bool
	info    fs.FileInfo
}

// locate resolves a clean relative name through the upper and lower layers.
func (l *Layer) locate(name string) (where, error) {
	if name == "." {
		info, err := os.Stat(l.root)
		return where{path: l.root, info: info}, err
	}
	parts := strings.Split(name, "/")
	lowerVisible := true
	cur := l.upper
	upperDirs := 0 // leading components that are directories in the upper layer
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		info, err := os.Lstat(cur)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return where{}, err
			}
			if !lowerVisible {
				return where{}, fs.ErrNotExist
			}
			upperDirs = i
			break // the rest can only come from the lower layer
		}
		if isWhiteout(info) {
			return where{}, fs.ErrNotExist
		}
		if i == len(parts)-1 {
			return where{path: cur, inUpper: true, info: info}, nil
		}
		if !info.IsDir() {
			return where{}, fs.ErrNotExist
		}
		if isOpaque(cur) {
			lowerVisible = false
		}
	}
	if !lowerVisible {
		return where{}, fs.ErrNotExist
	}
	lower := filepath.Join(l.root, filepath.FromSlash(name))
	// Below the upper directories, name's directories are the working tree's own, and callers
	// pass names resolve has freed of links; the upper directories may stand over a link or a
	// file of the working tree, which must not show through.
	for i := range upperDirs {
		info, err := os.Lstat(filepath.Join(l.root, filepath.FromSlash(strings.Join(parts[:i+1], "/"))))
		if err != nil || !info.IsDir() {
			return where{}, fs.ErrNotExist
		}
	}
	info, err := os.Lstat(lower)
	if err != nil {
		return where{}, err
	}
	return where{path: lower, info: info}, nil
}

// lstatLower is Lstat of name in the working tree, where name is hidden (fs.ErrNotExist)
// when one of its directories is not a real directory there: a symbolic link the proposal
// replaced with a directory must not let the working tree's files show through it.
func (l *Layer) lstatLower(name string) (fs.FileInfo, error) {
	cur := l.root
	parts := strings.Split(name, "/")
	for _, part := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, part)
		info, err := os.Lstat(cur)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			return nil, fs.ErrNotExist
		}
	}
	return os.Lstat(filepath.Join(l.root, filepath.FromSlash(name)))
}

// open resolves name (already resolved by l.resolve, links followed) for reading.
func (l *Layer) open(name string) (where, error) {
	w, err := l.locate(name)
	if err != nil {
		return w, &fs.PathError{Op: "open", Path: name, Err: unwrapPathErr(err)}
	}
	return w, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadFile returns the content of name in the merged view. Symbolic links are followed only
// while they stay inside the repository and out of .git; only regular files are read.
func (l *Layer) ReadFile(name string) ([]byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	name, err := l.resolve(name, true)
	if err != nil {
		return nil, err
	}
	w, err := l.open(name)
	if err != nil {
		return nil, err
	}
	if w.info.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	return l.readAt(w, name)
}

// ReadSmallFile returns the content of name when it is a regular file (not a link) of at most
// max bytes, resolving name once; ok is false, and nothing is read, for anything else. Search
// reads every file of the tree this way.
func (l *Layer) ReadSmallFile(name string, max int64) (data []byte, ok bool, err error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	name, err = l.resolve(name, false)
	if err != nil {
		return nil, false, err
	}
	w, err := l.locate(name)
	if err != nil {
		return nil, false, err
	}
	if !w.info.Mode().IsRegular() || w.info.Size() > max {
		return nil, false, nil
	}
	data, err = l.readAt(w, name)
	return data, err == nil, err
}

// upperEntry is a directory entry of the merged view that the proposal provides.
type upperEntry struct{ fs.DirEntry }

// FileReader reads the files a walk of the merged view found (WalkDir) without resolving each
// name through both layers again: the walk found which layer provides it. Both layers' roots
// are held open until Close.
type FileReader struct{ lower, upper *fsguard.Root }

// NewFileReader returns a FileReader over l.
func (l *Layer) NewFileReader() (*FileReader, error) {
	lower, err := fsguard.OpenRoot(l.root)
	if err != nil {
		return nil, err
	}
	upper, err := fsguard.OpenRoot(l.upper)
	if err != nil {
		lower.Close()
		return nil, err
	}
	return &FileReader{lower: lower, upper: upper}, nil
}

// Close releases the roots.
func (r *FileReader) Close() {
	r.lower.Close()
	r.upper.Close()
}

// ReadSmallFile is Layer.ReadSmallFile for a file WalkDir passed with d: the file is opened
// beneath the root of the layer that provides it without following a symbolic link in any
// component. ok is false for anything but a regular file of at most max bytes.
func (r *FileReader) ReadSmallFile(name string, d fs.DirEntry, max int64) (data []byte, ok bool, err error) {
	return r.ReadSmallFileInto(name, d, max, nil)
}

// ReadSmallFileInto is ReadSmallFile reading into buf when the file fits in its capacity (see
// fsguard.Root.ReadSmallFileInto): data then shares buf's memory.
func (r *FileReader) ReadSmallFileInto(name string, d fs.DirEntry, max int64, buf []byte) (data []byte, ok bool, err error) {
	if !d.Type().IsRegular() {
		return nil, false, nil
	}
	if _, up := d.(upperEntry); up {
		return r.upper.ReadSmallFileInto(name, max, buf)
	}
	return r.lower.ReadSmallFileInto(name, max, buf)
}

// Stat describes name in the merged view without following a final symbolic link; links
// among its directories are followed as ReadFile follows them.
func (l *Layer) Stat(name string) (fs.FileInfo, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	name, err := l.resolve(name, false)
	if err != nil {
		return nil, err
	}
	w, err := l.locate(name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: unwrapPathErr(err)}
	}
	return w.info, nil
}

// ReadDir lists a directory of the merged view, sorted by name.
func (l *Layer) ReadDir(name string) ([]fs.DirEntry, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	name, err := l.resolve(name, true)
	if err != nil {
		return nil, err
	}
	return l.readDir(name)
}

func (l *Layer) readDir(name string) ([]fs.DirEntry, error) {
	w, err := l.locate(name)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: unwrapPathErr(err)}
	}
	if !w.info.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	seen := map[string]bool{}
	var out []fs.DirEntry
	upperDir := filepath.Join(l.upper, filepath.FromSlash(name))
	lowerVisible := true
	if ents, err := readDirUnsorted(upperDir); err == nil {
		lowerVisible = !isOpaque(upperDir) && l.lowerVisible(name)
		for _, e := range ents {
			seen[e.Name()] = true
			if e.Type()&fs.ModeCharDevice != 0 {
				if info, err := e.Info(); err == nil && isWhiteout(info) {
					continue
				}
			}
			out = append(out, upperEntry{e})
		}
	} else {
		lowerVisible = l.lowerVisible(name)
	}
	if lowerVisible {
		ents, err := readDirUnsorted(filepath.Join(l.root, filepath.FromSlash(name)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrInvalid) {
			return nil, err
		}
		for _, e := range ents {
			if !seen[e.Name()] && !fsguard.IsGitName(e.Name()) {
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// lowerIsDir reports whether name is a real directory in the working tree, reached through
// real directories only.
func (l *Layer) lowerIsDir(name string) bool {
	info, err := l.lstatLower(name)
	return err == nil && info.IsDir()
}

// readDirUnsorted is os.ReadDir without the sorting, which readDir does once for both layers.
func readDirUnsorted(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// lowerVisible reports whether the lower directory name shows through every upper ancestor:
// none is a whiteout, a file or opaque, and none stands over something in the working tree
// that is not a real directory (a link the proposal replaced with a directory must not let
// what it points to show through).
func (l *Layer) lowerVisible(name string) bool {
	if name == "." {
		return true
	}
	cur := ""
	for _, part := range strings.Split(name, "/") {
		cur = path.Join(cur, part)
		up := filepath.Join(l.upper, filepath.FromSlash(cur))
		info, err := os.Lstat(up)
		if err != nil {
			return true
		}
		if isWhiteout(info) || !info.IsDir() || isOpaque(up) {
			return false
		}
		if li, err := os.Lstat(filepath.Join(l.root, filepath.FromSlash(cur))); err != nil || !li.IsDir() {
			return false
		}
	}
	return true
}

// WalkFunc is called for each file and directory WalkDir visits; name is slash-separated and
// relative to the root. Returning fs.SkipDir skips a directory.
type WalkFunc func(name string, d fs.DirEntry) error

// WalkDir walks the merged view under dir in lexical order, skipping .git and, when
// skipIgnored, what Excluded excludes and what lies inside other repositories (submodules and
// nested repositories are given to fn as a Repository, and not entered).
func (l *Layer) WalkDir(dir string, skipIgnored bool, fn WalkFunc) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	dir, err := l.resolve(dir, true)
	if err != nil {
		return err
	}
	var ign *ignore.Matcher
	if skipIgnored {
		ign = l.ignores()
	}
	err = l.walk(dir, ign, fn)
	if errors.Is(err, fs.SkipAll) {
		return nil
	}
	return err
}

// walk walks below dir, skipping what ign excludes unless ign is nil. Directories are read, and
// their entries matched against the ignore rules, ahead of the walk by a few goroutines (a large
// tree lists in a fraction of the time); fn is called from this goroutine only, in lexical
// order. l.mu is held.
func (l *Layer) walk(dir string, ign *ignore.Matcher, fn WalkFunc) error {
	ra := &readAhead{l: l, ign: ign, slots: make(chan struct{}, walkWorkers()), stop: make(chan struct{})}
	defer ra.close()
	return ra.visit(ra.read(dir), dir, fn)
}

// walkWorkers is how many directories a walk reads at once.
func walkWorkers() int { return min(max(runtime.GOMAXPROCS(0), 2), 8) }

// readAhead reads the directories of one walk concurrently, each as soon as its parent has been
// read and a slot is free.
type readAhead struct {
	l     *Layer
	ign   *ignore.Matcher // nil: nothing is skipped
	slots chan struct{}
	stop  chan struct{} // closed when the walk ends, early or not
	wg    sync.WaitGroup
}

// listing is one directory read ahead: its entries that are not excluded, sorted, and the
// listings of the subdirectories among them (nil for files). done is closed once it is filled.
type listing struct {
	done chan struct{}
	ents []fs.DirEntry
	subs []*listing
	err  error
}

var errWalkEnded = errors.New("walk ended")

// read starts reading dir and returns its listing, to be waited for.
func (ra *readAhead) read(dir string) *listing {
	ls := &listing{done: make(chan struct{})}
	ra.wg.Add(1)
	go func() {
		defer ra.wg.Done()
		defer close(ls.done)
		select {
		case ra.slots <- struct{}{}:
		case <-ra.stop:
			ls.err = errWalkEnded
			return
		}
		defer func() { <-ra.slots }()
		ents, err := ra.l.readDir(dir)
		if err != nil {
			ls.err = err
			return
		}
		if ra.ign != nil {
			ents = ra.ign.FilterExcluded(dir, ents)
		}
		ls.ents, ls.subs = ents, make([]*listing, len(ents))
		for i, e := range ents {
			if !e.IsDir() {
				continue
			}
			name := childName(dir, e.Name())
			if ra.ign != nil && ra.l.lowerHasGit(name) {
				ls.ents[i] = Repository{e, ra.ign.Tracked(name)}
				continue
			}
			ls.subs[i] = ra.read(name)
		}
	}()
	return ls
}

// visit calls fn for what ls lists, depth first, waiting for each listing as it comes to it.
func (ra *readAhead) visit(ls *listing, dir string, fn WalkFunc) error {
	<-ls.done
	if ls.err != nil {
		return ls.err
	}
	for i, e := range ls.ents {
		name := childName(dir, e.Name())
		if err := fn(name, e); err != nil {
			if errors.Is(err, fs.SkipDir) && e.IsDir() {
				continue
			}
			return err
		}
		if ls.subs[i] != nil {
			if err := ra.visit(ls.subs[i], name, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// close stops what is still being read and waits for it.
func (ra *readAhead) close() {
	close(ra.stop)
	ra.wg.Wait()
}

// Repository is the entry a walk that skips ignored files gives for a directory of the working
// tree holding a .git: a submodule or another repository, which such a walk does not enter, as
// git ls-files does not.
type Repository struct {
	fs.DirEntry
	// Submodule says the index tracks it (as a gitlink); git ls-files lists the directory then
	// as "dir", else, untracked, as "dir/".
	Submodule bool
}

// lowerHasGit reports whether the working tree's directory name holds a .git.
func (l *Layer) lowerHasGit(name string) bool {
	_, err := os.Lstat(filepath.Join(l.root, filepath.FromSlash(name), ".git"))
	return err == nil
}

// childName is the name of entry base of directory dir.
func childName(dir, base string) string {
	if dir == "." {
		return base
	}
	return dir + "/" + base
}

// WriteFile writes data to name in the proposal, creating parent directories. A zero perm keeps
// the mode of the file it replaces (0644 for a new file).
//
// Symbolic links among name's directories are followed as the shell would follow them, but
// only while they stay inside the repository and out of .git; a final link is replaced.
func (l *Layer) WriteFile(name string, data []byte, perm fs.FileMode) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	name, err := l.resolve(name, false)
	if err != nil {
		return err
	}
	if name == "." {
		return errors.New("write: no file name given")
	}
	if w, err := l.locate(name); err == nil {
		if w.info.IsDir() {
			return &fs.PathError{Op: "write", Path: name, Err: errors.New("is a directory")}
		}
		if perm == 0 {
			perm = w.info.Mode().Perm()
		}
	}
	if perm == 0 {
		perm = 0o644
	}
	if err := l.recordBase(name); err != nil {
		return err
	}
	if err := l.mkdirUpper(path.Dir(name)); err != nil {
		return err
	}
	dst := filepath.Join(l.upper, filepath.FromSlash(name))
	if err := writeAtomic(dst, data, perm); err != nil {
		return fmt.Errorf("write %s to the proposal: %w", name, err)
	}
	return l.saveBases()
}

// Remove deletes name from the merged view. Directories are not removed.
func (l *Layer) Remove(name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	name, err := l.resolve(name, false)
	if err != nil {
		return err
	}
	w, err := l.locate(name)
	if err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: unwrapPathErr(err)}
	}
	if w.info.IsDir() {
		return &fs.PathError{Op: "remove", Path: name, Err: errors.New("is a directory")}
	}
	if err := l.recordBase(name); err != nil {
		return err
	}
	up := filepath.Join(l.upper, filepath.FromSlash(name))
	if err := os.Remove(up); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s from the proposal: %w", name, err)
	}
	if l.bases[name].Exists {
		if err := l.mkdirUpper(path.Dir(name)); err != nil {
			return err
		}
		if err := makeWhiteout(up); err != nil {
			return fmt.Errorf("remove %s from the proposal: %w", name, err)
		}
	}
	return l.saveBases()
}

// mkdirUpper makes sure directory dir exists in the upper layer, copying each missing level's
// mode from the lower layer and replacing whiteouts.
func (l *Layer) mkdirUpper(dir string) error {
	if dir == "." {
		return nil
	}
	cur := ""
	for _, part := range strings.Split(dir, "/") {
		cur = path.Join(cur, part)
		up := filepath.Join(l.upper, filepath.FromSlash(cur))
		info, err := os.Lstat(up)
		switch {
		case err == nil && info.IsDir():
			continue
		case err == nil && isWhiteout(info):
			if err := os.Remove(up); err != nil {
				return err
			}
		case err == nil:
			return &fs.PathError{Op: "mkdir", Path: cur, Err: errors.New("a file of that name exists")}
		}
		mode := fs.FileMode(0o755)
		if li, err := l.lstatLower(cur); err == nil && li.IsDir() {
			mode = li.Mode().Perm()
		}
		if err := os.Mkdir(up, mode); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create directory %s in the proposal: %w", cur, err)
		}
	}
	return nil
}

// recordBase remembers the working tree's state of name the first time the proposal touches it.
func (l *Layer) recordBase(name string) error {
	if _, ok := l.bases[name]; ok {
		return nil
	}
	lower := filepath.Join(l.root, filepath.FromSlash(name))
	info, err := l.lstatLower(name)
	if err != nil || !tracked(info) {
		l.bases[name] = Base{}
		return nil
	}
	data, err := readLower(lower, info)
	if err != nil {
		return fmt.Errorf("remember %s before changing it: %w", name, err)
	}
	if err := writeAtomic(l.basePath(name), data, 0o600); err != nil {
		return fmt.Errorf("remember %s before changing it: %w", name, err)
	}
	l.bases[name] = Base{Exists: true, Mode: info.Mode()}
	return nil
}

func (l *Layer) basePath(name string) string {
	return filepath.Join(l.dir, "base", filepath.FromSlash(name))
}

func (l *Layer) saveBases() error {
	b, err := json.Marshal(l.bases)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(l.dir, "base.json"), b, 0o600)
}

// readLower reads a file's content, or a symbolic link's target. Anything else (a FIFO, a
// device, a socket) is refused without being opened for reading, so it cannot block.
func readLower(p string, info fs.FileInfo) ([]byte, error) {
	if info.Mode()&fs.ModeSymlink != 0 {
		t, err := os.Readlink(p)
		return []byte(t), err
	}
	return fsguard.ReadFile(filepath.Dir(p), filepath.Base(p))
}

// tracked reports whether git would track a file of this kind: a regular file or a link.
func tracked(info fs.FileInfo) bool {
	return info.Mode().IsRegular() || info.Mode()&fs.ModeSymlink != 0
}

// writeAtomic writes data to a temporary file beside p and renames it into place.
func writeAtomic(p string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".hew-tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), perm)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), p)
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}

// equalFile reports whether the lower file at p has exactly data and mode.
func equalFile(p string, data []byte, mode fs.FileMode) bool {
	info, err := os.Lstat(p)
	if err != nil || info.Mode() != mode {
		return false
	}
	cur, err := readLower(p, info)
	return err == nil && bytes.Equal(cur, data)
}
