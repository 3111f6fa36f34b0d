package proposal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
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
// the layer's state directory and is brought up to date before each command by copying only
// what changed since the last one (by inode, size, modification and change time), cloning
// files (FICLONE) where the file system shares blocks; after the command, only the files whose
// identity changed are read and brought into the proposal.
//
// Between commands nothing but hew writes the copy: the sandbox kills every process a command
// left behind before Run returns. Still, everything written into the copy is written beneath
// its root without following a symbolic link (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS),
// since the command that ran there may have left links behind.
type mirror struct {
	mu      sync.Mutex // held for a whole InCopy
	dir     string
	ents    map[string]mirrorEntry // what the copy holds: name → identities of source and copy
	built   bool                   // ents describes dir; false: rebuild from nothing
	noClone atomic.Bool            // FICLONE failed once: copy bytes from now on
}

// fileID identifies a file's content and type as far as lstat can tell: a write changes the
// change time (which no process can set), a replacement the inode.
type fileID struct {
	ino          uint64
	size         int64
	mtime, ctime int64
	mode         uint32
}

type mirrorEntry struct{ src, dst fileID }

func idOf(st *unix.Stat_t) fileID {
	return fileID{ino: st.Ino, size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), mode: st.Mode}
}

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
	if err := l.refresh(m); err != nil {
		m.built = false
		return fmt.Errorf("bring the copy of the tree to run in up to date: %w", err)
	}
	ferr := fn(m.dir)
	if err := l.scanCopy(m, keep); err != nil {
		m.built = false
		return fmt.Errorf("bring the command's changes into the proposal: %w", err)
	}
	return ferr
}

// DropCopy removes the copy InCopy keeps, freeing its disk space; the next InCopy makes it
// anew.
func (l *Layer) DropCopy() error {
	m := l.copy
	m.mu.Lock()
	defer m.mu.Unlock()
	m.built, m.ents = false, nil
	return removeAllWritable(m.dir)
}

// source is one entry of the merged view: where its content lives and what it is.
type source struct {
	name string
	path string // absolute path in the upper or lower layer
	st   unix.Stat_t
}

// listMerged lists the merged view (ignored files included, .git excluded), walking
// directories in parallel. Where the proposal has nothing in a directory, the working tree's
// directory is read directly.
func (l *Layer) listMerged() ([]source, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	w := &walker{sem: make(chan struct{}, 4*runtime.GOMAXPROCS(0))}
	w.dir(func(name string) ([]source, []string, error) { return l.mergedDir(name) }, ".")
	w.wg.Wait()
	return w.out, w.err
}

// mergedDir reads one directory of the merged view: its entries, and the names of its
// subdirectories.
func (l *Layer) mergedDir(name string) ([]source, []string, error) {
	if _, err := os.Lstat(filepath.Join(l.upper, filepath.FromSlash(name))); errors.Is(err, fs.ErrNotExist) && l.lowerVisible(name) {
		return statDir(filepath.Join(l.root, filepath.FromSlash(name)), name, name == ".")
	}
	ents, err := l.readDir(name)
	if err != nil {
		return nil, nil, err
	}
	var out []source
	var dirs []string
	for _, e := range ents {
		child := path.Join(name, e.Name())
		w, err := l.locate(child)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, nil, err
		}
		s := source{name: child, path: w.path}
		if err := unix.Lstat(w.path, &s.st); err != nil {
			continue // gone since
		}
		out = append(out, s)
		if s.st.Mode&unix.S_IFMT == unix.S_IFDIR {
			dirs = append(dirs, child)
		}
	}
	return out, dirs, nil
}

// statDir reads directory abs (name in the tree) and lstats each entry through the directory's
// descriptor; at the top, .git is left out.
func statDir(abs, name string, top bool) ([]source, []string, error) {
	fd, err := unix.Open(abs, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &fs.PathError{Op: "open", Path: abs, Err: err}
	}
	f := os.NewFile(uintptr(fd), abs)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, nil, err
	}
	out := make([]source, 0, len(names))
	var dirs []string
	for _, n := range names {
		if top && fsguard.IsGitName(n) {
			continue
		}
		s := source{name: path.Join(name, n), path: abs + "/" + n}
		if err := unix.Fstatat(fd, n, &s.st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return nil, nil, &fs.PathError{Op: "lstat", Path: s.path, Err: err}
		}
		out = append(out, s)
		if s.st.Mode&unix.S_IFMT == unix.S_IFDIR {
			dirs = append(dirs, s.name)
		}
	}
	return out, dirs, nil
}

