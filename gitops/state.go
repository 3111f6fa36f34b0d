package gitops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// checkOwnership refuses a repository owned by another user unless safe.directory allows it,
// as git does since 2.35.2 ("detected dubious ownership"), before any hook or filter of the
// repository could run.
func (r *Repo) checkOwnership() error {
	uid := os.Geteuid()
	if uid == 0 {
		if s := r.opts.Getenv("SUDO_UID"); s != "" {
			if n, err := strconv.Atoi(s); err == nil {
				uid = n
			}
		}
	}
	owned := func(p string) bool {
		fi, err := os.Stat(p)
		if err != nil {
			return true // git's own error will say what is wrong
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		return !ok || int(st.Uid) == uid
	}
	if owned(r.root) && owned(r.gitDir) {
		return nil
	}
	for _, v := range r.safeDirectories() {
		if v == "*" || sameDir(r.expandHome(v), r.root) || strings.HasSuffix(v, "/*") && strings.HasPrefix(r.root+"/", strings.TrimSuffix(r.expandHome(v), "*")) {
			return nil
		}
	}
	return fmt.Errorf("detected dubious ownership in repository at '%s' (it belongs to another user, and git refuses to work in it so that its hooks and filters cannot run as you); if you trust it, add an exception with:\n\n\tgit config --global --add safe.directory %s", r.root, r.root)
}

// sameDir reports whether two directory names are the same directory name, ignoring a
// trailing slash.
func sameDir(a, b string) bool { return filepath.Clean(a) == filepath.Clean(b) }

// safeDirectories lists the safe.directory values git honours: those of the system and global
// configuration and the command line, not the repository's own; an empty value clears the
// list.
func (r *Repo) safeDirectories() []string {
	var out []string
	add := func(v string) {
		if v == "" {
			out = nil
		} else {
			out = append(out, v)
		}
	}
	if r.hasGit() {
		entries, err := r.configEntries(context.Background())
		if err == nil {
			for _, e := range entries {
				if e.key == "safe.directory" && e.scope != "local" && e.scope != "worktree" {
					add(e.value)
				}
			}
			return out
		}
	}
	for _, c := range readGlobalConfig(r.opts.Getenv) {
		if c.HasSection("safe") {
			for _, v := range c.Section("safe").Options.GetAll("directory") {
				add(v)
			}
		}
	}
	return out
}

// checkNoOperation refuses to commit while a merge, cherry-pick, revert or rebase is stopped
// in this worktree: git refuses a commit of chosen paths then, and hew's commit would end up
// in the middle of the operation.
func (r *Repo) checkNoOperation() error {
	for _, op := range []struct{ file, what, fix string }{
		{"MERGE_HEAD", "a merge", "git commit (to conclude it) or git merge --abort"},
		{"CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue or --abort"},
		{"REVERT_HEAD", "a revert", "git revert --continue or --abort"},
		{"rebase-merge", "a rebase", "git rebase --continue or --abort"},
		{"rebase-apply", "a rebase or git am", "git rebase --continue / git am --continue, or --abort"},
	} {
		if _, err := os.Stat(filepath.Join(r.gitDir, op.file)); err == nil {
			return fmt.Errorf("commit: %s is in progress in this repository and git refuses a partial commit during it (\"cannot do a partial commit during %s\"); finish it first (%s)", op.what, strings.TrimPrefix(op.what, "a "), op.fix)
		}
	}
	return nil
}
