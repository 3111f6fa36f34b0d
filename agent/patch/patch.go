// Package patch applies model-written edits to a tree of files: patches in the apply_patch format,
// unified diffs as git writes them, and exact-replace edits. Hunks are matched forgivingly (in
// passes from exact to whitespace- and Unicode-insensitive), an ambiguous match is refused, and a
// patch is validated in full before any file is written, so a patch either applies whole or not at
// all.
package patch

import (
	"fmt"
	"io/fs"
	"strings"
)

// Format is the syntax a patch was written in.
type Format int

const (
	// FormatApplyPatch is the "*** Begin Patch" ... "*** End Patch" format.
	FormatApplyPatch Format = iota + 1
	// FormatUnified is a unified diff, as "git diff" or "diff -u" writes it.
	FormatUnified
)

func (f Format) String() string {
	switch f {
	case FormatApplyPatch:
		return "apply_patch"
	case FormatUnified:
		return "unified diff"
	}
	return "unknown format"
}

// A Patch is a parsed patch: a list of file operations applied in order.
type Patch struct {
	Format Format
	Files  []FilePatch
}

// A FilePatch is one operation on one file.
type FilePatch struct {
	// Op is 'A' (add), 'M' (update, possibly with a move) or 'D' (delete).
	Op byte
	// Path is the file the operation reads (for 'A', the file it creates).
	Path string
	// MoveTo, when set on an update, is where the updated file is written; Path is removed.
	MoveTo string
	// Hunks are the changes. For an add they hold the content as '+' lines; for a delete from a
	// unified diff, the lines the file must consist of.
	Hunks []Hunk
	// Mode, when non-zero, is the permission the file gets (from a unified diff's mode lines).
	Mode fs.FileMode
	// MustNotExist is set for a unified diff's new file. No add replaces an existing file (as
	// with git apply); the flag only chooses the advice given when the file exists.
	MustNotExist bool
	// line is where the operation starts in the patch text, for error messages.
	line int
}

// A Hunk is one change within a file: lines of context, removal and addition, in order.
type Hunk struct {
	// Anchors are "@@ text" lines: each names a line (a function or class header, say) that must
	// occur, in order, before the hunk.
	Anchors []string
	Lines   []Line
	// AtEOF is set when the hunk must end at the end of the file ("*** End of File").
	AtEOF bool
	// OldStart is the 1-based line the hunk starts at in the original file, as a unified diff
	// states it; 0 when unknown. It only breaks ties between equally good matches.
	OldStart int
	// OldNoEOL and NewNoEOL record "\ No newline at end of file" for the old and new side.
	OldNoEOL, NewNoEOL bool
	// ranged is set when OldStart was stated (a unified diff's "@@ -start,count" header).
	ranged bool
	// atStart is set for a unified diff's hunk at the start of the file (-1 or -0), which git
	// apply anchors there; here that breaks ties and shows a change already applied.
	atStart bool
	// line is where the hunk starts in the patch text.
	line int
}

// A Line is one line of a hunk. Kind is ' ' (context), '-' (removed) or '+' (added).
type Line struct {
	Kind byte
	Text string
	// CR is set when the line ended with a carriage return in a patch whose other lines do not
	// all end so: a diff of a file with CRLF line endings. An added line then ends as its
	// patch line did, where otherwise it takes the file's usual line ending.
	CR bool
}

// oldLines returns the lines the hunk expects in the file: its context and removed lines.
func (h *Hunk) oldLines() []string { return h.linesWithout('+') }

// newLines returns the lines the hunk leaves in the file: its context and added lines.
func (h *Hunk) newLines() []string { return h.linesWithout('-') }

func (h *Hunk) linesWithout(kind byte) []string {
	var out []string
	for _, l := range h.Lines {
		if l.Kind != kind {
			out = append(out, l.Text)
		}
	}
	return out
}

// Result lists the files an application changed (or, from Check, would change).
type Result struct {
	Files []FileResult
}

// FileResult is one changed file.
type FileResult struct {
	// Op is 'A' (added), 'M' (modified or moved) or 'D' (deleted).
	Op   byte
	Path string
	// From is the old path of a moved file.
	From string
}

// String returns one "A path", "M path" or "D path" line per file; a move reads
// "M new/path (moved from old/path)".
func (r *Result) String() string {
	var b strings.Builder
	for _, f := range r.Files {
		fmt.Fprintf(&b, "%c %s", f.Op, f.Path)
		if f.From != "" {
			fmt.Fprintf(&b, " (moved from %s)", f.From)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
