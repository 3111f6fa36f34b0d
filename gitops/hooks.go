package gitops

import (
	"bytes"
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
	p := filepath.Join(r.hooksDir(cfg), name)
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return ""
	}
	return p
}

// commitHookNames are the hooks a commit runs, in git's order.
var commitHookNames = []string{"pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"}

// CommitHooks names the hooks a commit runs in this repository, in the order it runs them:
// those of pre-commit, prepare-commit-msg, commit-msg and post-commit that are present and
// executable.
func (r *Repo) CommitHooks() []string {
	cfg := r.readConfig()
	var names []string
	for _, name := range commitHookNames {
		if r.hookPath(cfg, name) != "" {
			names = append(names, name)
		}
	}
	return names
}

// runCommitHooks runs the hooks `git commit -m MSG -- PATHS` runs before the commit is made,
// in its order and with its arguments: pre-commit against a temporary index holding the tree
// to be committed (GIT_INDEX_FILE); what that index holds afterwards is committed, so files a
// formatter re-staged are included. Then prepare-commit-msg (COMMIT_EDITMSG, "message") and
// commit-msg (COMMIT_EDITMSG), whose edits to the message are kept. noVerify skips pre-commit and
// commit-msg, as --no-verify does.
func (r *Repo) runCommitHooks(ctx context.Context, cfg gitConfig, run func(context.Context, Hook) (string, error), p *commitPlan, noVerify bool) error {
	if run == nil {
		run = r.runHook
	}
	pre, prepare, commitMsg := r.hookPath(cfg, "pre-commit"), r.hookPath(cfg, "prepare-commit-msg"), r.hookPath(cfg, "commit-msg")
	if noVerify {
		pre, commitMsg = "", ""
	}
	if pre == "" && prepare == "" && commitMsg == "" {
		return nil
	}
	tmpIndex, err := r.writeTreeIndex(ctx, p.tree)
	if err != nil {
		return err
	}
	defer os.Remove(tmpIndex)
	env := []string{"GIT_INDEX_FILE=" + tmpIndex, "GIT_EDITOR=:"}
	if pre != "" {
		h := Hook{Name: "pre-commit", Path: pre, Dir: r.root, Env: env}
		if out, err := run(ctx, h); err != nil {
			return &HookError{Hook: h.Name, Output: out, Err: err}
		}
		if p.tree, err = r.treeOfIndex(ctx, p.tree, tmpIndex); err != nil {
			return fmt.Errorf("read the index the pre-commit hook left: %w", err)
		}
		if p.tree == p.headTree {
			return ErrNothingToCommit
		}
	}
	if prepare == "" && commitMsg == "" {
		return nil
	}
	msgFile := filepath.Join(r.gitDir, "COMMIT_EDITMSG")
	if err := os.WriteFile(msgFile, []byte(p.msg), 0o666); err != nil {
		return fmt.Errorf("write %s: %w", msgFile, err)
	}
	for _, h := range []Hook{
		{Name: "prepare-commit-msg", Path: prepare, Args: []string{msgFile, "message"}, Dir: r.root, Env: env},
		{Name: "commit-msg", Path: commitMsg, Args: []string{msgFile}, Dir: r.root, Env: env},
	} {
		if h.Path == "" {
			continue
		}
		if out, err := run(ctx, h); err != nil {
			return &HookError{Hook: h.Name, Output: out, Err: err}
		}
	}
	b, err := os.ReadFile(msgFile)
	if err != nil {
		return fmt.Errorf("read the message the hooks left: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return &HookError{Hook: "commit-msg", Output: "the hook emptied the commit message", Err: fmt.Errorf("empty message")}
	}
	p.msg = string(b)
	return nil
}

// runPostCommit runs the post-commit hook, as git does after a commit; like git, its failure
// does not undo the commit, and its output is not shown.
func (r *Repo) runPostCommit(ctx context.Context, cfg gitConfig, run func(context.Context, Hook) (string, error)) {
	path := r.hookPath(cfg, "post-commit")
	if path == "" {
		return
	}
	if run == nil {
		run = r.runHook
	}
	_, _ = run(ctx, Hook{Name: "post-commit", Path: path, Dir: r.root, Env: []string{"GIT_INDEX_FILE=" + filepath.Join(r.gitDir, "index"), "GIT_EDITOR=:"}})
}

// runHook runs a hook with its output combined, through Options.StartHook when set (the seam
// a sandbox plugs into), else directly as git does. The hook gets the environment hew was
// given, as a hook git runs would.
func (r *Repo) runHook(ctx context.Context, h Hook) (string, error) {
	cmd := exec.CommandContext(ctx, h.Path, h.Args...)
	cmd.Dir = h.Dir
	cmd.Env = append(r.gitEnv(), h.Env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	run := r.opts.RunHookCmd
	if run == nil {
		run = (*exec.Cmd).Run
	}
	err := run(cmd)
	return out.String(), err
}

// treeOfIndex returns the tree the index file at p holds, as tree (the tree it was written from)
// edited with the entries that differ.
func (r *Repo) treeOfIndex(ctx context.Context, tree plumbing.Hash, p string) (plumbing.Hash, error) {
	if r.hasGit() {
		cmd := r.gitCmd(ctx, nil, "write-tree")
		cmd.Env = append(cmd.Env, "GIT_INDEX_FILE="+p)
		out, err := runCmd(cmd)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		return plumbing.NewHash(strings.TrimSpace(string(out))), nil
	}
	idx, _, err := readIndexFile(p)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	files, err := r.flatten(tree)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	changes := map[string]entry{}
	for _, e := range idx.Entries {
		if e.Stage != stageMerged {
			return plumbing.ZeroHash, fmt.Errorf("%s has unmerged entries", p)
		}
		if files[e.Name] != (entry{e.Mode, e.Hash}) {
			changes[e.Name] = entry{e.Mode, e.Hash}
		}
		delete(files, e.Name)
	}
	for name := range files {
		changes[name] = entry{}
	}
	if len(changes) == 0 {
		return tree, nil
	}
	return r.editTree(tree, changes)
}

// writeTreeIndex writes an index holding exactly tree to a temporary file and returns its path.
func (r *Repo) writeTreeIndex(ctx context.Context, tree plumbing.Hash) (string, error) {
	if r.hasGit() {
		return r.readTreeIndex(ctx, tree)
	}
	files, err := r.flatten(tree)
	if err != nil {
		return "", err
	}
	idx := &index.Index{Version: 2}
	for p, e := range files {
		idx.Entries = append(idx.Entries, &index.Entry{Name: p, Hash: e.hash, Mode: e.mode})
	}
	f, err := r.hookIndexFile()
	if err != nil {
		return "", err
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

// hookIndexFile makes a new file in the git directory for the index a commit's hooks see.
func (r *Repo) hookIndexFile() (*os.File, error) {
	dir := filepath.Join(r.gitDir, "hew")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "index-*")
	if err != nil {
		return nil, fmt.Errorf("write the index for hooks: %w", err)
	}
	return f, nil
}

// readTreeIndex is writeTreeIndex through `git read-tree`.
func (r *Repo) readTreeIndex(ctx context.Context, tree plumbing.Hash) (string, error) {
	f, err := r.hookIndexFile()
	if err != nil {
		return "", err
	}
	f.Close()
	os.Remove(f.Name()) // git writes it afresh
	cmd := r.gitCmd(ctx, nil, "read-tree", tree.String())
	cmd.Env = append(cmd.Env, "GIT_INDEX_FILE="+f.Name())
	if _, err := runCmd(cmd); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write the index for hooks: %w", err)
	}
	return f.Name(), nil
}
