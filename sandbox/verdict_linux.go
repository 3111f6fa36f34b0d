package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// bwrapVerdictKey names what decides whether bubblewrap at path can create its namespaces: the
// program itself, the user, the boot, the namespaces and security label hew runs in (a container
// has its own), and the kernel's switches for unprivileged user namespaces.
func bwrapVerdictKey(path string) string {
	h := sha256.New()
	if st, err := os.Stat(path); err == nil {
		fmt.Fprintf(h, "%s %d %d %v\n", path, st.Size(), st.ModTime().UnixNano(), st.Mode())
	}
	fmt.Fprintf(h, "uid %d euid %d\n", os.Getuid(), os.Geteuid())
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

// verdictHolds reports whether file holds key: bubblewrap was found working under it.
func verdictHolds(file, key string) bool {
	if file == "" {
		return false
	}
	b, err := os.ReadFile(file)
	return err == nil && string(b) == key+"\n"
}

// rememberVerdict writes key to file, whole or not at all. Failing to is harmless: the next
// Sandbox checks again.
func rememberVerdict(file, key string) {
	if file == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(file), ".bwrap-verdict-*")
	if err != nil {
		return
	}
	_, err = f.WriteString(key + "\n")
	if cerr := f.Close(); err == nil && cerr == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// forgetVerdict removes file, so the next Sandbox checks bubblewrap again.
func forgetVerdict(file string) {
	if file != "" {
		os.Remove(file)
	}
}
