//go:build unix

package fsguard

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// openDir opens directory dir (clean, slash-separated, relative to root) without following a
// symbolic link in any component, creating missing levels with perm when create is set.
func openDir(root, dir string, create bool, perm fs.FileMode) (int, error) {
	rootfd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	if dir == "." {
		return rootfd, nil
	}
	if fd, err := openBeneath(rootfd, dir); err == nil {
		unix.Close(rootfd)
		return fd, nil
	} else if !errors.Is(err, errNoOpenat2) && !(create && errors.Is(err, unix.ENOENT)) {
		unix.Close(rootfd)
		return -1, dirError(dir, err)
	}
	fd := rootfd
	for _, part := range strings.Split(dir, "/") {
		next, err := unix.Openat(fd, part, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) && create {
			if err = unix.Mkdirat(fd, part, uint32(perm.Perm())); err == nil || errors.Is(err, unix.EEXIST) {
				next, err = unix.Openat(fd, part, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			}
		}
		unix.Close(fd)
		if err != nil {
			return -1, dirError(dir, err)
		}
		fd = next
	}
	return fd, nil
}

func dirError(dir string, err error) error {
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.EXDEV) {
		return &fs.PathError{Op: "open", Path: dir, Err: fmt.Errorf("a component is a symbolic link or not a directory: %w", ErrUnsafe)}
	}
	return &fs.PathError{Op: "open", Path: dir, Err: err}
}

// ReadFile reads the regular file name (clean, relative to root, free of symbolic links).
// The file is opened O_NOFOLLOW|O_NONBLOCK|O_NOCTTY without following a link in any component
// and its type checked on the descriptor (fstat) before a byte is read, so a FIFO, device,
// socket or /proc file never blocks or leaks.
func ReadFile(root, name string) ([]byte, error) { return readFile(root, name, -1) }

// ReadFileAtMost is ReadFile reading no more than n bytes: a longer file is cut, and a huge (or
// sparse) one costs no more memory than n.
func ReadFileAtMost(root, name string, n int64) ([]byte, error) { return readFile(root, name, n) }

// readFile is ReadFile reading at most limit bytes when limit is not negative.
func readFile(root, name string, limit int64) ([]byte, error) {
	if _, err := Clean(name); err != nil {
		return nil, err
	}
	fd, err := openRead(root, name)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if uint32(st.Mode)&unix.S_IFMT != unix.S_IFREG {
		return nil, notRegular(name, fileMode(uint32(st.Mode)))
	}
	if pseudoFile(fd) {
		return nil, fmt.Errorf("%s is a kernel pseudo-file (/proc, /sys), which hew does not open (%w)", name, ErrNotRegular)
	}
	size := max(st.Size, 0) + 512
	var r io.Reader = f
	if limit >= 0 {
		size, r = min(size, limit), io.LimitReader(f, limit)
	}
	buf := bytes.NewBuffer(make([]byte, 0, int(size)))
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return buf.Bytes(), nil
}

