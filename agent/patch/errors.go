package patch

import (
	"fmt"
	"strings"

	"hew/gitops/fsguard"
)

// ErrorKind classifies an Error.
type ErrorKind int

const (
	// ErrSyntax: the patch text could not be parsed.
	ErrSyntax ErrorKind = iota + 1
	// ErrRefused: the operation is not allowed (unsafe path, binary file, missing file, ...).
	ErrRefused
	// ErrNoMatch: a hunk's lines were not found in the file.
	ErrNoMatch
	// ErrAmbiguous: a hunk's lines were found in more than one place.
	ErrAmbiguous
	// ErrWrite: the file system failed while writing; nothing was left changed.
	ErrWrite
	// ErrApplied: the patch's change is already in the file (the patch was applied before).
	ErrApplied
)

// Error describes why a patch or edit did not apply. Its text is written for a model to act on:
// the file, the hunk, the lines that did not match and the closest lines in the file, or every
// candidate location of an ambiguous hunk.
type Error struct {
	Kind ErrorKind
	// Path is the file concerned, if any.
	Path string
	// Hunk is the 1-based hunk number within the file's operation; 0 when not about a hunk.
	Hunk int
	// Hunks is how many hunks the file's operation has.
	Hunks int
	// Line is the line of the patch text the error is about, for syntax errors; 0 if none.
	Line int
	// Msg says what went wrong, in one sentence.
	Msg string
	// Detail holds supporting lines (expected lines, closest lines, candidates) and advice.
	Detail string
	// Err is the underlying error, if any.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Kind == ErrSyntax && e.Line > 0:
		fmt.Fprintf(&b, "patch line %d: ", e.Line)
	case e.Kind == ErrSyntax:
		b.WriteString("patch: ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		if e.Hunk > 0 {
			fmt.Fprintf(&b, ": hunk %d of %d", e.Hunk, e.Hunks)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil && !strings.Contains(e.Msg, e.Err.Error()) {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Detail != "" {
		b.WriteString("\n")
		b.WriteString(strings.TrimRight(e.Detail, "\n"))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrUnsafePath is wrapped by errors about paths that are absolute, climb out of the root, pass
// through a symbolic link leading outside it, or point into .git.
var ErrUnsafePath = fsguard.ErrUnsafe

func syntaxErr(line int, format string, args ...any) *Error {
	return &Error{Kind: ErrSyntax, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func refuse(path string, err error, format string, args ...any) *Error {
	return &Error{Kind: ErrRefused, Path: path, Msg: fmt.Sprintf(format, args...), Err: err}
}

// quoteLines renders lines indented under a heading, one per line, with a prefix each.
func quoteLines(b *strings.Builder, prefix string, lines []string) {
	for _, l := range lines {
		b.WriteString("    ")
		b.WriteString(prefix)
		b.WriteString(l)
		b.WriteByte('\n')
	}
}

// numberedLines renders file lines [from, to) with 1-based line numbers.
func numberedLines(b *strings.Builder, lines []string, from, to int) {
	from = max(from, 0)
	to = min(to, len(lines))
	for i := from; i < to; i++ {
		fmt.Fprintf(b, "    %5d| %s\n", i+1, lines[i])
	}
}
