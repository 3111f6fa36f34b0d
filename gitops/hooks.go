package gitops

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// Hook is one run of a repository hook.
type Hook struct {
	Name string   // "pre-commit" or "commit-msg"
	Path string   // the hook program
	Args []string // its arguments
	Dir  string   // the directory to run it in: the top of the working tree
	Env  []string // variables to add to the environment, such as GIT_INDEX_FILE
}

// HookError reports a hook that failed; the commit was not made.
type HookError struct {
	Hook   string
	Output string // what the hook printed, for the model to read
	Err    error
}

func (e *HookError) Error() string {
	return fmt.Sprintf("the %s hook failed (%v), so nothing was committed; its output:\n%s", e.Hook, e.Err, e.Output)
}

func (e *HookError) Unwrap() error { return e.Err }

// hookPath returns the program for hook name, or "" when the repository has none (git skips
// hooks that are not executable).
func (r *Repo) hookPath(cfg gitConfig, name string) string {
	dir := filepath.Join(r.commonDir, "hooks")
	if p := cfg.Get("core", "", "hooksPath"); p != "" {
		p = r.expandHome(p)
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.root, p)
		}
		dir = p
	}
	p := filepath.Join(dir, name)
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return ""
	}
	return p
}

// CommitHooks names the hooks a commit runs in this repository, in the order it runs them:
// those of pre-commit and commit-msg that are present and executable.
func (r *Repo) CommitHooks() []string {
	cfg := r.readConfig()
	var names []string
	for _, name := range []string{"pre-commit", "commit-msg"} {
		if r.hookPath(cfg, name) != "" {
			names = append(names, name)
		}
	}
	return names
}

// runCommitHooks runs pre-commit against an index of the tree to be committed, as
// `git commit PATHS` does, then commit-msg on msg, and returns the message commit-msg left.
func (r *Repo) runCommitHooks(ctx context.Context, cfg gitConfig, run func(context.Context, Hook) (string, error), tree plumbing.Hash, msg string) (string, error) {
	if run == nil {
		run = runHook
	}
	if p := r.hookPath(cfg, "pre-commit"); p != "" {
		tmpIndex, err := r.writeTreeIndex(tree)
		if err != nil {
			return "", err
		}
		defer os.Remove(tmpIndex)
		h := Hook{Name: "pre-commit", Path: p, Dir: r.root, Env: []string{"GIT_INDEX_FILE=" + tmpIndex, "GIT_EDITOR=:"}}
		if out, err := run(ctx, h); err != nil {
			return "", &HookError{Hook: h.Name, Output: out, Err: err}
		}
	}
	if p := r.hookPath(cfg, "commit-msg"); p != "" {
		msgFile := filepath.Join(r.gitDir, "COMMIT_EDITMSG")
		if err := os.WriteFile(msgFile, []byte(msg), 0o666); err != nil {
			return "", fmt.Errorf("write %s: %w", msgFile, err)
		}
		h := Hook{Name: "commit-msg", Path: p, Args: []string{msgFile}, Dir: r.root, Env: []string{"GIT_EDITOR=:"}}
		if out, err := run(ctx, h); err != nil {
			return "", &HookError{Hook: h.Name, Output: out, Err: err}
		}
		b, err := os.ReadFile(msgFile)
		if err != nil {
			return "", fmt.Errorf("read the message the commit-msg hook left: %w", err)
		}
		if strings.TrimSpace(string(b)) == "" {
			return "", &HookError{Hook: h.Name, Output: "the hook emptied the commit message", Err: fmt.Errorf("empty message")}
		}
		msg = string(b)
	}
	return msg, nil
}

// runHook runs a hook directly, with its output combined.
func runHook(ctx context.Context, h Hook) (string, error) {
	cmd := exec.CommandContext(ctx, h.Path, h.Args...)
	cmd.Dir = h.Dir
	cmd.Env = append(os.Environ(), h.Env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// writeTreeIndex writes an index holding exactly tree to a temporary file and returns its path.
func (r *Repo) writeTreeIndex(tree plumbing.Hash) (string, error) {
	files, err := r.flatten(tree)
	if err != nil {
		return "", err
	}
	idx := &index.Index{Version: 2}
	for p, e := range files {
		idx.Entries = append(idx.Entries, &index.Entry{Name: p, Hash: e.hash, Mode: e.mode})
	}
	dir := filepath.Join(r.gitDir, "hew")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "index-*")
	if err != nil {
		return "", fmt.Errorf("write the index for hooks: %w", err)
	}
	err = index.NewEncoder(f).Encode(idx)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write the index for hooks: %w", err)
	}
	return f.Name(), nil
}
