package proposal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"hew/gitops/fsguard"
)

// mirror is a copy of the merged view (ignored files included, .git excluded) kept in step
// between commands, for sandboxes that cannot mount the upper layer over the tree. It lives in
// the layer's state directory. Before each command only the directories that changed since the
// last one are read again (inotify watches on the working tree, the proposal and the copy say
// which; without inotify, or when its queue overflowed, everything is read) and only files whose
// identity changed (inode, size, modification and change time) are copied, cloned (FICLONE)
// where the file system shares blocks. After the command, only the files it changed are read and
// brought into the proposal.
//
// Between commands nothing but hew writes the copy: the sandbox kills every process a command
// left behind before Run returns. Still, everything written into the copy or read from it is
// opened beneath its root without following a symbolic link (openat2 RESOLVE_BENEATH and
// RESOLVE_NO_SYMLINKS), since the command that ran there may have left links behind.
type mirror struct {
	mu      sync.Mutex // held for a whole InCopy
	dir     string
	ents    entries     // what the copy holds: name → identities of source and copy
	built   bool        // ents describes dir; false: rebuild from nothing
	noClone atomic.Bool // FICLONE failed once: copy bytes from now on
	// src watches the merged view's directories (working tree and proposal), dst the copy's;
	// nil when inotify is unavailable, and everything is read each time.
	src, dst *dirWatch
	// pending are directories of the merged view to read again at the next refresh: where the
	// command changed the copy.
	pending map[string]bool
}

// fileID identifies a file's content and type as far as lstat can tell: a write changes the
// change time (which no process can set), a replacement the inode.
type fileID struct {
	ino          uint64
	size         int64
	mtime, ctime int64
	mode         uint32
}

func (id fileID) isDir() bool { return id.mode&unix.S_IFMT == unix.S_IFDIR }

type mirrorEntry struct{ src, dst fileID }

func idOf(st *unix.Stat_t) fileID {
	return fileID{ino: st.Ino, size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), mode: st.Mode}
}

var dirID = fileID{mode: unix.S_IFDIR}

// mirrorDir is where a layer's copy lives.
func (l *Layer) mirrorDir() string { return filepath.Join(l.dir, "copy") }

// InCopy runs fn with the path of a copy of the merged view (ignored files included, .git
// excluded), for sandboxes that cannot mount the upper layer over the tree. The copy is kept
// between calls and brought up to date incrementally. When keep is set, what fn's command
// changed in the copy (files written, created or deleted) is brought into the proposal
// afterwards; otherwise it is discarded. Calls are serialised.
func (l *Layer) InCopy(keep bool, fn func(dir string) error) error {
	m := l.copy
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := l.refresh(context.Background(), m); err != nil {
		return fmt.Errorf("bring the copy of the tree to run in up to date: %w", err)
	}
	ferr := fn(m.dir)
	if err := l.scanCopy(m, keep); err != nil {
		m.built = false
		return fmt.Errorf("bring the command's changes into the proposal: %w", err)
	}
	return ferr
}

// PrepareCopy brings the copy InCopy keeps up to date ahead of the first command, so that the
// command need not wait while a large tree is copied. When ctx ends first it stops, and the
// next InCopy makes the copy anew.
func (l *Layer) PrepareCopy(ctx context.Context) error {
	m := l.copy
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := l.refresh(ctx, m); err != nil {
		return fmt.Errorf("make the copy of the tree to run in: %w", err)
	}
	return nil
}

// DropCopy removes the copy InCopy keeps, freeing its disk space; the next InCopy makes it
// anew.
func (l *Layer) DropCopy() error {
	m := l.copy
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reset()
	return removeAllWritable(m.dir)
}

// reset forgets the copy: the next refresh rebuilds it.
func (m *mirror) reset() {
	m.src.close()
	m.dst.close()
	m.src, m.dst, m.ents, m.pending, m.built = nil, nil, nil, nil, false
}

