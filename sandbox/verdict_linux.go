package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// bwrapVerdictKey names what decides whether bubblewrap at path can create its namespaces, and
// whether hew's helper stage can mount its overlays: the program itself, the user, the boot, the
// namespaces and security label hew runs in (a container has its own), the kernel's switches for
// unprivileged user namespaces, and the temp dir and its file system.
func bwrapVerdictKey(path string) string {
	h := sha256.New()
	if st, err := os.Stat(path); err == nil {
		fmt.Fprintf(h, "%s %d %d %v\n", path, st.Size(), st.ModTime().UnixNano(), st.Mode())
	}
	fmt.Fprintf(h, "uid %d euid %d\n", os.Getuid(), os.Geteuid())
	// The namespaces probe mounts its overlays in the temp dir, as commands' read-through caches
	// are.
	var st syscall.Statfs_t
	_ = syscall.Statfs(os.TempDir(), &st)
	fmt.Fprintf(h, "tmp %s %x\n", os.TempDir(), st.Type)
	for _, f := range []string{
		"/proc/sys/kernel/random/boot_id",
		"/proc/sys/kernel/unprivileged_userns_clone",
		"/proc/sys/user/max_user_namespaces",
		"/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
		"/proc/self/attr/current",
	} {
		b, _ := os.ReadFile(f)
		fmt.Fprintf(h, "%s=%s\n", f, b)
	}
	for _, ns := range []string{"user", "mnt", "pid", "net", "cgroup"} {
		if st, err := os.Stat("/proc/self/ns/" + ns); err == nil {
			if sys, ok := st.Sys().(*syscall.Stat_t); ok {
				fmt.Fprintf(h, "ns %s %d:%d\n", ns, sys.Dev, sys.Ino)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// nsVerdict is what the namespaces probe found, as a verdict file keeps it: each failure's
// message, "" for none.
type nsVerdict struct{ NS, Overlay, Cache string }

// verdictOf is the verdict of the namespaces probe p.
func verdictOf(p nsProbe) *nsVerdict {
	msg := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	return &nsVerdict{NS: msg(p.ns), Overlay: msg(p.overlay), Cache: msg(p.cache)}
}

// probe is the namespaces probe's result v kept.
func (v *nsVerdict) probe() nsProbe {
	e := func(msg string) error {
		if msg == "" {
			return nil
		}
		return errors.New(msg)
	}
	return nsProbe{ns: e(v.NS), overlay: e(v.Overlay), cache: e(v.Cache)}
}

// nsVerdictPrefix starts the verdict file's line for the namespaces probe.
const nsVerdictPrefix = "namespaces "

// readVerdict reports whether file holds key (bubblewrap was found working under it) and, if
// the namespaces probe ran under key too, what it found; ns is nil when it did not.
func readVerdict(file, key string) (holds bool, ns *nsVerdict) {
	if file == "" {
		return false, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return false, nil
	}
	first, rest, _ := strings.Cut(string(b), "\n")
	if first != key {
		return false, nil
	}
	if line, ok := strings.CutPrefix(strings.TrimSuffix(rest, "\n"), nsVerdictPrefix); ok {
		var v nsVerdict
		if json.Unmarshal([]byte(line), &v) == nil {
			return true, &v
		}
	}
	return true, nil
}

// rememberVerdict writes key to file, followed by ns when it is not nil, whole or not at all.
// Failing to is harmless: the next Sandbox checks again.
func rememberVerdict(file, key string, ns *nsVerdict) {
	if file == "" {
		return
	}
	text := key + "\n"
	if ns != nil {
		b, err := json.Marshal(ns)
		if err != nil {
			return
		}
		text += nsVerdictPrefix + string(b) + "\n"
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(file), ".bwrap-verdict-*")
	if err != nil {
		return
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil && cerr == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// forgetVerdict removes file, so the next Sandbox checks bubblewrap and the namespaces again.
func forgetVerdict(file string) {
	if file != "" {
		os.Remove(file)
	}
}
