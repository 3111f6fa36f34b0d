package patch

import (
	"bytes"
	"sort"
	"strings"
)

const bom = "\ufeff"

// text is a file's content as lines, keeping each line's own terminator so that untouched lines
// are written back byte for byte.
type text struct {
	bom   bool
	lines []string // without terminators
	ends  []string // "\n", "\r\n", or "" for a last line without a newline
	eol   string   // the terminator new lines get: the file's dominant one
}

// isBinary reports whether data looks like a binary file: it has a NUL byte near the start.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

func parseText(data []byte) *text {
	s := string(data)
	t := &text{eol: "\n"}
	if strings.HasPrefix(s, bom) {
		t.bom = true
		s = s[len(bom):]
	}
	n := strings.Count(s, "\n") + 1
	t.lines, t.ends = make([]string, 0, n), make([]string, 0, n)
	crlf, lf := 0, 0
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			t.lines = append(t.lines, s)
			t.ends = append(t.ends, "")
			break
		}
		line, end := s[:i], "\n"
		if strings.HasSuffix(line, "\r") {
			line, end = line[:len(line)-1], "\r\n"
			crlf++
		} else {
			lf++
		}
		t.lines = append(t.lines, line)
		t.ends = append(t.ends, end)
		s = s[i+1:]
	}
	if crlf > lf {
		t.eol = "\r\n"
	}
	return t
}

func (t *text) bytes() []byte {
	var b bytes.Buffer
	size := len(bom)
	for i, l := range t.lines {
		size += len(l) + len(t.ends[i]) + len(t.eol)
	}
	b.Grow(size)
	if t.bom {
		b.WriteString(bom)
	}
	for i, l := range t.lines {
		b.WriteString(l)
		end := t.ends[i]
		if end == "" && i < len(t.lines)-1 {
			end = t.eol
		}
		b.WriteString(end)
	}
	return b.Bytes()
}

// tailPolicy says what terminator the last line gets when a replacement reaches the end of file.
type tailPolicy int

const (
	tailNewline tailPolicy = iota // end the file with a newline
	tailNone                      // end the file without a newline
	tailKeep                      // keep the original file's last terminator
)

// A replacement swaps lines [start, start+n) of a text for new lines.
type replacement struct {
	start, n int
	lines    []string
	// ends, when set, gives each new line its terminator; "" (or no ends) means the text's
	// usual one.
	ends []string
	tail tailPolicy
	hunk int // 1-based hunk number, for error messages
}

// replace applies non-overlapping replacements (sorted here by start) and returns the new text.
// An overlap is reported as the two hunk numbers involved.
func (t *text) replace(reps []replacement) (*text, [2]int, bool) {
	sort.SliceStable(reps, func(i, j int) bool { return reps[i].start < reps[j].start })
	for i := 1; i < len(reps); i++ {
		a, b := reps[i-1], reps[i]
		if a.start+a.n > b.start {
			return nil, [2]int{min(a.hunk, b.hunk), max(a.hunk, b.hunk)}, false
		}
	}
	size := len(t.lines)
	for _, r := range reps {
		size += len(r.lines) - r.n
	}
	out := &text{bom: t.bom, eol: t.eol, lines: make([]string, 0, size), ends: make([]string, 0, size)}
	pos := 0
	for _, r := range reps {
		out.lines = append(out.lines, t.lines[pos:r.start]...)
		out.ends = append(out.ends, t.ends[pos:r.start]...)
		for i, l := range r.lines {
			end := t.eol
			if i < len(r.ends) && r.ends[i] != "" {
				end = r.ends[i]
			}
			out.lines = append(out.lines, l)
			out.ends = append(out.ends, end)
		}
		pos = r.start + r.n
		if pos == len(t.lines) && len(r.lines) > 0 {
			last := len(out.ends) - 1
			switch r.tail {
			case tailNone:
				out.ends[last] = ""
			case tailKeep:
				if r.n > 0 {
					out.ends[last] = t.ends[len(t.ends)-1]
				}
			}
		}
	}
	out.lines = append(out.lines, t.lines[pos:]...)
	out.ends = append(out.ends, t.ends[pos:]...)
	return out, [2]int{}, true
}