// source is one entry of a tree: where it lives and what it is.
type source struct {
	name string
	path string // absolute path in the upper or lower layer, or in the copy
	st   unix.Stat_t
}

// walker reads a tree's directories in parallel, a goroutine for each while the semaphore
// allows, inline otherwise. read lists one directory; descend says whether a subdirectory is
// read too. Each directory is read once.
type walker struct {
	read    func(name string) ([]source, error)
	descend func(s source) bool
	sem     chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	out     []source
	listed  map[string]bool // directories whose every entry is in out
	err     error
}

func newWalker(read func(string) ([]source, error), descend func(source) bool) *walker {
	return &walker{read: read, descend: descend, sem: make(chan struct{}, 4*runtime.GOMAXPROCS(0)), listed: map[string]bool{}}
}

// walk reads the directories roots, and below them what descend allows.
func (w *walker) walk(roots []string) error {
	for _, r := range roots {
		w.dir(r)
	}
	w.wg.Wait()
	return w.err
}

func (w *walker) dir(name string) {
	w.mu.Lock()
	if w.listed[name] || w.err != nil {
		w.mu.Unlock()
		return
	}
	w.listed[name] = true
	w.mu.Unlock()
	ents, err := w.read(name)
	w.mu.Lock()
	w.out = append(w.out, ents...)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.st.Mode&unix.S_IFMT != unix.S_IFDIR || !w.descend(e) {
			continue
		}
		select {
		case w.sem <- struct{}{}:
			w.wg.Add(1)
			go func() {
				defer func() { <-w.sem; w.wg.Done() }()
				w.dir(e.name)
			}()
		default:
			w.dir(e.name)
		}
	}
}

// statDir lists directory name beneath the tree whose root descriptor is rootfd (abs is the
// root's path), lstat-ing each entry through the directory's descriptor; git's directories
// (.git, at any depth) are left out, as the merged view leaves them out. A name that is no longer a directory reached through directories has no entries.
func statDir(rootfd int, abs, name string) ([]source, error) {
	fd, err := openDirBeneath(rootfd, name)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EXDEV) {
		return nil, nil
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]source, 0, len(names))
	dirAbs := filepath.Join(abs, filepath.FromSlash(name))
	for _, n := range names {
		if fsguard.IsGitName(n) {
			continue
		}
		s := source{name: path.Join(name, n), path: dirAbs + "/" + n}
		if err := unix.Fstatat(fd, n, &s.st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return nil, &fs.PathError{Op: "lstat", Path: s.path, Err: err}
		}
		out = append(out, s)
	}
	return out, nil
}

