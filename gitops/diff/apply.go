package diff

import (
	"fmt"
	"slices"
	"strings"
)

// Apply applies hunks, a subset of Hunks(old, new, n) for some new and n, to old and returns the
// result: the partial acceptance of a change. Each hunk is placed at its recorded line when its
// old lines are there, else at the nearest place after the previous hunk where they are. Apply
// returns an error naming the hunk when its old lines are found nowhere or when hunks overlap.
func Apply(old []byte, hunks []Hunk) ([]byte, error) {
	hunks = slices.Clone(hunks)
	slices.SortStableFunc(hunks, func(a, b Hunk) int { return a.OldStart - b.OldStart })
	lines := splitLines(string(old))
	if len(old) == 0 {
		lines = nil
	}
	var out strings.Builder
	out.Grow(len(old))
	cursor := 0 // lines of old already copied or replaced
	for _, h := range hunks {
		want, repl := h.sides()
		at := h.OldStart - 1
		if h.OldLines == 0 {
			at = h.OldStart
		}
		pos, err := locate(lines, want, at, cursor)
		if err != nil {
			return nil, fmt.Errorf("hunk %s does not fit: %w", h.Header(), err)
		}
		for _, l := range lines[cursor:pos] {
			out.WriteString(l)
		}
		for _, l := range repl {
			out.WriteString(l)
		}
		cursor = pos + len(want)
	}
	for _, l := range lines[cursor:] {
		out.WriteString(l)
	}
	return []byte(out.String()), nil
}

// sides returns the hunk's old lines (context and removed) and new lines (context and added),
// each with its newline unless it is the last line of a text that lacks one.
func (h Hunk) sides() (old, new []string) {
	for _, l := range h.Lines {
		if l.Kind != '+' {
			old = append(old, l.Text+"\n")
		}
		if l.Kind != '-' {
			new = append(new, l.Text+"\n")
		}
	}
	if h.OldNoNewline && len(old) > 0 {
		old[len(old)-1] = strings.TrimSuffix(old[len(old)-1], "\n")
	}
	if h.NewNoNewline && len(new) > 0 {
		new[len(new)-1] = strings.TrimSuffix(new[len(new)-1], "\n")
	}
	return old, new
}

// locate returns where want occurs in lines at or after from: at itself when it fits there,
// else the nearest fitting place. The error describes the first difference at the line at.
func locate(lines, want []string, at, from int) (int, error) {
	fits := func(p int) bool {
		return p >= from && p+len(want) <= len(lines) && slices.Equal(lines[p:p+len(want)], want)
	}
	if fits(at) {
		return at, nil
	}
	if len(want) > 0 {
		for d := 1; at-d >= from || at+d+len(want) <= len(lines); d++ {
			if fits(at - d) {
				return at - d, nil
			}
			if fits(at + d) {
				return at + d, nil
			}
		}
	}
	switch {
	case at < from:
		return 0, fmt.Errorf("it overlaps the hunk before it")
	case at+len(want) > len(lines):
		return 0, fmt.Errorf("the text has %d lines, the hunk needs lines %d to %d", len(lines), at+1, at+len(want))
	}
	for i, w := range want {
		if lines[at+i] != w {
			return 0, fmt.Errorf("line %d is %q, the hunk expects %q", at+i+1, lines[at+i], w)
		}
	}
	return 0, fmt.Errorf("its lines are not in the text") // unreachable: fits(at) would hold
}
