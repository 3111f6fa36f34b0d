package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"hew/gitops"
	"hew/gitops/diff"
)

// CommitDraft is what a commit message is written from: the user's task and the changes the
// commit takes — only what was accepted, never what the model proposed and the user rejected.
type CommitDraft struct {
	Task    string
	Changes []CommitChange
	// Partial reports that the commit does not do all the model proposed for the task: the
	// user rejected some of it since the last commit, or some is still pending. The task then
	// does not describe the commit.
	Partial bool
}

// CommitChange is one file of a commit: its change from the content it had before it was
// accepted (Old) to the content accepted (New).
type CommitChange struct {
	Path           string
	Op             string // "added", "modified" or "deleted"
	Old, New       []byte
	Added, Removed int
	// Hunks are the changed line ranges of New, such as "3-5", for a text file.
	Hunks []string
}

// CommitMessageWriter writes a commit message from a draft. DescribeCommit is the default; a
// session may set another (such as one that asks a small model) with SetCommitMessageWriter.
// An error makes the engine fall back to DescribeCommit.
type CommitMessageWriter func(ctx context.Context, d CommitDraft) (string, error)

// SetCommitMessageWriter makes w write the session's commit messages; nil restores
// DescribeCommit.
func (e *Engine) SetCommitMessageWriter(w CommitMessageWriter) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.messageWriter = w
}

// CommitMessage drafts the message of a commit of every accepted, uncommitted change, for task
// (the user's request), which front ends show to the user to edit before committing.
func (e *Engine) CommitMessage(ctx context.Context, task string) string {
	e.mu.Lock()
	ups := make([]gitops.Update, 0, len(e.accepted))
	for _, u := range e.accepted {
		ups = append(ups, u)
	}
	rejected := e.rejectedSinceCommit
	e.mu.Unlock()
	d := draftOf(task, ups)
	pending, err := e.layer.Changes()
	d.Partial = rejected || err != nil || len(pending) > 0
	return e.writeMessage(ctx, d)
}

// writeMessage writes d's message with the session's writer, falling back to DescribeCommit.
func (e *Engine) writeMessage(ctx context.Context, d CommitDraft) string {
	e.mu.Lock()
	w := e.messageWriter
	e.mu.Unlock()
	if w != nil {
		if msg, err := w(ctx, d); err == nil && strings.TrimSpace(msg) != "" {
			return msg
		} else if err != nil {
			e.Notify("warn", "the commit message was written without the model: "+err.Error())
		}
	}
	return DescribeCommit(d)
}

// draftOf is the draft of a commit of ups for task, its files sorted by path.
func draftOf(task string, ups []gitops.Update) CommitDraft {
	d := CommitDraft{Task: strings.TrimSpace(task)}
	for _, u := range ups {
		c := CommitChange{Path: u.Path, Op: "modified", Old: u.Base, New: u.New}
		switch {
		case u.Delete:
			c.Op, c.New = "deleted", nil
		case !u.BaseExists:
			c.Op, c.Old = "added", nil
		}
		if !diff.IsBinary(c.Old) && !diff.IsBinary(c.New) {
			for _, h := range diff.Hunks(c.Old, c.New, 0) {
				for _, l := range h.Lines {
					switch l.Kind {
					case '+':
						c.Added++
					case '-':
						c.Removed++
					}
				}
				if c.Op == "modified" {
					c.Hunks = append(c.Hunks, lineRange(h))
				}
			}
		}
		d.Changes = append(d.Changes, c)
	}
	sort.Slice(d.Changes, func(i, j int) bool { return d.Changes[i].Path < d.Changes[j].Path })
	return d
}

// lineRange names the lines of the new side h covers: "7", "3-5", or "after 4" for a removal.
func lineRange(h diff.Hunk) string {
	switch {
	case h.NewLines == 0:
		return fmt.Sprintf("after %d", h.NewStart)
	case h.NewLines == 1:
		return fmt.Sprint(h.NewStart)
	}
	return fmt.Sprintf("%d-%d", h.NewStart, h.NewStart+h.NewLines-1)
}

// DescribeCommit writes a commit message from d without a model: a subject, then a body that
// lists each file the commit changes with its changed lines and counts, then the task. The
// subject is the task's first line (capitalised, cut to 72 characters at a word) when the
// commit does all that was proposed for it; when it is Partial, the subject names the files
// instead, so that it claims nothing the user rejected.
//
//	Fix the off-by-one in Sum
//
//	Changes:
//	- calc.go: modified, lines 7-9 (+1 -1)
//	- calc_test.go: added (+12)
//
//	Task: fix the off-by-one in Sum
func DescribeCommit(d CommitDraft) string {
	subject, _, _ := strings.Cut(d.Task, "\n")
	subject = strings.TrimRight(strings.TrimSpace(subject), ".:!? ")
	if subject == "" || d.Partial {
		names := make([]string, len(d.Changes))
		for i, c := range d.Changes {
			names[i] = c.Path
		}
		subject = "Update " + strings.Join(names, ", ")
		if len(names) > 3 || len(subject) > 72 {
			subject = fmt.Sprintf("Update %d files", len(names))
		}
	}
	if r, n := utf8.DecodeRuneInString(subject); r != utf8.RuneError {
		subject = string(unicode.ToUpper(r)) + subject[n:]
	}
	var b strings.Builder
	b.WriteString(clipWords(subject, 72))
	if len(d.Changes) > 0 {
		b.WriteString("\n\nChanges:")
		for _, c := range d.Changes {
			fmt.Fprintf(&b, "\n- %s: %s", c.Path, c.Op)
			if len(c.Hunks) > 0 {
				word := "line"
				if len(c.Hunks) > 1 || strings.Contains(c.Hunks[0], "-") {
					word = "lines"
				}
				fmt.Fprintf(&b, ", %s %s", word, strings.Join(c.Hunks, ", "))
			}
			switch {
			case c.Added > 0 && c.Removed > 0:
				fmt.Fprintf(&b, " (+%d -%d)", c.Added, c.Removed)
			case c.Added > 0:
				fmt.Fprintf(&b, " (+%d)", c.Added)
			case c.Removed > 0:
				fmt.Fprintf(&b, " (-%d)", c.Removed)
			}
		}
	}
	switch {
	case d.Task != "" && d.Partial:
		b.WriteString("\n\nPart of the task (other changes proposed for it were rejected or are still pending): " + d.Task)
	case d.Task != "":
		b.WriteString("\n\nTask: " + d.Task)
	}
	return b.String()
}