// openRead opens name for reading without following a link in any component: in one openat2
// call where the kernel has it, else through its directory, refusing anything but a regular
// file (fstatat) before it is opened.
func openRead(root, name string) (int, error) {
	const flags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_NOCTTY | unix.O_CLOEXEC
	fd, err := openFileBeneath(root, name, flags)
	if err == nil {
		return fd, nil
	}
	if !errors.Is(err, errNoOpenat2) {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EXDEV) {
			return -1, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("a component is a symbolic link: %w", ErrUnsafe)}
		}
		if errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ENODEV) {
			return -1, fmt.Errorf("%s is a socket or device, which hew does not open (%w)", name, ErrNotRegular)
		}
		return -1, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	dir, base := split(name)
	dfd, err := openDir(root, dir, false, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(dfd)
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return -1, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if uint32(st.Mode)&unix.S_IFMT != unix.S_IFREG {
		return -1, notRegular(name, fileMode(uint32(st.Mode)))
	}
	fd, err = unix.Openat(dfd, base, flags, 0)
	if err != nil {
		return -1, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return fd, nil
}

// WriteFile writes data with permission perm to name (clean, relative to root, free of
// symbolic links among its directories), creating missing directories: into a fresh file
// beside it, renamed over it, so readers see the old content or the new, never half.
func WriteFile(root, name string, data []byte, perm fs.FileMode) error {
	return replace(root, name, func(dfd int, tmp string) error {
		fd, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return err
		}
		f := os.NewFile(uintptr(fd), tmp)
		_, werr := f.Write(data)
		if werr == nil {
			werr = f.Chmod(perm.Perm())
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return werr
	})
}

// Symlink makes name (as for WriteFile) a symbolic link to target, replacing what is there.
func Symlink(root, name, target string) error {
	return replace(root, name, func(dfd int, tmp string) error { return unix.Symlinkat(target, dfd, tmp) })
}

func replace(root, name string, create func(dfd int, tmp string) error) error {
	if _, err := Clean(name); err != nil {
		return err
	}
	dir, base := split(name)
	dfd, err := openDir(root, dir, true, 0o755)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	tmp := tempName()
	if err := create(dfd, tmp); err != nil {
		unix.Unlinkat(dfd, tmp, 0)
		return &fs.PathError{Op: "write", Path: name, Err: err}
	}
	if err := unix.Renameat(dfd, tmp, dfd, base); err != nil {
		unix.Unlinkat(dfd, tmp, 0)
		return &fs.PathError{Op: "write", Path: name, Err: err}
	}
	return nil
}

// WriteTemp writes data into a fresh file beside name (as for WriteFile: no symbolic link is
// followed on the way, missing directories are made with 0o777 less the umask) and returns the
// fresh file's name, for Rename to put in place. The file is created with perm less the umask,
// as git creates files; when exact is set it gets exactly perm.
func WriteTemp(root, name string, data []byte, perm fs.FileMode, exact bool) (string, error) {
	return makeTemp(root, name, func(dfd int, tmp string) error {
		fd, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err != nil {
			return err
		}
		f := os.NewFile(uintptr(fd), tmp)
		_, werr := f.Write(data)
		if werr == nil && exact {
			werr = f.Chmod(perm.Perm())
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return werr
	})
}

// SymlinkTemp is WriteTemp for a symbolic link to target.
func SymlinkTemp(root, name, target string) (string, error) {
	return makeTemp(root, name, func(dfd int, tmp string) error { return unix.Symlinkat(target, dfd, tmp) })
}

func makeTemp(root, name string, create func(dfd int, tmp string) error) (string, error) {
	if _, err := Clean(name); err != nil {
		return "", err
	}
	dir, _ := split(name)
	dfd, err := openDir(root, dir, true, 0o777)
	if err != nil {
		return "", err
	}
	defer unix.Close(dfd)
	tmp := tempName()
	if err := create(dfd, tmp); err != nil {
		unix.Unlinkat(dfd, tmp, 0)
		return "", &fs.PathError{Op: "write", Path: name, Err: err}
	}
	if dir == "." {
		return tmp, nil
	}
	return dir + "/" + tmp, nil
}

// Rename moves from to to (both as for WriteFile), replacing what is at to; a symbolic link at
// either end is moved or replaced, not followed.
func Rename(root, from, to string) error {
	for _, p := range []string{from, to} {
		if _, err := Clean(p); err != nil {
			return err
		}
	}
	fdir, fbase := split(from)
	tdir, tbase := split(to)
	ffd, err := openDir(root, fdir, false, 0)
	if err != nil {
		return err
	}
	defer unix.Close(ffd)
	tfd, err := openDir(root, tdir, false, 0)
	if err != nil {
		return err
	}
	defer unix.Close(tfd)
	if err := unix.Renameat(ffd, fbase, tfd, tbase); err != nil {
		return &fs.PathError{Op: "rename", Path: to, Err: err}
	}
	return nil
}

// Lstat describes name (as for WriteFile) without following a symbolic link in any component,
// the last one included.
func Lstat(root, name string) (fs.FileInfo, error) {
	if _, err := Clean(name); err != nil {
		return nil, err
	}
	dir, base := split(name)
	dfd, err := openDir(root, dir, false, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dfd)
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return statInfo{name: base, st: st}, nil
}

// Readlink returns the target of the symbolic link name (as for WriteFile).
func Readlink(root, name string) (string, error) {
	if _, err := Clean(name); err != nil {
		return "", err
	}
	dir, base := split(name)
	dfd, err := openDir(root, dir, false, 0)
	if err != nil {
		return "", err
	}
	defer unix.Close(dfd)
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dfd, base, buf)
		if err != nil {
			return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// statInfo is an fs.FileInfo over a stat result.
type statInfo struct {
	name string
	st   unix.Stat_t
}

func (s statInfo) Name() string       { return s.name }
func (s statInfo) Size() int64        { return s.st.Size }
func (s statInfo) Mode() fs.FileMode  { return fileMode(uint32(s.st.Mode)) }
func (s statInfo) ModTime() time.Time { return time.Unix(int64(s.st.Mtim.Sec), int64(s.st.Mtim.Nsec)) }
func (s statInfo) IsDir() bool        { return s.Mode().IsDir() }
func (s statInfo) Sys() any           { return &s.st }

func tempName() string {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	return ".hew-" + hex.EncodeToString(rnd[:]) + ".tmp"
}

// Remove removes the file or empty directory name (as for WriteFile); a final symbolic link is
// removed, not followed.
func Remove(root, name string) error {
	if _, err := Clean(name); err != nil {
		return err
	}
	dir, base := split(name)
	dfd, err := openDir(root, dir, false, 0)
	if err != nil {
		return err
	}
	defer unix.Close(dfd)
	err = unix.Unlinkat(dfd, base, 0)
	if errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EPERM) {
		err = unix.Unlinkat(dfd, base, unix.AT_REMOVEDIR)
	}
	if err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return nil
}

// MkdirAll creates directory name (clean, relative to root) and its missing parents without
// following a symbolic link in any component.
func MkdirAll(root, name string, perm fs.FileMode) error {
	if _, err := Clean(name); err != nil {
		return err
	}
	fd, err := openDir(root, name, true, perm)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

// fileMode converts a stat mode's type bits into an fs.FileMode.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	return mode
}