// openDirBeneath opens directory name (slash-separated) beneath rootfd without following a
// symbolic link or leaving the root.
func openDirBeneath(rootfd int, name string) (int, error) {
	return unix.Openat2(rootfd, name, &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
}

// mergedDir lists one directory of the merged view, watching it first (both layers) when
// watch is set. Where the proposal has nothing in it, the working tree's directory is read
// directly.
func (l *Layer) mergedDir(rootfd int, watch *dirWatch, name string) ([]source, error) {
	up := filepath.Join(l.upper, filepath.FromSlash(name))
	_, uerr := os.Lstat(up)
	if watch != nil {
		if uerr == nil {
			watch.add(up, name)
		}
		watch.add(filepath.Join(l.root, filepath.FromSlash(name)), name)
	}
	if errors.Is(uerr, fs.ErrNotExist) && l.lowerVisible(name) {
		return statDir(rootfd, l.root, name)
	}
	if !l.mergedIsDir(name) {
		return nil, nil
	}
	ents, err := l.readDir(name)
	if err != nil {
		return nil, nil
	}
	out := make([]source, 0, len(ents))
	for _, e := range ents {
		child := path.Join(name, e.Name())
		w, err := l.locate(child)
		if err != nil {
			continue // gone since, or hidden
		}
		s := source{name: child, path: w.path}
		if err := unix.Lstat(w.path, &s.st); err != nil {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// mergedIsDir reports whether name is a directory of the merged view reached through
// directories only: a directory the user replaced with a link since it was watched is not read
// through the link. Callers hold l.mu.
func (l *Layer) mergedIsDir(name string) bool {
	if name == "." {
		return true
	}
	cur := ""
	for _, part := range strings.Split(name, "/") {
		cur = path.Join(cur, part)
		w, err := l.locate(cur)
		if err != nil || !w.info.IsDir() {
			return false
		}
	}
	return true
}

// listMerged lists the directories of the merged view that changed since the last refresh (all
// of them when m has no watch or it overflowed, or the copy is new), and the new directories
// below them.
func (l *Layer) listMerged(m *mirror, all bool) ([]source, map[string]bool, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	rootfd, err := unix.Open(l.root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &fs.PathError{Op: "open", Path: l.root, Err: err}
	}
	defer unix.Close(rootfd)
	read := func(name string) ([]source, error) { return l.mergedDir(rootfd, m.src, name) }
	everything := func(source) bool { return true }
	var c changes
	if !all {
		c = m.src.drain()
		all = c.all
	}
	if all {
		w := newWalker(read, everything)
		err := w.walk([]string{"."})
		return w.out, w.listed, err
	}
	// Directories to read with all below them first, then those whose entries changed and
	// whatever directories are new below them.
	w := newWalker(read, everything)
	if err := w.walk(slices.Sorted(maps.Keys(c.whole))); err != nil {
		return nil, nil, err
	}
	for d := range m.pending {
		c.dirty[d] = true
	}
	w.descend = func(s source) bool { e, ok := m.ents.get(s.name); return !ok || !e.src.isDir() }
	err = w.walk(slices.Sorted(maps.Keys(c.dirty)))
	return w.out, w.listed, err
}

// refresh brings m's copy in step with the merged view. When it fails, the next refresh makes
// the copy anew.
func (l *Layer) refresh(ctx context.Context, m *mirror) (err error) {
	defer func() {
		if err != nil {
			m.built = false
		}
	}()
	all := !m.built || m.src == nil
	fresh := !m.built // the copy is made anew, in an empty directory no command has run in
	if !m.built {
		m.reset()
		if err := removeAllWritable(m.dir); err != nil {
			return err
		}
		if err := os.Mkdir(m.dir, 0o700); err != nil {
			return err
		}
		m.ents, m.pending, m.built = entries{}, map[string]bool{}, true
		if w, err := newDirWatch(); err == nil {
			m.src = w
			if m.dst, err = newDirWatch(); err != nil {
				m.src.close()
				m.src = nil
			}
		}
	}
	srcs, listed, err := l.listMerged(m, all)
	if err != nil {
		return err
	}
	m.pending = map[string]bool{}
	// Parents before children: a directory is made (or what stands in its way removed) before
	// anything is written into it.
	slices.SortFunc(srcs, func(a, b source) int { return strings.Compare(a.name, b.name) })
	root, err := unix.Open(m.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: m.dir, Err: err}
	}
	defer unix.Close(root)
	if m.dst != nil && all {
		m.dst.add(m.dir, ".")
	}
	want := make(map[string]bool, len(srcs))
	var copies []source
	for _, s := range srcs {
		want[s.name] = true
		id := idOf(&s.st)
		e, have := m.ents.get(s.name)
		if have && e.src == id {
			continue
		}
		switch s.st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			if have && e.src.isDir() {
				// Only its times changed (an entry came or went): nothing to copy.
				m.ents.set(s.name, mirrorEntry{src: id, dst: e.dst})
				continue
			}
			if err := m.removeEntry(s.name); err != nil {
				return err
			}
			if err := mkdirBeneath(root, s.name, s.st.Mode&0o777|0o700); err != nil {
				return err
			}
			if m.dst != nil {
				m.dst.add(filepath.Join(m.dir, filepath.FromSlash(s.name)), s.name)
			}
			m.ents.set(s.name, mirrorEntry{src: id, dst: dirID})
		case unix.S_IFLNK:
			if err := m.symlink(root, s); err != nil {
				return err
			}
		case unix.S_IFREG:
			copies = append(copies, s)
		}
		// Sockets, devices, FIFOs: not copied.
	}
	if err := m.copyFiles(ctx, root, copies, fresh); err != nil {
		return err
	}
	// What the merged view no longer has, deepest first.
	var gone []string
	for dir := range listed {
		for base := range m.ents[dir] {
			if name := path.Join(dir, base); !want[name] {
				gone = append(gone, name)
			}
		}
	}
	slices.SortFunc(gone, func(a, b string) int { return strings.Compare(b, a) })
	for _, name := range gone {
		if _, ok := m.ents.get(name); ok {
			if err := m.removeEntry(name); err != nil {
				return err
			}
		}
	}
	if m.dst != nil {
		m.dst.drain() // what refresh itself did
	}
	return nil
}

// symlink makes s, a symbolic link, in the copy.
func (m *mirror) symlink(root int, s source) error {
	target, err := os.Readlink(s.path)
	if err != nil {
		return err
	}
	if err := m.removeEntry(s.name); err != nil {
		return err
	}
	dfd, base, err := openParentBeneath(root, s.name)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	var st unix.Stat_t
	err = unix.Symlinkat(target, dfd, base)
	if err == nil {
		err = unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	}
	if err != nil {
		return &fs.PathError{Op: "symlink", Path: s.name, Err: err}
	}
	m.ents.set(s.name, mirrorEntry{src: idOf(&s.st), dst: idOf(&st)})
	return nil
}

// removeEntry removes name, and everything below it, from the copy and from m.ents.
func (m *mirror) removeEntry(name string) error {
	if err := removeAllWritable(filepath.Join(m.dir, filepath.FromSlash(name))); err != nil {
		return err
	}
	m.ents.del(name)
	return nil
}

// errGone says a source file went between listing and copying.
var errGone = errors.New("gone")

// copyFiles copies the regular files srcs into the copy, a directory at a time: each of a few
// goroutines takes a whole directory and opens it once. fresh says the copy is being made anew
// in an empty directory, where no file can be in the way.
func (m *mirror) copyFiles(ctx context.Context, root int, srcs []source, fresh bool) error {
	byDir := map[string][]source{}
	var dirs []string
	for _, s := range srcs {
		dir, _ := path.Split(s.name)
		if byDir[dir] == nil {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], s)
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		ferr error
		next = make(chan []source)
	)
	fail := func(err error) {
		mu.Lock()
		if ferr == nil {
			ferr = err
		}
		mu.Unlock()
	}
	for range min(len(dirs), 2*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for files := range next {
				dfd, _, err := openParentBeneath(root, files[0].name)
				if err != nil {
					fail(err)
					continue
				}
				for _, s := range files {
					dst, err := m.copyFile(dfd, path.Base(s.name), s, fresh)
					mu.Lock()
					switch {
					case err == nil:
						m.ents.set(s.name, mirrorEntry{src: idOf(&s.st), dst: dst})
					case errors.Is(err, errGone):
						m.ents.del(s.name)
					case ferr == nil:
						ferr = err
					}
					mu.Unlock()
				}
				unix.Close(dfd)
			}
		}()
	}
	for _, dir := range dirs {
		if ctx.Err() != nil {
			fail(ctx.Err())
			break
		}
		next <- byDir[dir]
	}
	close(next)
	wg.Wait()
	return ferr
}

