package diff

import (
	"fmt"
	"slices"
	"strings"
)

// Range is a run of lines: Start is the 1-based first line, or for an empty range the line
// before it.
type Range struct{ Start, Lines int }

// String formats the range for people: "line 4", "lines 4-9", or "after line 4" when empty.
func (r Range) String() string {
	switch r.Lines {
	case 0:
		return fmt.Sprintf("after line %d", r.Start)
	case 1:
		return fmt.Sprintf("line %d", r.Start)
	}
	return fmt.Sprintf("lines %d-%d", r.Start, r.Start+r.Lines-1)
}

// Conflict is a place where two texts derived from the same base changed the same or adjacent
// lines differently.
type Conflict struct {
	Base   Range // the lines of the base involved
	Ours   Range // what ours has in their place
	Theirs Range // what theirs has in their place
}

// change is one region of a two-way diff in base coordinates: base lines [start, end) become
// lines.
type change struct {
	start, end int
	lines      []string
	theirs     bool
}

// changes returns the regions where changed differs from base.
func changes(base, changed []byte, theirs bool) []change {
	var out []change
	for _, h := range Hunks(base, changed, 0) {
		start := h.OldStart - 1
		if h.OldLines == 0 {
			start = h.OldStart
		}
		_, lines := h.sides()
		out = append(out, change{start: start, end: start + h.OldLines, lines: lines, theirs: theirs})
	}
	return out
}

// Merge combines two texts derived from base: ours and theirs. Changes on one side only are
// taken; the same change on both sides is taken once; changes of both sides that overlap or
// touch are conflicts. When there are conflicts, Merge returns them and no text.
func Merge(base, ours, theirs []byte) ([]byte, []Conflict) {
	all := append(changes(base, ours, false), changes(base, theirs, true)...)
	slices.SortStableFunc(all, func(a, b change) int { return a.start - b.start })
	lines := splitLines(string(base))
	if len(base) == 0 {
		lines = nil
	}
	var out strings.Builder
	var conflicts []Conflict
	cursor := 0
	var shift [2]int // lines ours and theirs have gained before cursor
	for i := 0; i < len(all); {
		// A group is a chain of changes that overlap or touch.
		j, end := i+1, all[i].end
		for j < len(all) && all[j].start <= end {
			end = max(end, all[j].end)
			j++
		}
		group := all[i:j]
		pick, ok := resolve(group)
		start := all[i].start
		var grow [2]int
		for _, ch := range group {
			grow[side(ch)] += len(ch.lines) - (ch.end - ch.start)
		}
		if !ok {
			conflicts = append(conflicts, Conflict{
				Base:   lineRange(start, end),
				Ours:   lineRange(start+shift[0], end+shift[0]+grow[0]),
				Theirs: lineRange(start+shift[1], end+shift[1]+grow[1]),
			})
		}
		shift[0] += grow[0]
		shift[1] += grow[1]
		for _, l := range lines[cursor:start] {
			out.WriteString(l)
		}
		for _, l := range pick {
			out.WriteString(l)
		}
		cursor = end
		i = j
	}
	if len(conflicts) > 0 {
		return nil, conflicts
	}
	for _, l := range lines[cursor:] {
		out.WriteString(l)
	}
	return []byte(out.String()), nil
}

// side is 0 for a change of ours, 1 for theirs.
func side(ch change) int {
	if ch.theirs {
		return 1
	}
	return 0
}

// resolve returns the replacement for a group of changes: the group's only change, or the change
// both sides made identically. ok is false for a conflict.
func resolve(group []change) (lines []string, ok bool) {
	if len(group) == 1 {
		return group[0].lines, true
	}
	if len(group) == 2 && group[0].theirs != group[1].theirs {
		a, b := group[0], group[1]
		if a.start == b.start && a.end == b.end && slices.Equal(a.lines, b.lines) {
			return a.lines, true
		}
	}
	return nil, false
}

// lineRange converts 0-based [start, end) to a Range.
func lineRange(start, end int) Range {
	if end == start {
		return Range{start, 0}
	}
	return Range{start + 1, end - start}
}
