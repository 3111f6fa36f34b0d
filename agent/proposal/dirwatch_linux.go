package proposal

import (
	"errors"
	"path"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dirWatch tells which directories of a tree changed since it was last asked (inotify), so
// that the copy commands run in is brought up to date by reading those directories alone.
// A directory's watch must be added before the directory is read, so that no change between
// the two goes unseen.
type dirWatch struct {
	fd    int
	mu    sync.Mutex
	names map[int32]string // watch descriptor → directory name in the tree
	// broken is set when a watch could not be added (the user's inotify watch limit, say):
	// the next drain then says everything may have changed.
	broken bool
}

// watchMask is every change to a directory's entries, or to the directory itself.
const watchMask = unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_CLOSE_WRITE | unix.IN_CREATE | unix.IN_DELETE |
	unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF |
	unix.IN_DONT_FOLLOW | unix.IN_ONLYDIR

func newDirWatch() (*dirWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &dirWatch{fd: fd, names: map[int32]string{}}, nil
}

// add watches directory abs, known in the tree as name. A directory that is gone, or is not a
// directory (a link, IN_DONT_FOLLOW), needs no watch; any other failure breaks the watch.
func (w *dirWatch) add(abs, name string) {
	wd, err := unix.InotifyAddWatch(w.fd, abs, watchMask)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err == nil:
		w.names[int32(wd)] = name
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR), errors.Is(err, unix.ELOOP):
	default:
		w.broken = true
	}
}

// changes is what a dirWatch saw: directories whose entries must be read again, directories
// (new, moved in, or whose attributes changed) to be read again with everything below them,
// or, when the kernel's queue overflowed, everything.
type changes struct {
	dirty, whole map[string]bool
	all          bool
}

// drain returns the changes seen since the last drain.
func (w *dirWatch) drain() changes {
	c := changes{dirty: map[string]bool{}, whole: map[string]bool{}}
	var buf [64 << 10]byte
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.broken {
		c.all, w.broken = true, false
	}
	for {
		n, err := unix.Read(w.fd, buf[:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n <= 0 {
			if err != nil && !errors.Is(err, unix.EAGAIN) {
				c.all = true
			}
			return c
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
				c.all = true
				continue
			}
			dir, ok := w.names[ev.Wd]
			if !ok {
				continue
			}
			if ev.Mask&unix.IN_IGNORED != 0 {
				delete(w.names, ev.Wd)
				continue
			}
			child := ""
			if i := indexNUL(nameBytes); i > 0 {
				child = path.Join(dir, string(nameBytes[:i]))
			}
			switch {
			case child == "" && ev.Mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0:
				c.dirty[path.Dir(dir)] = true
			case child == "":
				// The directory itself: its mode or an overlay attribute may change what is
				// visible below it.
				c.whole[dir] = true
			default:
				c.dirty[dir] = true
				if ev.Mask&unix.IN_ISDIR != 0 && ev.Mask&(unix.IN_CREATE|unix.IN_MOVED_TO|unix.IN_ATTRIB) != 0 {
					c.whole[child] = true
				}
			}
		}
	}
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return len(b)
}

func (w *dirWatch) close() {
	if w != nil {
		unix.Close(w.fd)
	}
}