// copyFile copies regular file s into the copy, as base in the directory dfd: into a fresh file
// beside its place, renamed over whatever is there (a directory there is removed first), cloned
// where the file system allows. When the copy is being made anew (fresh), nothing can be in
// the way, and the file is made in its place at once. It returns the new file's identity.
func (m *mirror) copyFile(dfd int, base string, s source, fresh bool) (fileID, error) {
	in, err := os.OpenFile(s.path, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// Gone since it was listed: so it goes from the copy, and the next refresh knows.
			unix.Unlinkat(dfd, base, 0)
			return fileID{}, errGone
		}
		return fileID{}, err
	}
	defer in.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(in.Fd()), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fileID{}, fmt.Errorf("copy %s: not a regular file any more", s.name)
	}
	const create = unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL | unix.O_NOFOLLOW | unix.O_CLOEXEC
	name := base
	fd, err := -1, unix.EEXIST
	if fresh {
		fd, err = unix.Openat(dfd, name, create, s.st.Mode&0o777|0o600)
	}
	if errors.Is(err, unix.EEXIST) {
		var dst unix.Stat_t
		if err := unix.Fstatat(dfd, base, &dst, unix.AT_SYMLINK_NOFOLLOW); err == nil && dst.Mode&unix.S_IFMT == unix.S_IFDIR {
			if err := removeAllWritable(filepath.Join(m.dir, filepath.FromSlash(s.name))); err != nil {
				return fileID{}, err
			}
		}
		name = fmt.Sprintf(".hew-copy-%x-%x", s.st.Dev, s.st.Ino)
		unix.Unlinkat(dfd, name, 0)
		fd, err = unix.Openat(dfd, name, create, s.st.Mode&0o777|0o600)
	}
	if err != nil {
		return fileID{}, &fs.PathError{Op: "create", Path: s.name, Err: err}
	}
	out := os.NewFile(uintptr(fd), name)
	err = m.cloneOrCopy(out, in)
	if err == nil {
		err = out.Chmod(fs.FileMode(s.st.Mode & 0o777))
	}
	var dst unix.Stat_t
	if err == nil && name == base {
		err = unix.Fstat(fd, &dst)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && name != base {
		err = unix.Renameat(dfd, name, dfd, base)
		if err == nil { // after the rename, which changes the change time
			err = unix.Fstatat(dfd, base, &dst, unix.AT_SYMLINK_NOFOLLOW)
		}
	}
	if err != nil {
		unix.Unlinkat(dfd, name, 0)
		return fileID{}, &fs.PathError{Op: "copy", Path: s.name, Err: err}
	}
	return idOf(&dst), nil
}

