package engine

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"hew/agent/event"
	"hew/agent/loop"
	"hew/agent/proposal"
	"hew/gitops"
	"hew/gitops/diff"
	"hew/prompts"
)

// HunkContext is the number of unchanged lines around each hunk offered for review.
const HunkContext = 3

// FileReview is one file of the proposal as the reviewer sees it: its change and its hunks,
// each of which can be accepted or rejected on its own.
type FileReview struct {
	Change proposal.Change
	// Hunks are the changes from the working tree's content (Change.Old) to the proposal's.
	Hunks []diff.Hunk
	// Whole reports that the change is taken or left as one piece — a deletion, a binary file
	// or a change of mode only; Hunks is then empty and index 0 stands for the whole file.
	Whole bool
	// Added and Removed count the lines the change adds and removes.
	Added, Removed int
	// Control names the kind of control file the change is (see ControlFiles), "" for none:
	// the review marks it.
	Control string
}

// Review lists the proposal's files with their hunks, sorted by path.
func (e *Engine) Review() ([]FileReview, error) { return e.ReviewWith(nil) }

// ReviewCache keeps each reviewed file's hunks for as long as its working-tree and proposed
// contents stay the same, so that reviewing a large proposal again (when the review view
// reopens, after each decision, or ahead of time while a turn runs) does not diff every file
// again. The zero value is ready to use; it is safe for concurrent use.
type ReviewCache struct {
	mu    sync.Mutex
	files map[string]FileReview
}

// ReviewWith is Review taking the hunks of unchanged files from c (nil: none). c then holds
// exactly the files listed.
func (e *Engine) ReviewWith(c *ReviewCache) ([]FileReview, error) {
	changes, err := e.layer.Changes()
	if err != nil {
		return nil, err
	}
	control := map[string]string{}
	for _, cf := range e.ControlFiles(changes) {
		control[cf.Path] = cf.Kind
	}
	out := make([]FileReview, 0, len(changes))
	for _, ch := range changes {
		f := c.review(ch)
		f.Control = control[ch.Path]
		out = append(out, f)
	}
	if c != nil {
		c.mu.Lock()
		c.files = make(map[string]FileReview, len(out))
		for _, f := range out {
			c.files[f.Change.Path] = f
		}
		c.mu.Unlock()
	}
	return out, nil
}

// review returns ch's review, from the cache when ch's contents are those cached.
func (c *ReviewCache) review(ch proposal.Change) FileReview {
	if c == nil {
		return fileReview(ch)
	}
	c.mu.Lock()
	f, ok := c.files[ch.Path]
	c.mu.Unlock()
	if ok && f.Change.Op == ch.Op && f.Change.NewMode == ch.NewMode && bytes.Equal(f.Change.Old, ch.Old) && bytes.Equal(f.Change.New, ch.New) {
		f.Change = ch
		return f
	}
	return fileReview(ch)
}

func fileReview(c proposal.Change) FileReview {
	f := FileReview{Change: c}
	f.Whole = c.Op == proposal.Delete || diff.IsBinary(c.Old) || diff.IsBinary(c.New) || bytes.Equal(c.Old, c.New)
	if c.Op == proposal.Delete {
		f.Removed = bytes.Count(c.Old, []byte{'\n'})
	}
	if !f.Whole {
		f.Hunks = diff.Hunks(c.Old, c.New, HunkContext)
		for _, h := range f.Hunks {
			for _, l := range h.Lines {
				switch l.Kind {
				case '+':
					f.Added++
				case '-':
					f.Removed++
				}
			}
		}
	}
	return f
}

// Resolution is what ResolveHunks did to one file.
type Resolution struct {
	Path string
	// Accepted and Rejected are the hunks written into the tree and dropped from the proposal.
	Accepted, Rejected []diff.Hunk
	// Remaining counts the hunks still pending in the proposal.
	Remaining int
}

