package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"hew/agent/event"
	"hew/gitops"
	"hew/gitops/fsguard"
)

// Checkpoint snapshots the working tree (tracked and untracked files, not ignored ones) under
// hew's private ref without touching the index or the user's refs. A failure is reported as a
// warning: it must not stop the user's work.
func (e *Engine) Checkpoint(ctx context.Context, label string) string {
	res, err := e.repo.TakeCheckpoint(ctx, label)
	if err != nil {
		e.events.Emit(event.Notice{Level: "warn", Text: "could not checkpoint the working tree: " + err.Error()})
		return ""
	}
	if len(res.Skipped) > 0 {
		e.events.Emit(event.Notice{Level: "warn", Text: fmt.Sprintf("the checkpoint leaves out untracked files larger than %d MiB, so rewinding cannot bring them back: %s",
			gitops.DefaultMaxUntrackedSize>>20, strings.Join(res.Skipped, ", "))})
	}
	return res.ID
}

// Commit commits the accepted changes to files (every accepted, uncommitted change when files
// is empty) with message, on a new branch when branch is not empty. Each file is committed as
// HEAD has it plus exactly the accepted change: edits the user made to the same file stay
// uncommitted. The trailer from the configuration names hew and the model.
//
// When the accepted changes create or change what the commit's hooks run, Commit refuses with
// *HookChangesError unless opts has RunChangedHooks. (commit.no_verify does not lift this: as
// with git commit --no-verify, prepare-commit-msg and post-commit still run.)
func (e *Engine) Commit(ctx context.Context, files []string, message, branch string, opts ...CommitOption) (string, error) {
	if !slices.Contains(opts, RunChangedHooks) {
		if hooks := e.acceptedHookFiles(); len(hooks) > 0 {
			return "", &HookChangesError{Files: hooks}
		}
	}
	e.mu.Lock()
	var ups []gitops.Update
	if len(files) == 0 {
		files = make([]string, 0, len(e.accepted))
		for p := range e.accepted {
			files = append(files, p)
		}
		sort.Strings(files)
	}
	for _, f := range files {
		u, ok := e.accepted[f]
		if !ok {
			e.mu.Unlock()
			return "", fmt.Errorf("commit: %s has no accepted change to commit", f)
		}
		ups = append(ups, u)
	}
	e.mu.Unlock()
	if len(ups) == 0 {
		return "", errors.New("commit: nothing was accepted, so there is nothing to commit")
	}
	hash, err := e.repo.Commit(ctx, e.commitOptions(ups, message, branch))
	if err != nil {
		return "", err
	}
	e.mu.Lock()
	for _, f := range files {
		delete(e.accepted, f)
	}
	e.rejectedSinceCommit = false
	e.mu.Unlock()
	if branch == "" {
		branch = e.Branch()
	}
	subject, _, _ := strings.Cut(message, "\n")
	e.events.Emit(event.Committed{Hash: hash, Branch: branch, Subject: subject, Files: files})
	return hash, nil
}

// commitOptions are the options of a commit of ups, with the configured trailer and hooks.
func (e *Engine) commitOptions(ups []gitops.Update, message, branch string) gitops.CommitOptions {
	trailer := strings.ReplaceAll(e.cfg.Commit.Trailer, "{model}", e.agent.Model)
	if trailer == "none" {
		trailer = ""
	}
	return gitops.CommitOptions{Updates: ups, Message: message, Branch: branch, Trailer: trailer, NoVerify: e.cfg.Commit.NoVerify,
		RunHook: e.runHook}
}

