package proposal

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// makeWhiteout marks name as deleted the way overlayfs does: a character device 0/0.
// Linux allows unprivileged processes to create exactly this device since 5.8.
func makeWhiteout(path string) error {
	if err := unix.Mknod(path, unix.S_IFCHR, 0); err != nil {
		return &os.PathError{Op: "mknod whiteout", Path: path, Err: err}
	}
	return nil
}

// isWhiteout reports whether info describes an overlayfs whiteout.
func isWhiteout(info fs.FileInfo) bool {
	if info.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == 0
}

const opaqueXattr = "user.overlay.opaque"

// isOpaque reports whether an upper directory hides the lower directory of the same name.
func isOpaque(path string) bool {
	var buf [4]byte
	n, err := unix.Getxattr(path, opaqueXattr, buf[:])
	if err != nil {
		n, err = unix.Getxattr(path, "trusted.overlay.opaque", buf[:])
	}
	return err == nil && n > 0 && buf[0] == 'y'
}

func clearOpaque(path string) error {
	err := unix.Removexattr(path, opaqueXattr)
	if err != nil && err != unix.ENODATA {
		return &os.PathError{Op: "removexattr", Path: path, Err: err}
	}
	return nil
}
