package fsguard

import (
	"errors"

	"golang.org/x/sys/unix"
)

var errNoOpenat2 = errors.New("openat2 unavailable")

// useOpenat2 is false in tests that exercise the O_NOFOLLOW walk other systems use.
var useOpenat2 = true

// openBeneath opens directory dir below rootfd in one openat2 call that refuses to leave the
// root and to follow any symbolic link; errNoOpenat2 when the kernel (or a seccomp filter)
// does not offer openat2.
func openBeneath(rootfd int, dir string) (int, error) {
	if !useOpenat2 {
		return -1, errNoOpenat2
	}
	fd, err := unix.Openat2(rootfd, dir, &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	for errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
		fd, err = unix.Openat2(rootfd, dir, &unix.OpenHow{
			Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
		})
	}
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
		return -1, errNoOpenat2
	}
	return fd, err
}

// openFileBeneath opens name below root with flags in one openat2 call that refuses to leave
// root and to follow any symbolic link; errNoOpenat2 when openat2 is not offered.
func openFileBeneath(root, name string, flags int) (int, error) {
	if !useOpenat2 {
		return -1, errNoOpenat2
	}
	rootfd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(rootfd)
	return openFileBeneathFd(rootfd, name, flags)
}

// openFileBeneathFd is openFileBeneath below an open root.
func openFileBeneathFd(rootfd int, name string, flags int) (int, error) {
	if !useOpenat2 {
		return -1, errNoOpenat2
	}
	how := &unix.OpenHow{Flags: uint64(flags), Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS}
	fd, err := unix.Openat2(rootfd, name, how)
	for errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
		fd, err = unix.Openat2(rootfd, name, how)
	}
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
		return -1, errNoOpenat2
	}
	return fd, err
}

// pseudoFile reports whether fd lies on a kernel pseudo file system (/proc, /sys), whose
// "regular" files are windows onto processes and the kernel, not content of the tree.
func pseudoFile(fd int) bool {
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return false
	}
	switch st.Type {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.DEBUGFS_MAGIC, unix.SECURITYFS_MAGIC, unix.CGROUP2_SUPER_MAGIC:
		return true
	}
	return false
}
