//go:build unix

package fsguard

import (
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/unix"
)

// Root is a directory tree held open, for reading many files below it, as a search does,
// without opening the root again for each.
type Root struct {
	path string
	fd   int
	// dev is the root's device when its file system is an ordinary one: a file on the same
	// device needs no check of its own for /proc or /sys (one system call less per file).
	dev    uint64
	devSet bool
}

// OpenRoot opens the tree at root.
func OpenRoot(root string) (*Root, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	r := &Root{path: root, fd: fd}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil && !pseudoFile(fd) {
		r.dev, r.devSet = uint64(st.Dev), true
	}
	return r, nil
}

// Close releases the root.
func (r *Root) Close() error { return unix.Close(r.fd) }

// ReadSmallFile reads name (clean, relative to the root) as ReadFile does — no symbolic link
// followed in any component, nothing but a regular file outside /proc and /sys read — when it
// holds at most max bytes; ok is false, and nothing is read, when it is not a regular file or
// is larger.
func (r *Root) ReadSmallFile(name string, max int64) (data []byte, ok bool, err error) {
	return r.ReadSmallFileInto(name, max, nil)
}

// ReadSmallFileInto is ReadSmallFile reading into buf when the file fits in its capacity: data
// then shares buf's memory. A caller reading many files (a search) passes the last data back as
// buf, and allocates only when a file is larger than any before.
func (r *Root) ReadSmallFileInto(name string, max int64, buf []byte) (data []byte, ok bool, err error) {
	if _, err := Clean(name); err != nil {
		return nil, false, err
	}
	const flags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_NOCTTY | unix.O_CLOEXEC
	fd, err := openFileBeneathFd(r.fd, name, flags)
	if errors.Is(err, errNoOpenat2) {
		fd, err = openRead(r.path, name)
		if errors.Is(err, ErrNotRegular) {
			return nil, false, nil
		}
	}
	if errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ELOOP) {
		return nil, false, nil // a socket, a device, a link
	}
	if err != nil {
		return nil, false, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, false, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size > max || !(r.devSet && uint64(st.Dev) == r.dev) && pseudoFile(fd) {
		return nil, false, nil
	}
	// One read more than the size: it finds the end, or a file that grew past max.
	if int64(cap(buf)) >= st.Size+1 {
		buf = buf[:st.Size+1]
	} else {
		buf = make([]byte, st.Size+1)
	}
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil {
			return nil, false, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if m == 0 {
			return buf[:n], true, nil
		}
		short := m < len(buf)-n
		n += m
		if short && int64(n) >= st.Size {
			// All fstat promised, and a read that stopped short of the buffer: the end of a
			// regular file, without the read that returns nothing.
			return buf[:n], true, nil
		}
		if n == len(buf) && int64(n) <= max {
			buf = append(buf, make([]byte, 4096)...)
		}
	}
	return nil, false, fmt.Errorf("read %s: it grew past %d bytes while being read", name, max)
}
