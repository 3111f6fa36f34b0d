package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// homeCredentials are paths under a home directory that hold credentials; none is readable inside
// the sandbox.
var homeCredentials = []string{
	".aws", ".ssh", ".gnupg", ".netrc", ".docker", ".kube", ".azure", ".git-credentials",
	".npmrc", ".pypirc", ".config/hew", ".config/gcloud", ".config/gh", ".config/hub",
	".cargo/credentials", ".cargo/credentials.toml", ".terraform.d/credentials.tfrc.json",
}

// credentialEnv name variables whose values are paths to credential files.
var credentialEnv = []string{"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "GOOGLE_APPLICATION_CREDENTIALS", "KUBECONFIG", "DOCKER_CONFIG", "NETRC"}

// job is a Spec checked and made concrete: paths cleaned, scratch places made, environment built.
type job struct {
	Spec
	mountNS   bool     // the backend builds the command's file system view in a mount namespace
	terminal  bool     // hew has a controlling terminal, which the command must not inherit
	home      string   // scratch HOME, fresh for this command, inside tmp
	tmp       string   // private temp dir, removed afterwards; /tmp inside a mount namespace
	gitDir    string   // Workspace/.git when it exists
	readOnly  []string // paths inside the workspace kept read-only: .git, or parts of it (GitWritable)
	masks     []mask   // directories hidden whole: homes, runtime dirs, the host's /tmp
	readPaths []string // paths under a mask that stay visible read-only (the go toolchain, hew itself)
	hideDirs  []string // credential directories outside every mask
	hideFiles []string // credential files and host sockets outside every mask
	caches    []readThrough
	env       []string // the command's environment
	notices   []string // what the caller should tell the user about this command's set-up
	limits    Limits
	pids      interface {
		hitMax() bool
		remove()
	} // the command's pids cgroup, or nil
}

// prepare checks spec and makes the scratch places; the caller must call cleanup.
func (s *Sandbox) prepare(spec Spec) (*job, error) {
	j := &job{Spec: spec}
	var err error
	if j.Policy, err = ParsePolicy(string(spec.Policy)); err != nil {
		return nil, err
	}
	if strings.TrimSpace(j.Command) == "" {
		return nil, fmt.Errorf("sandbox: empty command")
	}
	if !filepath.IsAbs(j.Workspace) {
		return nil, fmt.Errorf("sandbox: workspace %q must be an absolute path", j.Workspace)
	}
	j.Workspace = filepath.Clean(j.Workspace)
	if st, err := os.Stat(j.Workspace); err != nil {
		return nil, fmt.Errorf("sandbox: workspace: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("sandbox: workspace %s is not a directory", j.Workspace)
	}
	if j.Dir == "" {
		j.Dir = j.Workspace
	}
	if !filepath.IsAbs(j.Dir) {
		j.Dir = filepath.Join(j.Workspace, j.Dir)
	}
	j.Dir = filepath.Clean(j.Dir)
	if !within(j.Dir, j.Workspace) {
		return nil, fmt.Errorf("sandbox: working directory %s is outside the workspace %s", j.Dir, j.Workspace)
	}
	if j.Overlay != nil {
		if err := checkOverlay(j.Workspace, j.Overlay); err != nil {
			return nil, err
		}
	}
	if j.Timeout <= 0 {
		j.Timeout = defaultTimeout
	}
	if j.OutputLimit <= 0 {
		j.OutputLimit = defaultOutputLimit
	}
	j.limits = s.opts.Limits.withDefaults()
	if st, err := os.Stat(filepath.Join(j.Workspace, ".git")); err == nil && st.IsDir() {
		j.gitDir = filepath.Join(j.Workspace, ".git")
	}
	if j.readOnly, err = readOnlyPaths(j.Workspace, j.gitDir, spec); err != nil {
		return nil, err
	}
	j.terminal = hasTerminal()
	backend := s.Backend()
	j.mountNS = j.Policy != PolicyFullAccess && (backend == BackendBwrap || backend == BackendNamespaces)
	if j.tmp, err = os.MkdirTemp("", fmt.Sprintf("%s%d-", tmpPrefix, os.Getpid())); err != nil {
		return nil, fmt.Errorf("sandbox: make private temp dir: %w", err)
	}
	// A fresh, empty HOME for every command: nothing one command writes there (a ~/.npmrc, a
	// ~/.gitconfig, go env -w) reaches a later one.
	j.home = filepath.Join(j.tmp, "home")
	if err := os.Mkdir(j.home, 0o700); err != nil {
		j.cleanup()
		return nil, fmt.Errorf("sandbox: make scratch HOME: %w", err)
	}
	j.masks, j.hideFiles = hostMasks(spec.Env, j.Workspace)
	credDirs, credFiles := credentials(spec.Env, j.Workspace)
	j.hideDirs = slices.DeleteFunc(credDirs, j.masked)
	j.hideFiles = slices.DeleteFunc(append(j.hideFiles, credFiles...), j.masked)
	if goroot := goRoot(spec.Env); goroot != "" && j.masked(goroot) {
		j.readPaths = append(j.readPaths, goroot)
	}
	for _, p := range s.opts.ReadPaths {
		if real, err := filepath.EvalSymlinks(p); err == nil && j.masked(real) {
			j.readPaths = append(j.readPaths, real)
		}
	}
	if exe := s.opts.Executable; j.masked(exe) {
		j.readPaths = append(j.readPaths, exe) // hew itself, for commands that run hew
	}
	if j.mountNS && usesGo(j.Workspace) && s.full().ReadThrough {
		if j.caches, err = j.readThroughCaches(); err != nil {
			j.cleanup()
			return nil, err
		}
	}
	j.env = j.environment()
	for i := range j.masks {
		j.masks[i].Keep = j.keepsUnder(j.masks[i].Path)
	}
	return j, nil
}

// cleanup removes the private temp dir, with the scratch HOME and the read-through overlays'
// directories in it, and, in the background (its last processes may still be exiting), the pids
// cgroup. What a hew killed before cleaning up leaves behind, a later Sandbox sweeps away.
func (j *job) cleanup() {
	for _, c := range j.caches {
		unlockOverlayWork(c.Work)
	}
	os.RemoveAll(j.tmp)
	if j.pids != nil {
		go j.pids.remove()
	}
}

// tmpPrefix starts the names of private temp dirs, followed by the pid of the hew that made them.
const tmpPrefix = "hew-sandbox-"

// sweepStale removes, in the background, the private temp dirs older than an hour left by hew
// processes that are gone.
func sweepStale() {
	go func() {
		// Names alone, unsorted: the temp dir may hold thousands of entries, and this runs at the
		// same time as the first command.
		d, err := os.Open(os.TempDir())
		if err != nil {
			return
		}
		names, _ := d.Readdirnames(-1)
		d.Close()
		for _, name := range names {
			rest, ok := strings.CutPrefix(name, tmpPrefix)
			pid, _, found := strings.Cut(rest, "-")
			if !ok || !found || strings.Trim(pid, "0123456789") != "" {
				continue
			}
			info, err := os.Lstat(filepath.Join(os.TempDir(), name))
			if err != nil || !info.IsDir() || time.Since(info.ModTime()) < time.Hour {
				continue // a hew in another pid namespace sharing /tmp may still be using it
			}
			if _, err := os.Stat("/proc/" + pid); os.IsNotExist(err) {
				dir := filepath.Join(os.TempDir(), name)
				filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
					if err == nil && d.IsDir() {
						os.Chmod(p, 0o700) // overlayfs leaves work/work with mode 000
					}
					return nil
				})
				os.RemoveAll(dir)
			}
		}
	}()
}

