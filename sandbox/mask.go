package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// mask hides a directory of the host whole: the command sees an empty, read-only directory there
// (or, for /tmp, its private temp dir), with only the paths in Keep bound back at their places.
type mask struct {
	Path string
	Keep []string // paths under Path the command needs: the workspace, the read-only paths
}

// hostDirs are directories of the host that hold other people's data, secrets or sockets of
// services that act with more authority than the command has; none is visible inside.
var hostDirs = []string{
	"/home", "/root", "/run/user", "/run/dbus", "/run/docker", "/run/containerd", "/run/podman",
	"/run/snapd", "/run/screen", "/run/sudo", "/run/lxd", "/var/snap/lxd/common/lxd", "/run/libvirt", "/var/tmp",
}

// hostSockets are sockets of privileged services outside hostDirs; each is covered by /dev/null.
var hostSockets = []string{
	"/run/docker.sock", "/run/podman/podman.sock", "/run/snapd.socket", "/run/snapd-snap.socket",
	"/run/systemd/private", "/run/systemd/io.systemd.Credentials", "/run/containerd/containerd.sock",
	"/var/run/docker.sock",
}

// userDirVars name directories of the user's own data: the home and the XDG directories, where
// configuration, credentials, hew's session transcripts and runtime sockets live.
var userDirVars = []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"}

// systemDirs are never masked whatever a variable says: the command could not run without them.
var systemDirs = []string{"/", "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/var", "/opt", "/proc", "/dev", "/sys", "/tmp", "/run", "/srv", "/mnt", "/media", "/nix", "/snap"}

// hostMasks lists the directories to hide, outermost only, sorted, and the host's sockets to
// cover. The user's directories come from env and from this process's environment. Nothing
// inside the workspace is masked (the user chose to work there).
func hostMasks(env []string, workspace string) (masks []mask, sockets []string) {
	cands := slices.Clone(hostDirs)
	for _, name := range userDirVars {
		for _, e := range [][]string{env, os.Environ()} {
			if v := getenv(e, name); filepath.IsAbs(v) {
				cands = append(cands, filepath.Clean(v))
			}
		}
	}
	var dirs []string
	for _, c := range cands {
		real, err := filepath.EvalSymlinks(c)
		if err != nil {
			continue
		}
		st, err := os.Stat(real)
		// The host's /tmp is replaced whole by the private temp dir; nothing under it needs a mask.
		if err != nil || !st.IsDir() || slices.Contains(systemDirs, real) || within(real, workspace) || within(real, "/tmp") {
			continue
		}
		dirs = append(dirs, real)
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	for _, d := range dirs {
		if !slices.ContainsFunc(dirs, func(o string) bool { return o != d && within(d, o) }) {
			masks = append(masks, mask{Path: d})
		}
	}
	for _, s := range hostSockets {
		real, err := filepath.EvalSymlinks(s)
		if err != nil || within(real, workspace) || slices.ContainsFunc(masks, func(m mask) bool { return within(real, m.Path) }) {
			continue
		}
		if st, err := os.Stat(real); err == nil && !st.IsDir() && !slices.Contains(sockets, real) {
			sockets = append(sockets, real)
		}
	}
	return masks, sockets
}

// goRoot is the root of the go toolchain the command's PATH finds, resolved, or "".
func goRoot(env []string) string {
	for _, dir := range filepath.SplitList(getenv(env, "PATH")) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, "go")
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil || filepath.Base(filepath.Dir(real)) != "bin" {
			return ""
		}
		return filepath.Dir(filepath.Dir(real))
	}
	return ""
}

// systemPath holds the fixed places helper programs such as bwrap are taken from; a PATH entry
// (which may lie inside a repository) is never searched.
var systemPath = []string{"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/local/sbin"}

// systemProgram finds name in systemPath.
func systemProgram(name string) (string, error) {
	for _, dir := range systemPath {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}

// checkReadPaths refuses read paths that would expose what the masks hide: a relative or missing
// path, a home or an XDG directory itself, or one that holds or lies in a credential location.
func checkReadPaths(paths []string) error {
	var homes []string
	for _, name := range userDirVars {
		if v := os.Getenv(name); filepath.IsAbs(v) {
			homes = append(homes, filepath.Clean(v))
		}
	}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			return fmt.Errorf("sandbox: read path %q must be absolute", p)
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fmt.Errorf("sandbox: read path %s: %w", p, err)
		}
		if real == "/" || slices.Contains(hostDirs, real) || slices.Contains(homes, real) {
			return fmt.Errorf("sandbox: read path %s would show a whole home or runtime directory; name the directories a tool needs, such as ~/.nvm", p)
		}
		for _, h := range append(homes, "/root") {
			for _, c := range append(slices.Clone(homeCredentials), ".local/state/hew", ".config", ".local/share/hew", ".codex", ".claude", ".pgpass", ".vault-token") {
				cred := filepath.Join(h, c)
				if within(real, cred) || within(cred, real) {
					return fmt.Errorf("sandbox: read path %s holds or lies in %s, where credentials or hew's sessions live", p, cred)
				}
			}
		}
	}
	return nil
}
