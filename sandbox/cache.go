package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
)

// readThrough is one of the user's build caches that a command reads through: an overlay whose
// lower layer is the user's cache, mounted over the scratch cache's path in the scratch HOME, with
// an upper layer of the command's own, removed when it ends. Reads find what the user has
// already built; writes land in the upper layer; the user's cache is never written.
type readThrough struct {
	Lower  string // the user's cache, read-only
	Target string // the scratch cache in the scratch HOME: the mount point
	Upper  string // where the command's writes land: Target itself, covered by the overlay
	Work   string // overlayfs's work directory, next to Upper
}

// scratchGoCache and scratchModCache are where the command's Go caches are, in its private temp
// dir: one directory each, so that making them costs little.
func scratchGoCache(tmp string) string  { return filepath.Join(tmp, ".gocache") }
func scratchModCache(tmp string) string { return filepath.Join(tmp, ".gomodcache") }

// userGoCache is the user's Go build cache as `go env GOCACHE` computes it from env: $GOCACHE,
// else $XDG_CACHE_HOME/go-build, else $HOME/.cache/go-build. It is "" when caching is off or the
// location is not an absolute path.
func userGoCache(env []string) string {
	dir := getenv(env, "GOCACHE")
	switch {
	case dir == "off":
		return ""
	case dir != "":
	case getenv(env, "XDG_CACHE_HOME") != "":
		dir = filepath.Join(getenv(env, "XDG_CACHE_HOME"), "go-build")
	case getenv(env, "HOME") != "":
		dir = filepath.Join(getenv(env, "HOME"), ".cache", "go-build")
	}
	if !filepath.IsAbs(dir) {
		return ""
	}
	return filepath.Clean(dir)
}

// userModuleCache is the user's Go module cache as `go env GOMODCACHE` computes it from env.
func userModuleCache(env []string) string {
	if c := getenv(env, "GOMODCACHE"); c != "" {
		return c
	}
	if p := getenv(env, "GOPATH"); p != "" {
		return filepath.Join(filepath.SplitList(p)[0], "pkg", "mod")
	}
	if h := getenv(env, "HOME"); h != "" {
		return filepath.Join(h, "go", "pkg", "mod")
	}
	return ""
}

// usesGo reports whether the workspace looks like Go: a go.mod or go.work at its root or one level
// down. Only then are the caches read through: each overlay costs every command some
// milliseconds of mounting and tearing down.
func usesGo(ws string) bool {
	for _, name := range []string{"go.mod", "go.work"} {
		if _, err := os.Stat(filepath.Join(ws, name)); err == nil {
			return true
		}
	}
	matches, _ := filepath.Glob(filepath.Join(ws, "*", "go.mod"))
	return len(matches) > 0
}

// readThroughCaches makes, for each of the user's Go caches that exists, the scratch cache it is
// read through, and fresh upper and work directories outside the temp dir the command sees. A
// user cache inside the scratch HOME or the workspace, or one whose path overlay mount options
// cannot carry, is left out.
func (j *job) readThroughCaches() ([]readThrough, error) {
	pairs := [][2]string{
		{userGoCache(j.Env), scratchGoCache(j.tmp)},
		{userModuleCache(j.Env), scratchModCache(j.tmp)},
	}
	var caches []readThrough
	for i, p := range pairs {
		lower, target := filepath.Clean(p[0]), p[1]
		if !filepath.IsAbs(lower) || within(lower, j.tmp) || within(j.tmp, lower) || within(lower, j.Workspace) || checkMountPath(lower) != nil {
			continue
		}
		if st, err := os.Stat(lower); err != nil || !st.IsDir() {
			continue
		}
		// The scratch cache is both the upper layer and the mount point (the overlay covers its
		// own upper directory), and the work directory sits next to it in the private temp dir,
		// removed with it: two directories a cache, few to make and remove. The command could
		// write the work directory directly, which changes only its own, discarded, view.
		c := readThrough{Lower: lower, Target: target, Upper: target, Work: fmt.Sprintf("%s/.hew-cache-%d-work", j.tmp, i)}
		for _, d := range []string{c.Target, c.Work} {
			if err := os.Mkdir(d, 0o700); err != nil {
				return nil, fmt.Errorf("sandbox: make overlay directories for the build caches: %w", err)
			}
		}
		if checkMountPath(c.Upper) != nil || checkMountPath(c.Work) != nil {
			continue
		}
		caches = append(caches, c)
	}
	return caches, nil
}

// removeOverlayWork removes an overlay work directory after its mount is gone.
func removeOverlayWork(work string) {
	unlockOverlayWork(work)
	os.RemoveAll(work)
}

// unlockOverlayWork makes an overlay work directory removable by an unprivileged caller once its
// mount is gone: overlayfs leaves work/work with mode 000.
func unlockOverlayWork(work string) {
	os.Chmod(filepath.Join(work, "work"), 0o700)
}
