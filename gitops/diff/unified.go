package diff

import (
	"bytes"
	"fmt"
	"strings"
)

// DefaultContext is the number of context lines git shows around a change.
const DefaultContext = 3

// noNewline is the marker git prints after a last line that has no newline.
const noNewline = `\ No newline at end of file`

// Unified returns a git-style unified diff from old at oldPath to new at newPath, with
// DefaultContext lines of context: a "diff --git" line, the "---" and "+++" file lines, and the
// hunks. An empty oldPath means the file is created and an empty newPath that it is deleted; the
// file lines then name /dev/null. Binary contents (see IsBinary) are reported in one line, as git
// does. Unified returns "" when old and new are equal.
func Unified(oldPath, newPath string, old, new []byte) string {
	if bytes.Equal(old, new) && oldPath != "" && newPath != "" {
		return ""
	}
	a, b := "a/"+oldPath, "b/"+newPath
	header := "diff --git " + a + " " + b + "\n"
	switch {
	case oldPath == "":
		header = "diff --git a/" + newPath + " " + b + "\n"
		a = "/dev/null"
	case newPath == "":
		header = "diff --git " + a + " b/" + oldPath + "\n"
		b = "/dev/null"
	}
	var sb strings.Builder
	sb.WriteString(header)
	if IsBinary(old) || IsBinary(new) {
		fmt.Fprintf(&sb, "Binary files %s and %s differ\n", a, b)
		return sb.String()
	}
	hunks := Hunks(old, new, DefaultContext)
	if len(hunks) == 0 {
		return sb.String() // an empty file created or deleted
	}
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", a, b)
	for _, h := range hunks {
		sb.WriteString(h.String())
	}
	return sb.String()
}

// Header returns the hunk's "@@ -l,s +l,s @@" line, without a newline.
func (h Hunk) Header() string {
	return "@@ -" + span(h.OldStart, h.OldLines) + " +" + span(h.NewStart, h.NewLines) + " @@"
}

// span formats one side of a hunk header; a count of one is left out, as git does.
func span(start, lines int) string {
	if lines == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, lines)
}

// String returns the hunk as it appears in a unified diff: its header, then each line prefixed
// by its kind, with the "\ No newline at end of file" marker where git puts it.
func (h Hunk) String() string {
	var sb strings.Builder
	sb.WriteString(h.Header())
	sb.WriteByte('\n')
	oldSeen, newSeen := 0, 0
	for _, l := range h.Lines {
		sb.WriteByte(l.Kind)
		sb.WriteString(l.Text)
		sb.WriteByte('\n')
		if l.Kind != '+' {
			oldSeen++
		}
		if l.Kind != '-' {
			newSeen++
		}
		lastOld := l.Kind != '+' && oldSeen == h.OldLines && h.OldNoNewline
		lastNew := l.Kind != '-' && newSeen == h.NewLines && h.NewNoNewline
		if lastOld || lastNew {
			sb.WriteString(noNewline + "\n")
		}
	}
	return sb.String()
}