// cloneOrCopy makes out's content in's: a clone sharing blocks where the file system can, else
// a copy (copy_file_range, in the kernel).
func (m *mirror) cloneOrCopy(out, in *os.File) error {
	if !m.noClone.Load() {
		err := unix.IoctlFileClone(int(out.Fd()), int(in.Fd()))
		if err == nil {
			return nil
		}
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTTY) {
			m.noClone.Store(true)
		}
	}
	_, err := io.Copy(out, in)
	return err
}

// openParentBeneath opens the directory holding name (slash-separated, relative to the copy's
// root descriptor) without following a symbolic link or leaving the root, and returns it with
// name's last element.
func openParentBeneath(root int, name string) (int, string, error) {
	dir, base := path.Split(name)
	if dir == "" {
		fd, err := unix.Dup(root)
		return fd, base, err
	}
	fd, err := unix.Openat2(root, strings.TrimSuffix(dir, "/"), &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return -1, "", &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return fd, base, nil
}

// mkdirBeneath makes directory name beneath root.
func mkdirBeneath(root int, name string, perm uint32) error {
	dfd, base, err := openParentBeneath(root, name)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	if err := unix.Mkdirat(dfd, base, perm); err != nil && !errors.Is(err, unix.EEXIST) {
		return &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	return nil
}

// scanCopy finds what the command changed in the copy: files whose identity changed, new
// files, and entries gone, reading only the directories the watch says changed (all of them
// without a watch). When keep, regular files written or made are brought into the proposal
// (when they differ from the merged view) and files gone are removed from it. Either way the
// changed entries are forgotten and their directories read again at the next refresh, which
// puts the merged view's content back.
func (l *Layer) scanCopy(m *mirror, keep bool) error {
	root, err := unix.Open(m.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: m.dir, Err: err}
	}
	defer unix.Close(root)
	read := func(name string) ([]source, error) {
		if m.dst != nil {
			// Watched before it is read, for the next command. Where the command left a link,
			// the watch is refused (IN_DONT_FOLLOW) and statDir reads nothing through it.
			m.dst.add(filepath.Join(m.dir, filepath.FromSlash(name)), name)
		}
		return statDir(root, m.dir, name)
	}
	everything := func(source) bool { return true }
	w := newWalker(read, everything)
	if m.dst == nil {
		err = w.walk([]string{"."})
	} else if c := m.dst.drain(); c.all {
		err = w.walk([]string{"."})
	} else if err = w.walk(slices.Sorted(maps.Keys(c.whole))); err == nil {
		w.descend = func(s source) bool { e, ok := m.ents.get(s.name); return !ok || !e.dst.isDir() }
		err = w.walk(slices.Sorted(maps.Keys(c.dirty)))
	}
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(w.out))
	var changed []string
	for _, s := range w.out {
		seen[s.name] = true
		e, ok := m.ents.get(s.name)
		id := idOf(&s.st)
		if ok && (e.dst == id || e.dst.isDir() && id.isDir()) {
			continue
		}
		m.pending[path.Dir(s.name)] = true
		switch {
		case id.isDir():
			// Made by the command: kept as a directory until the next refresh decides.
			m.ents.set(s.name, mirrorEntry{src: dirID, dst: dirID})
		case id.mode&unix.S_IFMT == unix.S_IFREG:
			m.ents.del(s.name)
			changed = append(changed, s.name)
		default:
			// A link or other file the command made, not brought into the proposal: the next
			// refresh removes it unless the merged view has one there.
			m.ents.set(s.name, mirrorEntry{dst: id})
		}
	}
	var goneFiles []string
	for dir := range w.listed {
		for base := range m.ents[dir] {
			name := path.Join(dir, base)
			if seen[name] {
				continue
			}
			m.pending[dir] = true
			m.ents.walk(name, func(name string, e mirrorEntry) {
				if !e.src.isDir() && e.src != (fileID{}) {
					goneFiles = append(goneFiles, name)
				}
			})
			m.ents.del(name)
		}
	}
	if !keep {
		return nil
	}
	slices.Sort(changed)
	for _, name := range changed {
		if err := l.importFile(m.dir, name); err != nil {
			return err
		}
	}
	for _, name := range goneFiles {
		if st, err := l.Stat(name); err != nil || st.IsDir() {
			continue
		}
		if err := l.Remove(name); err != nil {
			return fmt.Errorf("bring the command's deletion of %s into the proposal: %w", name, err)
		}
	}
	return nil
}

