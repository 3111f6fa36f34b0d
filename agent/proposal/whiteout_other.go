//go:build !linux

package proposal

import (
	"io/fs"
	"os"
)

// Outside Linux there is no overlayfs; a deletion is an empty file with no permission bits,
// which no checked-out file has.

func makeWhiteout(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

func isWhiteout(info fs.FileInfo) bool {
	return info.Mode().IsRegular() && info.Size() == 0 && info.Mode().Perm() == 0
}

func isOpaque(string) bool     { return false }
func clearOpaque(string) error { return nil }
