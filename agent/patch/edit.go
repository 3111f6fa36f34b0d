package patch

import (
	"fmt"
	"io/fs"
	"strings"
)

// Edit replaces oldString with newString in the file at path: the edit_file tool. oldString must
// occur exactly once unless replaceAll is set. It is searched for exactly first; if it is not
// found, its lines are searched for with the same forgiving passes as patch hunks (ignoring
// trailing whitespace, then indentation, then Unicode punctuation). An empty oldString creates the
// file, which must not exist or be empty. The same path and file checks as Apply are made, and
// the file keeps its line endings, byte-order mark and mode. A returned error is an *Error.
func Edit(fsys FS, path, oldString, newString string, replaceAll bool) (*Result, error) {
	pl := newPlan(fsys)
	fr, err := pl.edit(path, oldString, newString, replaceAll)
	if err != nil {
		return nil, err
	}
	if err := pl.commit(); err != nil {
		return nil, err
	}
	return &Result{Files: []FileResult{fr}}, nil
}

func (pl *plan) edit(path, oldString, newString string, replaceAll bool) (FileResult, error) {
	if oldString == "" {
		name, e, err := pl.load(path)
		if err != nil {
			return FileResult{}, err
		}
		if err := e.checkFile(name, "create"); err != nil {
			return FileResult{}, err
		}
		if e.exists && len(e.data) > 0 {
			return FileResult{}, refuse(name, fs.ErrExist, "cannot create it: the file already exists and is not empty; to change it, pass the text to replace as old_string")
		}
		op, mode := byte('A'), defaultPerm
		if e.exists {
			op, mode = 'M', e.mode
		}
		e.set([]byte(newString), mode)
		return FileResult{Op: op, Path: name}, nil
	}
	name, e, err := pl.loadFile(path, "edit")
	if err != nil {
		return FileResult{}, err
	}
	if oldString == newString {
		return FileResult{}, refuse(name, nil, "old_string and new_string are the same, so there is nothing to change")
	}
	t, err := e.decode(name)
	if err != nil {
		return FileResult{}, err
	}
	oldString = strings.ReplaceAll(oldString, "\r\n", "\n")
	newString = strings.ReplaceAll(newString, "\r\n", "\n")
	out, err := editExact(name, t, oldString, newString, replaceAll)
	if err == nil && out == nil {
		out, err = editLines(name, t, oldString, newString, replaceAll)
	}
	if err != nil {
		return FileResult{}, err
	}
	e.set(out.bytes(), e.mode)
	return FileResult{Op: 'M', Path: name}, nil
}

