package engine

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
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
	records := e.recordAccepted(ups)
	if err := e.layer.Drop(done...); err != nil {
		return done, fmt.Errorf("accepted changes were written, but clearing them from the proposal failed: %w", err)
	}
	e.reportResolution(done, records, true, false)
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
// its first base and its latest content. It returns the changes as the session log records
// them, for Resume (a change whose content could not be stored in the repository is left
// out: the session commits it, a resumed one does not know it).
func (e *Engine) recordAccepted(ups []gitops.Update) []event.AcceptedChange {
	e.mu.Lock()
	if e.accepted == nil {
		e.accepted = map[string]gitops.Update{}
	}
	merged := make([]gitops.Update, 0, len(ups))
	for _, u := range ups {
		if prev, ok := e.accepted[u.Path]; ok {
			u.Base, u.BaseExists = prev.Base, prev.BaseExists
		}
		e.accepted[u.Path] = u
		merged = append(merged, u)
	}
	e.mu.Unlock()
	records := make([]event.AcceptedChange, 0, len(merged))
	for _, u := range merged {
		if c, err := e.acceptedRecord(u); err == nil {
			records = append(records, c)
		}
	}
	return records
}

// acceptedRecord stores u's contents as blobs and returns the record of u they make.
func (e *Engine) acceptedRecord(u gitops.Update) (event.AcceptedChange, error) {
	c := event.AcceptedChange{Path: u.Path, Mode: uint32(u.Mode)}
	var err error
	if u.BaseExists {
		if c.Base, err = e.repo.StoreBlob(u.Base); err != nil {
			return c, err
		}
	}
	if !u.Delete {
		c.New, err = e.repo.StoreBlob(u.New)
	}
	return c, err
}

// restoreAccepted makes a resumed session remember the changes it accepted and did not commit,
// as its log recorded them, so that the next commit takes exactly them. A change is kept only
// while the working tree still holds exactly what was accepted: a file the user edited,
// rewound or committed since is left for the user to commit, and a notice says so.
func (e *Engine) restoreAccepted(records map[string]event.AcceptedChange) {
	var left []string
	for _, path := range slices.Sorted(maps.Keys(records)) {
		u, err := e.acceptedUpdate(records[path])
		if err != nil || !e.treeHolds(u) {
			left = append(left, path)
			continue
		}
		e.mu.Lock()
		if e.accepted == nil {
			e.accepted = map[string]gitops.Update{}
		}
		e.accepted[path] = u
		e.mu.Unlock()
	}
	if len(left) > 0 {
		e.emitStart(event.Notice{Level: "warn", Text: "accepted before and not committed, but changed since (or no longer readable), so hew will not commit them; use git to commit what you want of them: " + strings.Join(left, ", ")})
	}
}

// acceptedUpdate reads the update a record of an accepted change stands for.
func (e *Engine) acceptedUpdate(c event.AcceptedChange) (gitops.Update, error) {
	u := gitops.Update{Path: c.Path, BaseExists: c.Base != "", Delete: c.New == "", Mode: fs.FileMode(c.Mode)}
	var err error
	if u.BaseExists {
		if u.Base, err = e.repo.Blob(c.Base); err != nil {
			return u, err
		}
	}
	if !u.Delete {
		u.New, err = e.repo.Blob(c.New)
	}
	return u, err
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
	e.reportResolution(done, nil, false, true)
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