// CheckCommit checks, before anything is written, that accepting the whole proposal and then
// committing every accepted change (Accept(nil), then Commit(ctx, nil, message, branch)) can
// succeed as far as git decides it: identity, signing, filters, no merge or rebase stopped,
// ownership (see gitops.Repo.CheckCommit), and that the repository's hooks can run contained.
// Hooks still run only at the commit itself.
func (e *Engine) CheckCommit(ctx context.Context, message, branch string) error {
	if err := e.checkHooksCanRun(); err != nil {
		return err
	}
	changes, err := e.pick(nil)
	if err != nil {
		return err
	}
	pending, _ := updatesOf(changes)
	e.mu.Lock()
	all := make(map[string]gitops.Update, len(e.accepted)+len(pending))
	for p, u := range e.accepted {
		all[p] = u
	}
	e.mu.Unlock()
	for _, u := range pending {
		if prev, ok := all[u.Path]; ok {
			u.Base, u.BaseExists = prev.Base, prev.BaseExists
		}
		all[u.Path] = u
	}
	paths := make([]string, 0, len(all))
	for p := range all {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	ups := make([]gitops.Update, len(paths))
	for i, p := range paths {
		ups[i] = all[p]
	}
	return e.repo.CheckCommit(ctx, e.commitOptions(ups, message, branch))
}

// Undo reverts the last commit hew made in this repository, when that is safe (see
// gitops.Repo.Undo), and returns the undone change to the proposal, so that the review offers
// it again instead of it being lost: the working tree goes back to the commit's parent and the
// proposal holds the files as they were committed. It reports the undo as a notice (which
// front ends show) and the proposal as changed with cause "undo".
func (e *Engine) Undo(ctx context.Context) (gitops.UndoResult, error) {
	res, err := e.repo.Undo(ctx)
	if err != nil {
		return res, err
	}
	where := "HEAD"
	if res.Branch != "" {
		where = res.Branch
	}
	kept, err := e.repropose(res)
	text := fmt.Sprintf("Undid commit %s: %s is back at %s; restored %s.", short(res.Commit), where, short(res.Parent), strings.Join(res.Files, ", "))
	if len(kept) > 0 {
		text += " The undone change is proposed again: ctrl+r reviews it."
	}
	e.events.Emit(event.Notice{Text: text})
	if err != nil {
		return res, fmt.Errorf("the commit was undone, but returning its change to the proposal failed: %w", err)
	}
	return res, nil
}

// repropose puts the files an undo restored back into the proposal as they were before it,
// merged with changes the proposal already holds for them, and returns their paths.
func (e *Engine) repropose(res gitops.UndoResult) ([]string, error) {
	restored := map[string]bool{}
	for _, f := range res.Files {
		restored[f] = true
	}
	var kept []string
	var errs []error
	for _, f := range res.Undone {
		if !restored[f.Path] {
			continue
		}
		if err := e.reproposeFile(f); err != nil {
			errs = append(errs, err)
			continue
		}
		kept = append(kept, f.Path)
	}
	if len(kept) > 0 {
		e.reportProposal(event.CauseUndo, "")
	}
	return kept, errors.Join(errs...)
}

// reproposeFile makes the proposal hold f. When the proposal changes the file already, it is
// left as it is: it was written over the tree as it was before the undo, so it holds the
// undone change too, and pending hunks of its own.
func (e *Engine) reproposeFile(f gitops.UndoneFile) error {
	if _, err := e.change(f.Path); err == nil {
		return nil
	}
	if f.Mode&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link, which the proposal cannot hold: it stays undone", f.Path)
	}
	if !f.Exists {
		if err := e.layer.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("propose the deletion of %s again: %w", f.Path, err)
		}
		return nil
	}
	if err := e.layer.WriteFile(f.Path, f.Data, f.Mode.Perm()); err != nil {
		return fmt.Errorf("propose %s again: %w", f.Path, err)
	}
	return nil
}

// Checkpoints lists the working-tree checkpoints of this repository, newest first.
func (e *Engine) Checkpoints() ([]gitops.CheckpointInfo, error) { return e.repo.Checkpoints() }

// Branch is the checked-out branch, or "" when HEAD is detached or unreadable.
func (e *Engine) Branch() string {
	h, err := e.repo.Head()
	if err != nil {
		return ""
	}
	return h.Branch
}

// Root is the repository's top directory.
func (e *Engine) Root() string { return e.repo.Root() }

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

func clipWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n-1]
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

// Rewind puts the working tree back as checkpoint id (an id or a unique prefix of at least 4
// characters; Repo.Checkpoints lists them) recorded it. The state before is checkpointed first,
// so a rewind can itself be undone. Accepted changes the restore took out of the tree are
// forgotten, so that the next commit does not bring them back; the proposal is kept.
func (e *Engine) Rewind(ctx context.Context, id string) error {
	if err := e.repo.RestoreCheckpoint(ctx, id); err != nil {
		return fmt.Errorf("rewind to checkpoint %s: %w", id, err)
	}
	e.mu.Lock()
	for path, u := range e.accepted {
		if !e.treeHolds(u) {
			delete(e.accepted, path)
		}
	}
	e.mu.Unlock()
	// The proposal lies over the tree, so its diffs may have changed.
	e.reportProposal(event.CauseRewind, "")
	return nil
}

// treeHolds says whether the working tree still holds exactly the accepted change u (an
// unreadable file counts as holding it: the commit will say what is wrong).
func (e *Engine) treeHolds(u gitops.Update) bool {
	data, err := fsguard.ReadIn(e.repo.Root(), u.Path) // never through a link out, never a FIFO
	gone := errors.Is(err, fs.ErrNotExist)
	if err != nil && !gone {
		return true
	}
	return u.Delete == gone && (u.Delete || bytes.Equal(data, u.New))
}

// CommitHooks names the git hooks a commit runs (pre-commit, prepare-commit-msg, commit-msg,
// post-commit; no_verify skips pre-commit and commit-msg as --no-verify does), so that a front
// end can say what a commit waits for.
func (e *Engine) CommitHooks() []string {
	hooks := e.repo.CommitHooks()
	if e.cfg.Commit.NoVerify {
		// As git commit --no-verify: prepare-commit-msg and post-commit still run.
		hooks = slices.DeleteFunc(hooks, func(h string) bool { return h == "pre-commit" || h == "commit-msg" })
	}
	return hooks
}