// editExact replaces exact occurrences of old in the text (with every line ending read as "\n").
// It returns nil and no error when old does not occur.
func editExact(name string, t *text, old, new string, replaceAll bool) (*text, error) {
	// The text as one string, and where each line starts in it.
	var b strings.Builder
	starts := make([]int, len(t.lines)+1)
	for i, l := range t.lines {
		starts[i] = b.Len()
		b.WriteString(l)
		if t.ends[i] != "" {
			b.WriteByte('\n')
		}
	}
	starts[len(t.lines)] = b.Len()
	s := b.String()
	var occ []int
	for from := 0; ; {
		i := strings.Index(s[from:], old)
		if i < 0 {
			break
		}
		occ = append(occ, from+i)
		from += i + len(old)
	}
	if len(occ) == 0 {
		return nil, nil
	}
	lineOf := func(off int) int { // the line holding byte off
		lo, hi := 0, len(t.lines)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if starts[mid] <= off {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	if len(occ) > 1 && !replaceAll {
		lines := make([]int, len(occ))
		for i, o := range occ {
			lines[i] = lineOf(o)
		}
		return nil, &Error{Kind: ErrAmbiguous, Path: name,
			Msg:    fmt.Sprintf("old_string occurs %d times, at %s; it is not clear which is meant", len(occ), lineRanges(lines, 1)),
			Detail: "Include more of the surrounding lines in old_string so it occurs once, or set replace_all to change every occurrence."}
	}
	// Group occurrences into runs of whole lines and rewrite each run.
	var reps []replacement
	for k := 0; k < len(occ); {
		first := lineOf(occ[k])
		end := starts[lineOf(occ[k]+len(old)-1)+1] // end of the run, just past a line's newline
		var seg strings.Builder
		pos := starts[first]
		for {
			for k < len(occ) && occ[k] < end {
				seg.WriteString(s[pos:occ[k]])
				seg.WriteString(new)
				pos = occ[k] + len(old)
				end = max(end, starts[lineOf(pos-1)+1])
				k++
			}
			seg.WriteString(s[pos:end])
			pos = end
			// A run must end with a newline unless it reaches the end of the file.
			if end == len(s) || strings.HasSuffix(seg.String(), "\n") {
				break
			}
			end = starts[lineOf(end)+1]
		}
		last := lineOf(end - 1)
		text := seg.String()
		tail := tailNewline
		if !strings.HasSuffix(text, "\n") {
			tail = tailNone
		}
		var lines []string
		if text != "" {
			lines = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		}
		reps = append(reps, replacement{start: first, n: last - first + 1, lines: lines, tail: tail})
	}
	out, _, _ := t.replace(reps)
	return out, nil
}

// editLines replaces old's lines, found with the forgiving passes, by new's lines.
func editLines(name string, t *text, old, new string, replaceAll bool) (*text, error) {
	oldL := strings.Split(strings.TrimSuffix(old, "\n"), "\n")
	newL := strings.Split(strings.TrimSuffix(new, "\n"), "\n")
	if new == "" {
		newL = nil
	}
	// Lines old and new share at either end are context; the rest is removed and added.
	pre := 0
	for pre < len(oldL) && pre < len(newL) && oldL[pre] == newL[pre] {
		pre++
	}
	suf := 0
	for suf < len(oldL)-pre && suf < len(newL)-pre && oldL[len(oldL)-1-suf] == newL[len(newL)-1-suf] {
		suf++
	}
	h := &Hunk{}
	for _, l := range oldL[:pre] {
		h.Lines = append(h.Lines, Line{Kind: ' ', Text: l})
	}
	for _, l := range oldL[pre : len(oldL)-suf] {
		h.Lines = append(h.Lines, Line{Kind: '-', Text: l})
	}
	for _, l := range newL[pre : len(newL)-suf] {
		h.Lines = append(h.Lines, Line{Kind: '+', Text: l})
	}
	for _, l := range oldL[len(oldL)-suf:] {
		h.Lines = append(h.Lines, Line{Kind: ' ', Text: l})
	}
	m := newMatcher(t.lines)
	for p := range numPasses {
		cands := m.find(p, oldL)
		if len(cands) == 0 {
			continue
		}
		if len(cands) > 1 && !replaceAll {
			return nil, &Error{Kind: ErrAmbiguous, Path: name,
				Msg:    fmt.Sprintf("old_string was not found exactly; its lines occur %d times (matching %s), at %s; it is not clear which is meant", len(cands), passNames[p], lineRanges(cands, len(oldL))),
				Detail: "Include more of the surrounding lines in old_string so it occurs once, or set replace_all to change every occurrence."}
		}
		var reps []replacement
		next := 0
		for _, c := range cands {
			if c < next {
				continue // overlaps the previous occurrence
			}
			reps = append(reps, replacement{start: c, n: len(oldL), lines: m.place(h, oldL, placement{start: c, pass: p}), tail: tailKeep})
			next = c + len(oldL)
		}
		out, _, _ := t.replace(reps)
		return out, nil
	}
	return nil, &Error{Kind: ErrNoMatch, Path: name, Msg: "old_string was not found in the file",
		Detail: notFoundDetail(m, name, oldL, "old_string has these lines:\n")}
}
