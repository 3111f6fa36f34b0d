package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"hew/agent/event"
	"hew/agent/proposal"
	"hew/gitops"
	"hew/gitops/diff"
)

// Changes lists the proposal's changes.
func (e *Engine) Changes() ([]proposal.Change, error) { return e.layer.Changes() }

// Patch renders the whole proposal as a git-style unified diff.
func (e *Engine) Patch() (string, error) {
	changes, err := e.layer.Changes()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range changes {
		oldPath, newPath := c.Path, c.Path
		if c.Op == proposal.Add {
			oldPath = ""
		}
		if c.Op == proposal.Delete {
			newPath = ""
		}
		b.WriteString(diff.Unified(oldPath, newPath, c.Old, c.New))
	}
	return b.String(), nil
}

// Accept writes the proposal's changes to the named paths (all when paths is empty) into the
// working tree and removes them from the proposal. It returns the paths written.
func (e *Engine) Accept(paths []string) ([]string, error) {
	return e.accept(paths, true)
}

// accept is Accept; checkpoint says whether to checkpoint the tree first (false when the caller
// just took one).
func (e *Engine) accept(paths []string, checkpoint bool) ([]string, error) {
	changes, err := e.pick(paths)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	ups, done := updatesOf(changes)
	if checkpoint {
		e.Checkpoint(context.Background(), acceptLabel(done))
	}
	if err := e.repo.Accept(ups); err != nil {
		return nil, err
	}
	e.recordAccepted(ups)
	if err := e.layer.Drop(done...); err != nil {
		return done, fmt.Errorf("accepted changes were written, but clearing them from the proposal failed: %w", err)
	}
	e.reportResolution(done, true, false)
	return done, nil
}

// acceptLabel labels the checkpoint taken before paths are accepted.
func acceptLabel(paths []string) string { return "before accepting " + strings.Join(paths, ", ") }

// updatesOf turns proposal changes into the updates gitops accepts, and lists their paths.
func updatesOf(changes []proposal.Change) ([]gitops.Update, []string) {
	ups := make([]gitops.Update, len(changes))
	done := make([]string, len(changes))
	for i, c := range changes {
		ups[i] = gitops.Update{Path: c.Path, Base: c.Base, BaseExists: c.BaseExists, New: c.New,
			Delete: c.Op == proposal.Delete, Mode: c.NewMode}
		done[i] = c.Path
	}
	return ups, done
}

// pick returns the proposal's changes to the named paths, or all of them when paths is empty.
func (e *Engine) pick(paths []string) ([]proposal.Change, error) {
	changes, err := e.layer.Changes()
	if err != nil || len(paths) == 0 {
		return changes, err
	}
	return slices.DeleteFunc(changes, func(c proposal.Change) bool { return !slices.Contains(paths, c.Path) }), nil
}

// recordAccepted remembers accepted updates for the next commit. A path accepted twice keeps
// its first base and its latest content.
func (e *Engine) recordAccepted(ups []gitops.Update) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.accepted == nil {
		e.accepted = map[string]gitops.Update{}
	}
	for _, u := range ups {
		if prev, ok := e.accepted[u.Path]; ok {
			u.Base, u.BaseExists = prev.Base, prev.BaseExists
		}
		e.accepted[u.Path] = u
	}
}

// Accepted lists the paths accepted into the working tree and not yet committed.
func (e *Engine) Accepted() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.accepted))
	for p := range e.accepted {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Reject drops the named paths (all when paths is empty) from the proposal and returns them.
func (e *Engine) Reject(paths []string) ([]string, error) {
	changes, err := e.pick(paths)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	done := make([]string, len(changes))
	for i, c := range changes {
		done[i] = c.Path
	}
	if err := e.layer.Drop(done...); err != nil {
		return nil, fmt.Errorf("reject: %w", err)
	}
	e.reportResolution(done, false, true)
	return done, nil
}

// ProposedFile returns a file's content as the proposal has it (the working tree's where the
// proposal does not change it).
func (e *Engine) ProposedFile(path string) ([]byte, error) { return e.layer.ReadFile(path) }

// EditProposed replaces a file's proposed content with data, as when the user edits a proposed
// file in $EDITOR; the file's mode is kept. The change is reported as a ProposalChanged event
// with cause "editor", so it reaches the session log and every front end.
func (e *Engine) EditProposed(path string, data []byte) error {
	if err := e.layer.WriteFile(path, data, 0); err != nil { // 0 keeps the file's mode
		return fmt.Errorf("edit %s in the proposal: %w", path, err)
	}
	e.reportProposal(event.CauseEditor, path)
	return nil
}
