// Package diff computes line diffs between two versions of a file, renders them as git-style
// unified diffs, and applies a chosen subset of their hunks.
//
// It is a thin layer over github.com/sergi/go-diff in line mode. A line is compared together with
// its newline, so a last line that lacks one differs from the same text followed by a newline,
// as in git.
package diff

import (
	"bytes"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Line is one line of a hunk.
type Line struct {
	// Kind is ' ' for context, '-' for a line only in the old text, '+' for a line only in the new.
	Kind byte
	// Text is the line without its newline.
	Text string
}

// Hunk is one region of change with its surrounding context, numbered as in a unified diff
// header "@@ -OldStart,OldLines +NewStart,NewLines @@": the starts are 1-based line numbers, and
// an empty range starts at the line before it (0 at the top of the file).
type Hunk struct {
	OldStart, OldLines int
	NewStart, NewLines int
	Lines              []Line
	// OldNoNewline and NewNoNewline report that the hunk reaches the end of the old or new text
	// and that text's last line has no newline ("\ No newline at end of file").
	OldNoNewline, NewNoNewline bool
}

// op is one line of the edit script; text keeps its newline, if it has one.
type op struct {
	kind byte
	text string
}

// script returns the line-by-line edit script that turns old into new. Within each run of
// changes, removed lines come before added ones.
func script(old, new []byte) []op {
	if bytes.Count(old, []byte{'\n'})+bytes.Count(new, []byte{'\n'}) >= maxLines {
		return replaceAll(old, new)
	}
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToRunes(string(old), string(new))
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(a, b, false), lines)
	var ops, added []op
	for _, d := range diffs {
		kind := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			kind = '-'
		case diffmatchpatch.DiffInsert:
			kind = '+'
		}
		for _, l := range splitLines(d.Text) {
			switch kind {
			case '+':
				added = append(added, op{kind, l})
			case '-':
				ops = append(ops, op{kind, l})
			default:
				ops = append(ops, added...)
				added = added[:0]
				ops = append(ops, op{kind, l})
			}
		}
	}
	return append(ops, added...)
}

// maxLines bounds the lines script diffs: go-diff numbers distinct lines with runes, of which there
// are about 1.1 million.
const maxLines = 1_000_000

// replaceAll is the edit script that removes every line of old and adds every line of new.
func replaceAll(old, new []byte) []op {
	var ops []op
	for _, l := range splitLines(string(old)) {
		ops = append(ops, op{'-', l})
	}
	for _, l := range splitLines(string(new)) {
		ops = append(ops, op{'+', l})
	}
	return ops
}

// splitLines splits s after each newline; a last line without a newline is kept.
func splitLines(s string) []string {
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// Hunks returns the changes between old and new grouped into hunks with context lines of
// unchanged text on each side; changes closer than 2*context lines share a hunk. It returns nil
// when the texts are equal.
func Hunks(old, new []byte, context int) []Hunk {
	if bytes.Equal(old, new) {
		return nil
	}
	if context < 0 {
		context = 0
	}
	ops := script(old, new)
	var hunks []Hunk
	i := 0
	oldLine, newLine := 0, 0 // lines of old and new before ops[i]
	for i < len(ops) {
		if ops[i].kind == ' ' {
			oldLine++
			newLine++
			i++
			continue
		}
		// A change starts at i: take up to context lines before it.
		pre := 0
		for pre < context && i-pre-1 >= 0 && ops[i-pre-1].kind == ' ' {
			pre++
		}
		start, end := i-pre, i
		// Extend over changes until a run of more than 2*context unchanged lines (or the end).
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end += min(context, run-end)
				break
			}
			end = run
		}
		hunks = append(hunks, makeHunk(ops[start:end], oldLine-pre, newLine-pre))
		for _, o := range ops[i:end] {
			if o.kind != '+' {
				oldLine++
			}
			if o.kind != '-' {
				newLine++
			}
		}
		i = end
	}
	return hunks
}

// makeHunk builds a hunk from ops that begin after oldBefore lines of old and newBefore of new.
func makeHunk(ops []op, oldBefore, newBefore int) Hunk {
	h := Hunk{Lines: make([]Line, len(ops))}
	for j, o := range ops {
		text, hasNL := strings.CutSuffix(o.text, "\n")
		h.Lines[j] = Line{Kind: o.kind, Text: text}
		if o.kind != '+' {
			h.OldLines++
			h.OldNoNewline = !hasNL
		}
		if o.kind != '-' {
			h.NewLines++
			h.NewNoNewline = !hasNL
		}
	}
	h.OldStart, h.NewStart = oldBefore, newBefore
	if h.OldLines > 0 {
		h.OldStart++
	}
	if h.NewLines > 0 {
		h.NewStart++
	}
	return h
}

// Stat returns how many lines new adds to old and how many it removes.
func Stat(old, new []byte) (added, removed int) {
	if bytes.Equal(old, new) {
		return 0, 0
	}
	for _, o := range script(old, new) {
		switch o.kind {
		case '+':
			added++
		case '-':
			removed++
		}
	}
	return added, removed
}

// IsBinary reports whether b looks like binary data, by git's rule: a NUL byte within the first
// 8000 bytes.
func IsBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0
}