// inside is where host path p, under the private temp dir, is seen by the command.
func (j *job) inside(p string) string {
	if !j.mountNS || !within(p, j.tmp) {
		return p
	}
	rel, _ := filepath.Rel(j.tmp, p)
	return filepath.Join("/tmp", rel)
}

// masked reports whether p is hidden by one of j's masks or by the private temp dir over /tmp.
func (j *job) masked(p string) bool {
	return within(p, "/tmp") || slices.ContainsFunc(j.masks, func(m mask) bool { return within(p, m.Path) })
}

// keepsUnder lists the paths the command needs that lie under dir: the workspace and the
// read-only paths.
func (j *job) keepsUnder(dir string) []string {
	var keep []string
	for _, p := range append([]string{j.Workspace}, j.readPaths...) {
		if within(p, dir) {
			keep = append(keep, p)
		}
	}
	return keep
}

// environment is the command's environment: the scrubbed starting environment with HOME, the temp
// dir and Go's caches pointed at the scratch places (which read through to the user's caches where
// the backend can mount them). With the network off, Go modules come from the user's module cache
// (read-only, as a file proxy) and are unpacked into the scratch one.
func (j *job) environment() []string {
	env, notices := scrubEnv(j.Env, j.AllowEnv)
	j.notices = append(j.notices, notices...)
	userModCache := userModuleCache(j.Env)
	home := j.inside(j.home)
	set := func(k, v string) { env = setenv(env, k, v) }
	set("HOME", home)
	set("TMPDIR", j.inside(j.tmp))
	set("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	set("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	set("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	set("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	set("GOCACHE", scratchGoCache(j.inside(j.tmp)))
	set("GOPATH", filepath.Join(home, "go"))
	set("GOMODCACHE", scratchModCache(j.inside(j.tmp)))
	if flags := getenv(env, "GOFLAGS"); !strings.Contains(flags, "-modcacherw") {
		set("GOFLAGS", strings.TrimSpace(flags+" -modcacherw"))
	}
	if !j.Network {
		proxy := "off"
		download := filepath.Join(userModCache, "cache", "download")
		if st, err := os.Stat(download); err == nil && st.IsDir() && filepath.IsAbs(download) {
			if slices.ContainsFunc(j.caches, func(c readThrough) bool { return c.Lower == filepath.Clean(userModCache) }) {
				// The scratch module cache reads through the user's: its download directory is the
				// user's, seen at the scratch path.
				proxy = "file://" + filepath.Join(scratchModCache(j.inside(j.tmp)), "cache", "download")
			} else {
				proxy = "file://" + download
				if j.masked(download) {
					j.readPaths = append(j.readPaths, download)
				}
			}
			set("GOSUMDB", "off") // the cache was verified when it was filled; sumdb is unreachable
		}
		set("GOPROXY", proxy)
	}
	if getenv(env, "PATH") == "" {
		set("PATH", "/usr/local/bin:/usr/bin:/bin")
	}
	for _, kv := range j.ExtraEnv {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" && k != helperEnv {
			set(k, v)
		}
	}
	return env
}

// credentials lists the existing credential directories and files of the homes named in env and
// of this process, and the files credential variables point at, leaving out what is inside the
// workspace.
func credentials(env []string, workspace string) (dirs, files []string) {
	var paths []string
	homes := []string{getenv(env, "HOME"), os.Getenv("HOME")}
	for _, h := range homes {
		if h == "" || !filepath.IsAbs(h) {
			continue
		}
		for _, c := range homeCredentials {
			paths = append(paths, filepath.Join(h, c))
		}
	}
	for _, name := range credentialEnv {
		for _, e := range [][]string{env, os.Environ()} {
			if v := getenv(e, name); filepath.IsAbs(v) {
				paths = append(paths, filepath.Clean(v))
			}
		}
	}
	slices.Sort(paths)
	for _, p := range slices.Compact(paths) {
		st, err := os.Stat(p)
		if err != nil || within(p, workspace) {
			continue
		}
		if st.IsDir() {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
	}
	return dirs, files
}

// checkOverlay rejects overlay directories the overlay mount options cannot express.
func checkOverlay(workspace string, o *Overlay) error {
	for _, p := range []string{workspace, o.Upper, o.Work} {
		if !filepath.IsAbs(p) {
			return fmt.Errorf("sandbox: overlay directory %q must be an absolute path", p)
		}
		if err := checkMountPath(p); err != nil {
			return err
		}
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			return fmt.Errorf("sandbox: overlay directory %s does not exist or is not a directory", p)
		}
	}
	return nil
}

// checkMountPath rejects a path overlay mount options cannot carry.
func checkMountPath(p string) error {
	if strings.ContainsAny(p, ",:\\") {
		return fmt.Errorf("sandbox: overlay directory %q contains ',', ':' or '\\', which overlay mount options cannot carry; move it", p)
	}
	return nil
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// readOnlyPaths are the paths inside workspace a command may not write: the whole git directory,
// or with spec.GitWritable its config and hooks, and spec.ReadOnly; only those that exist.
func readOnlyPaths(workspace, gitDir string, spec Spec) ([]string, error) {
	var paths []string
	switch {
	case gitDir != "" && spec.GitWritable:
		paths = append(paths, filepath.Join(gitDir, "config"), filepath.Join(gitDir, "hooks"))
	case gitDir != "":
		paths = append(paths, gitDir)
	}
	for _, p := range spec.ReadOnly {
		if !filepath.IsAbs(p) {
			p = filepath.Join(workspace, p)
		}
		p = filepath.Clean(p)
		if !within(p, workspace) {
			return nil, fmt.Errorf("sandbox: read-only path %s is outside the workspace %s", p, workspace)
		}
		paths = append(paths, p)
	}
	return slices.DeleteFunc(paths, func(p string) bool {
		_, err := os.Lstat(p)
		return err != nil
	}), nil
}