// ResolveHunks decides hunks of one proposed file, numbered as in Review: the accepted hunks
// are written into the working tree through gitops, the rejected ones are dropped from the
// proposal, and the others stay pending there (renumbered: Review lists them again). For a
// Whole change, index 0 stands for the file. A hunk may not be both accepted and rejected.
func (e *Engine) ResolveHunks(path string, accept, reject []int) (Resolution, error) {
	res := Resolution{Path: path}
	c, err := e.change(path)
	if err != nil {
		return res, err
	}
	f := fileReview(c)
	n := max(len(f.Hunks), 1)
	for _, i := range append(slices.Clone(accept), reject...) {
		if i < 0 || i >= n {
			return res, fmt.Errorf("resolve %s: there is no hunk %d (the file has %d)", path, i+1, n)
		}
		if slices.Contains(accept, i) && slices.Contains(reject, i) {
			return res, fmt.Errorf("resolve %s: hunk %d is both accepted and rejected", path, i+1)
		}
	}
	if f.Whole {
		return e.resolveWhole(c, len(accept) > 0, len(reject) > 0)
	}

	var taken, kept []diff.Hunk // accepted; accepted or pending (what the proposal keeps)
	for i, h := range f.Hunks {
		switch {
		case slices.Contains(accept, i):
			res.Accepted = append(res.Accepted, h)
			taken = append(taken, h)
			kept = append(kept, h)
		case slices.Contains(reject, i):
			res.Rejected = append(res.Rejected, h)
		default:
			kept = append(kept, h)
			res.Remaining++
		}
	}
	tree, err := diff.Apply(c.Old, taken)
	if err != nil {
		return res, fmt.Errorf("resolve %s: %w", path, err)
	}
	proposed, err := diff.Apply(c.Old, kept)
	if err != nil {
		return res, fmt.Errorf("resolve %s: %w", path, err)
	}
	var records []event.AcceptedChange
	if len(taken) > 0 {
		up := gitops.Update{Path: path, Base: c.Old, BaseExists: c.Op != proposal.Add, New: tree, Mode: c.NewMode}
		if err := e.repo.Accept([]gitops.Update{up}); err != nil {
			return res, err
		}
		records = e.recordAccepted([]gitops.Update{up})
	}
	// The proposal now starts from the tree as written and holds only the pending hunks.
	if err := e.layer.Drop(path); err != nil {
		return res, fmt.Errorf("update the proposal of %s: %w", path, err)
	}
	if res.Remaining > 0 {
		if err := e.layer.WriteFile(path, proposed, c.NewMode.Perm()); err != nil {
			return res, fmt.Errorf("keep the pending hunks of %s in the proposal: %w", path, err)
		}
	}
	e.reportResolution([]string{path}, records, len(res.Accepted) > 0, len(res.Rejected) > 0)
	return res, nil
}

// resolveWhole accepts or rejects a change that has no hunks.
func (e *Engine) resolveWhole(c proposal.Change, accept, reject bool) (Resolution, error) {
	res := Resolution{Path: c.Path}
	switch {
	case accept:
		if _, err := e.Accept([]string{c.Path}); err != nil {
			return res, err
		}
		res.Accepted = []diff.Hunk{{}}
	case reject:
		if err := e.layer.Drop(c.Path); err != nil {
			return res, fmt.Errorf("drop %s from the proposal: %w", c.Path, err)
		}
		e.reportResolution([]string{c.Path}, nil, false, true)
		res.Rejected = []diff.Hunk{{}}
	default:
		res.Remaining = 1
	}
	return res, nil
}

func (e *Engine) change(path string) (proposal.Change, error) {
	changes, err := e.layer.Changes()
	if err != nil {
		return proposal.Change{}, err
	}
	for _, c := range changes {
		if c.Path == path {
			return c, nil
		}
	}
	return proposal.Change{}, fmt.Errorf("%s is not in the proposal (it may have been accepted or rejected already)", path)
}

// reportResolution emits Accepted (with the records of the accepted changes) or Rejected for
// paths and the proposal's new change set.
func (e *Engine) reportResolution(paths []string, records []event.AcceptedChange, accepted, rejected bool) {
	cause := event.CauseAccept
	if accepted {
		e.events.Emit(event.Accepted{Files: paths, Changes: records})
	}
	if rejected {
		e.mu.Lock()
		e.rejectedSinceCommit = true
		e.mu.Unlock()
		e.events.Emit(event.Rejected{Files: paths})
		cause = event.CauseReject
	}
	e.reportProposal(cause, "")
}

// reportProposal emits the proposal's change set as it is now, saying what changed it.
func (e *Engine) reportProposal(cause, path string) {
	ev, err := loop.ProposalStats(e.layer)
	if err != nil {
		e.events.Emit(event.Error{Message: err.Error()})
		return
	}
	ev.Cause, ev.Path = cause, path
	e.emitMarked(ev)
	e.agent.ProposalReported(ev.Files)
}

// ErrNoRejections is returned by RejectionNote when there is nothing to tell the model.
var ErrNoRejections = errors.New("nothing was rejected")

// FeedbackOf sums up the review's feedback that RejectionNote words for the model: the number of
// hunks rejected and the note. It is nil when there is nothing to tell.
func FeedbackOf(rejected []Resolution, note string) *event.ReviewFeedback {
	fb := &event.ReviewFeedback{Note: strings.TrimSpace(note)}
	for _, r := range rejected {
		fb.Hunks += len(r.Rejected)
	}
	if fb.Hunks == 0 && fb.Note == "" {
		return nil
	}
	return fb
}

// RejectionNote is the message that tells the model which of its proposed hunks the user
// rejected, and why when note is not empty. The hunks are shown as unified diff hunks.
func RejectionNote(rejected []Resolution, note string) (string, error) {
	var b strings.Builder
	for _, r := range rejected {
		for _, h := range r.Rejected {
			if len(h.Lines) == 0 {
				fmt.Fprintf(&b, "\n%s: the whole change was rejected\n", r.Path)
				continue
			}
			fmt.Fprintf(&b, "\n%s:\n%s", r.Path, h.String())
		}
	}
	if b.Len() == 0 && strings.TrimSpace(note) == "" {
		return "", ErrNoRejections
	}
	text := prompts.Text("review_rejected.md") + "\n" + b.String()
	if note = strings.TrimSpace(note); note != "" {
		text += "\n" + prompts.Text("review_rejected_note.md") + "\n" + note + "\n"
	}
	return strings.TrimSpace(text), nil
}