// walker reads a tree's directories in parallel, a goroutine for each while the semaphore
// allows, inline otherwise.
type walker struct {
	sem chan struct{}
	wg  sync.WaitGroup
	mu  sync.Mutex
	out []source
	err error
}

func (w *walker) dir(read func(string) ([]source, []string, error), name string) {
	ents, dirs, err := read(name)
	w.mu.Lock()
	w.out = append(w.out, ents...)
	if err != nil && w.err == nil {
		w.err = err
	}
	stop := w.err != nil
	w.mu.Unlock()
	if stop {
		return
	}
	for _, d := range dirs {
		select {
		case w.sem <- struct{}{}:
			w.wg.Add(1)
			go func() {
				defer func() { <-w.sem; w.wg.Done() }()
				w.dir(read, d)
			}()
		default:
			w.dir(read, d)
		}
	}
}

// refresh brings m's copy in step with the merged view.
func (l *Layer) refresh(m *mirror) error {
	if !m.built {
		if err := removeAllWritable(m.dir); err != nil {
			return err
		}
		if err := os.Mkdir(m.dir, 0o700); err != nil {
			return err
		}
		m.ents, m.built = map[string]mirrorEntry{}, true
	}
	srcs, err := l.listMerged()
	if err != nil {
		return err
	}
	// Parents before children: a directory is made (or what stands in its way removed) before
	// anything is written into it.
	slices.SortFunc(srcs, func(a, b source) int { return strings.Compare(a.name, b.name) })
	root, err := unix.Open(m.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: m.dir, Err: err}
	}
	defer unix.Close(root)
	want := make(map[string]bool, len(srcs))
	var copies []source
	for _, s := range srcs {
		want[s.name] = true
		id := idOf(&s.st)
		e, have := m.ents[s.name]
		if have && e.src == id {
			continue
		}
		switch s.st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			if have && e.src.mode&unix.S_IFMT == unix.S_IFDIR {
				// Only its times changed (an entry came or went): nothing to copy.
				m.ents[s.name] = mirrorEntry{src: id, dst: e.dst}
				continue
			}
			if err := m.removeEntry(s.name); err != nil {
				return err
			}
			if err := mkdirBeneath(root, s.name, s.st.Mode&0o777|0o700); err != nil {
				return err
			}
			m.ents[s.name] = mirrorEntry{src: id, dst: fileID{mode: unix.S_IFDIR}}
		case unix.S_IFLNK:
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
			err = unix.Symlinkat(target, dfd, base)
			var st unix.Stat_t
			if err == nil {
				err = unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
			}
			unix.Close(dfd)
			if err != nil {
				return &fs.PathError{Op: "symlink", Path: s.name, Err: err}
			}
			m.ents[s.name] = mirrorEntry{src: id, dst: idOf(&st)}
		case unix.S_IFREG:
			copies = append(copies, s)
		}
		// Sockets, devices, FIFOs: not copied.
	}
	println("copies", len(copies), "srcs", len(srcs))
	if err := m.copyFiles(root, copies); err != nil {
		return err
	}
	// What the merged view no longer has, deepest first.
	var gone []string
	for name := range m.ents {
		if !want[name] {
			gone = append(gone, name)
		}
	}
	slices.SortFunc(gone, func(a, b string) int { return strings.Compare(b, a) })
	for _, name := range gone {
		if _, ok := m.ents[name]; ok {
			if err := m.removeEntry(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeEntry removes name and everything below it from the copy, and from m.ents.
func (m *mirror) removeEntry(name string) error {
	if err := removeAllWritable(filepath.Join(m.dir, filepath.FromSlash(name))); err != nil {
		return err
	}
	delete(m.ents, name)
	prefix := name + "/"
	for n := range m.ents {
		if strings.HasPrefix(n, prefix) {
			delete(m.ents, n)
		}
	}
	return nil
}

// errGone says a source file went between listing and copying.
var errGone = errors.New("gone")

// copyFiles copies the regular files srcs into the copy, several at a time.
func (m *mirror) copyFiles(root int, srcs []source) error {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		ferr error
		next = make(chan source)
	)
	for range min(len(srcs), 2*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				dst, err := m.copyFile(root, s)
				mu.Lock()
				switch {
				case err == nil:
					m.ents[s.name] = mirrorEntry{src: idOf(&s.st), dst: dst}
				case errors.Is(err, errGone):
					delete(m.ents, s.name)
				case ferr == nil:
					ferr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, s := range srcs {
		next <- s
	}
	close(next)
	wg.Wait()
	return ferr
}

// copyFile copies regular file s into the copy: into a fresh file beside its place, renamed
// over whatever is there (a directory there is removed first), cloned where the file system
// allows. It returns the new file's identity.
func (m *mirror) copyFile(root int, s source) (fileID, error) {
	dfd, base, err := openParentBeneath(root, s.name)
	if err != nil {
		return fileID{}, err
	}
	defer unix.Close(dfd)
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
	var dst unix.Stat_t
	if err := unix.Fstatat(dfd, base, &dst, unix.AT_SYMLINK_NOFOLLOW); err == nil && dst.Mode&unix.S_IFMT == unix.S_IFDIR {
		if err := removeAllWritable(filepath.Join(m.dir, filepath.FromSlash(s.name))); err != nil {
			return fileID{}, err
		}
	}
	tmp := fmt.Sprintf(".hew-copy-%x-%x", s.st.Dev, s.st.Ino)
	unix.Unlinkat(dfd, tmp, 0)
	fd, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, s.st.Mode&0o777|0o600)
	if err != nil {
		return fileID{}, &fs.PathError{Op: "create", Path: s.name, Err: err}
	}
	out := os.NewFile(uintptr(fd), tmp)
	err = m.cloneOrCopy(out, in)
	if err == nil {
		err = out.Chmod(fs.FileMode(s.st.Mode & 0o777))
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = unix.Renameat(dfd, tmp, dfd, base)
	}
	if err == nil { // after the rename, which changes the change time
		err = unix.Fstatat(dfd, base, &dst, unix.AT_SYMLINK_NOFOLLOW)
	}
	if err != nil {
		unix.Unlinkat(dfd, tmp, 0)
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
// files, and entries gone. When keep, regular files written or made are brought into the
// proposal (when they differ from the merged view) and files gone are removed from it. Either
// way the changed entries are forgotten, so the next refresh puts the merged view's back.
func (l *Layer) scanCopy(m *mirror, keep bool) error {
	w := &walker{sem: make(chan struct{}, 4*runtime.GOMAXPROCS(0))}
	w.dir(func(name string) ([]source, []string, error) {
		return statDir(filepath.Join(m.dir, filepath.FromSlash(name)), name, name == ".")
	}, ".")
	w.wg.Wait()
	if w.err != nil {
		return w.err
	}
	seen := make(map[string]bool, len(w.out))
	var changed []string
	for _, s := range w.out {
		seen[s.name] = true
		e, ok := m.ents[s.name]
		id := idOf(&s.st)
		switch {
		case ok && e.dst == id:
		case ok && id.mode&unix.S_IFMT == unix.S_IFDIR && e.dst.mode&unix.S_IFMT == unix.S_IFDIR:
		default:
			delete(m.ents, s.name)
			if id.mode&unix.S_IFMT == unix.S_IFREG {
				changed = append(changed, s.name)
			}
		}
	}
	var gone []string
	for name, e := range m.ents {
		if !seen[name] {
			delete(m.ents, name)
			if e.src.mode&unix.S_IFMT != unix.S_IFDIR {
				gone = append(gone, name)
			}
		}
	}
	println("changed", len(changed), "gone", len(gone), "scanned", len(w.out))
	if !keep {
		return nil
	}
	slices.Sort(changed)
	for _, name := range changed {
		if err := l.importFile(m.dir, name); err != nil {
			return err
		}
	}
	for _, name := range gone {
		if st, err := l.Stat(name); err != nil || st.IsDir() {
			continue
		}
		if err := l.Remove(name); err != nil {
			return fmt.Errorf("bring the command's deletion of %s into the proposal: %w", name, err)
		}
	}
	return nil
}
