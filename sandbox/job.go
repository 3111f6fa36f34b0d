package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	home      string   // scratch HOME
	tmp       string   // private temp dir, removed afterwards
	bindTmp   bool     // tmp may be mounted over /tmp: nothing the command needs lives there
	gitDir    string   // Workspace/.git when it exists
	hideDirs  []string // credential directories
	hideFiles []string // credential files
	caches    []readThrough
	env       []string // the command's environment
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
	if st, err := os.Stat(filepath.Join(j.Workspace, ".git")); err == nil && st.IsDir() {
		j.gitDir = filepath.Join(j.Workspace, ".git")
	}
	j.home = s.opts.HomeDir
	if err := os.MkdirAll(j.home, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: make scratch HOME: %w", err)
	}
	if j.tmp, err = os.MkdirTemp("", "hew-sandbox-"); err != nil {
		return nil, fmt.Errorf("sandbox: make private temp dir: %w", err)
	}
	needed := []string{j.Workspace, j.home, s.opts.Executable}
	if j.Overlay != nil {
		needed = append(needed, j.Overlay.Upper, j.Overlay.Work)
	}
	j.bindTmp = !slices.ContainsFunc(needed, func(p string) bool { return within(p, "/tmp") })
	j.hideDirs, j.hideFiles = credentials(spec.Env, j.Workspace)
	j.env = j.environment()
	if s.report.ReadThrough && j.Policy != PolicyFullAccess { // only bwrap and namespaces read through
		if j.caches, err = j.readThroughCaches(); err != nil {
			j.cleanup()
			return nil, err
		}
	}
	return j, nil
}

// cleanup removes the private temp dir and the read-through overlays' work directories.
func (j *job) cleanup() {
	os.RemoveAll(j.tmp)
	for _, c := range j.caches {
		removeOverlayWork(c.Work)
	}
}

// commandTmp is where the command's TMPDIR is, inside the sandbox.
func (j *job) commandTmp() string {
	if j.bindTmp {
		return "/tmp"
	}
	return j.tmp
}

// environment is the command's environment: the scrubbed starting environment with HOME, the temp
// dir and Go's caches pointed at the scratch places (which read through to the user's caches where
// the backend can mount them). With the network off, Go modules come from the user's module cache
// (read-only, as a file proxy) and are unpacked into the scratch one.
func (j *job) environment() []string {
	env := ScrubEnv(j.Env, j.AllowEnv)
	userModCache := userModuleCache(j.Env)
	set := func(k, v string) { env = setenv(env, k, v) }
	set("HOME", j.home)
	set("TMPDIR", j.commandTmp())
	set("XDG_CACHE_HOME", filepath.Join(j.home, ".cache"))
	set("XDG_CONFIG_HOME", filepath.Join(j.home, ".config"))
	set("GOCACHE", scratchGoCache(j.home))
	set("GOPATH", filepath.Join(j.home, "go"))
	set("GOMODCACHE", scratchModCache(j.home))
	if flags := getenv(env, "GOFLAGS"); !strings.Contains(flags, "-modcacherw") {
		set("GOFLAGS", strings.TrimSpace(flags+" -modcacherw"))
	}
	if !j.Network {
		proxy := "off"
		if st, err := os.Stat(filepath.Join(userModCache, "cache", "download")); err == nil && st.IsDir() {
			proxy = "file://" + filepath.Join(userModCache, "cache", "download")
			set("GOSUMDB", "off") // the cache was verified when it was filled; sumdb is unreachable
		}
		set("GOPROXY", proxy)
	}
	if getenv(env, "PATH") == "" {
		set("PATH", "/usr/local/bin:/usr/bin:/bin")
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
