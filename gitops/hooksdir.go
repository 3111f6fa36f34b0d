package gitops

import "path/filepath"

// HooksDir is the directory git looks for hooks in: core.hooksPath (relative to the top of the
// working tree, ~ expanded) when set, else the hooks directory of the git directory.
func (r *Repo) HooksDir() string { return r.hooksDir(r.readConfig()) }

// hooksDir is HooksDir under configuration cfg.
func (r *Repo) hooksDir(cfg gitConfig) string {
	p := cfg.Get("core", "", "hooksPath")
	if p == "" {
		return filepath.Join(r.commonDir, "hooks")
	}
	p = r.expandHome(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.root, p)
	}
	return filepath.Clean(p)
}
