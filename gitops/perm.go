package gitops

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// fixObjectPerm gives the loose object h the permissions git gives loose objects: read-only,
// 0444 less the umask, widened as core.sharedRepository says (go-git writes them 0600, which
// other users of a shared repository, or the owner after hew ran as root, cannot read).
// Packed objects and failures are left alone: the object is written either way.
func (r *Repo) fixObjectPerm(h interface{ String() string }) {
	hex := h.String()
	p := filepath.Join(r.commonDir, "objects", hex[:2], hex[2:])
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	if want := r.objectPerm(); fi.Mode().Perm() != want {
		_ = os.Chmod(p, want)
	}
}

// objectPerm is the mode git creates loose objects with in this repository.
func (r *Repo) objectPerm() fs.FileMode {
	r.permOnce.Do(func() {
		mode := fs.FileMode(0o444) &^ processUmask()
		r.objPerm = sharedPerm(mode, strings.ToLower(r.readConfig().Get("core", "", "sharedRepository")))
	})
	return r.objPerm
}

// sharedPerm adjusts a read-only file mode for core.sharedRepository as git does.
func sharedPerm(mode fs.FileMode, shared string) fs.FileMode {
	switch shared {
	case "", "umask", "false", "no", "off", "0":
		return mode
	case "group", "true", "yes", "on", "1":
		return mode | 0o440
	case "all", "world", "everybody", "2":
		return mode | 0o444
	}
	if n, err := strconv.ParseUint(shared, 8, 32); err == nil {
		return fs.FileMode(n) & 0o777 &^ 0o222
	}
	return mode
}

// processUmask reads the process's umask without changing it (Linux reports it in
// /proc/self/status); 022 when it cannot be read.
var processUmask = sync.OnceValue(func() fs.FileMode {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range bytes.Split(b, []byte("\n")) {
			if v, ok := bytes.CutPrefix(line, []byte("Umask:")); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(string(v)), 8, 32); err == nil {
					return fs.FileMode(n)
				}
			}
		}
	}
	return 0o022
})