// entries is what the copy holds, by directory: directory name → entry name → identities.
type entries map[string]map[string]mirrorEntry

func (es entries) get(name string) (mirrorEntry, bool) {
	dir, base := path.Split(name)
	e, ok := es[cleanDir(dir)][base]
	return e, ok
}

func (es entries) set(name string, e mirrorEntry) {
	dir, base := path.Split(name)
	dir = cleanDir(dir)
	kids := es[dir]
	if kids == nil {
		kids = map[string]mirrorEntry{}
		es[dir] = kids
	}
	kids[base] = e
}

// del forgets name and everything below it.
func (es entries) del(name string) {
	dir, base := path.Split(name)
	dir = cleanDir(dir)
	if kids := es[dir]; kids != nil {
		delete(kids, base)
		if len(kids) == 0 {
			delete(es, dir)
		}
	}
	for base := range es[name] {
		es.del(path.Join(name, base))
	}
	delete(es, name)
}

// walk calls fn for name, if known, and everything known below it.
func (es entries) walk(name string, fn func(string, mirrorEntry)) {
	if e, ok := es.get(name); ok {
		fn(name, e)
	}
	for base := range es[name] {
		es.walk(path.Join(name, base), fn)
	}
}

func cleanDir(dir string) string {
	if dir == "" {
		return "."
	}
	return strings.TrimSuffix(dir, "/")
}
