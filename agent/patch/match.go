package patch

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A pass is one way of comparing a hunk's lines with a file's lines. Passes are tried in order
// and the first that finds the hunk decides.
type pass int

const (
	passExact     pass = iota // byte for byte
	passTrimRight             // ignoring trailing whitespace
	passTrim                  // ignoring leading and trailing whitespace
	passUnicode               // also after normalising Unicode dashes, quotes and spaces
	numPasses
)

var passNames = [numPasses]string{"exactly", "ignoring trailing whitespace", "ignoring indentation", "after normalising Unicode punctuation"}

// lineKey is what a pass compares: two lines match under p when their keys are equal.
func lineKey(p pass, s string) string {
	switch p {
	case passTrimRight:
		return strings.TrimRightFunc(s, unicode.IsSpace)
	case passTrim:
		return strings.TrimSpace(s)
	case passUnicode:
		return strings.TrimSpace(normalizeUnicode(s))
	}
	return s
}

// normalizeUnicode maps typographic dashes, quotes and spaces to their ASCII forms.
func normalizeUnicode(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe58', '\ufe63', '\uff0d':
			b.WriteByte('-')
		case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032', '\uff07':
			b.WriteByte('\'')
		case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb', '\uff02':
			b.WriteByte('"')
		case '\u00a0', '\u1680', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006',
			'\u2007', '\u2008', '\u2009', '\u200a', '\u202f', '\u205f', '\u3000':
			b.WriteByte(' ')
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		case '\u2026':
			b.WriteString("...")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// A matcher finds sequences of lines in a file. It indexes the file's lines by each pass's key
// the first time that pass is used, so a search costs time in the number of candidate
// positions, not in the length of the file.
type matcher struct {
	lines []string
	keys  [numPasses][]string
	index [numPasses]*lineIndex
}

// lineIndex lists, for each key, the lines having it: first names the first such line and how
// many there are, and next chains each line to the following line with the same key.
type lineIndex struct {
	first map[string]chain
	next  []int32
}

type chain struct{ head, n int32 }

// positions returns the lines having key k, ascending.
func (ix *lineIndex) positions(k string) []int {
	c, ok := ix.first[k]
	if !ok {
		return nil
	}
	out := make([]int, 0, c.n)
	for i := c.head; i >= 0; i = ix.next[i] {
		out = append(out, int(i))
	}
	return out
}

func (ix *lineIndex) count(k string) int { return int(ix.first[k].n) }

func newMatcher(lines []string) *matcher {
	return &matcher{lines: lines}
}

func (m *matcher) prepare(p pass) {
	if m.index[p] != nil {
		return
	}
	keys := m.lines
	if p != passExact {
		keys = make([]string, len(m.lines))
		for i, l := range m.lines {
			keys[i] = lineKey(p, l)
		}
	}
	idx := &lineIndex{first: make(map[string]chain, len(keys)), next: make([]int32, len(keys))}
	for i := len(keys) - 1; i >= 0; i-- {
		c, ok := idx.first[keys[i]]
		if !ok {
			c.head = -1
		}
		idx.next[i] = c.head
		idx.first[keys[i]] = chain{head: int32(i), n: c.n + 1}
	}
	m.keys[p], m.index[p] = keys, idx
}

// find returns every position, ascending, at which pat occurs in the file under pass p.
func (m *matcher) find(p pass, pat []string) []int {
	if len(pat) == 0 || len(pat) > len(m.lines) {
		return nil
	}
	m.prepare(p)
	pk := make([]string, len(pat))
	rarest, rarestN := 0, -1
	for i, l := range pat {
		pk[i] = lineKey(p, l)
		n := m.index[p].count(pk[i])
		if n == 0 {
			return nil
		}
		if rarestN < 0 || n < rarestN {
			rarest, rarestN = i, n
		}
	}
	keys := m.keys[p]
	var out []int
	ix := m.index[p]
	for q := ix.first[pk[rarest]].head; q >= 0; q = ix.next[q] {
		s := int(q) - rarest
		if s < 0 || s+len(pat) > len(keys) {
			continue
		}
		ok := true
		for j := range pk {
			if keys[s+j] != pk[j] {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// findLine returns the positions of one line under the first pass that finds it.
func (m *matcher) findLine(line string) []int {
	for p := range numPasses {
		if occ := m.find(p, []string{line}); len(occ) > 0 {
			return occ
		}
	}
	return nil
}

// anchorPositions resolves a chain of "@@" lines, each searched after the previous one, starting
// at or after from. It returns the distinct positions of the last anchor line.
func (m *matcher) anchorPositions(anchors []string, from int) ([]int, string) {
	positions := []int{from - 1}
	for _, a := range anchors {
		occ := m.findLine(a)
		var next []int
		for _, prev := range positions {
			if j := sort.SearchInts(occ, prev+1); j < len(occ) {
				if len(next) == 0 || next[len(next)-1] != occ[j] {
					next = append(next, occ[j])
				}
			}
		}
		if len(next) == 0 {
			return nil, a
		}
		positions = next
	}
	return positions, ""
}

// placement is where a hunk was found.
type placement struct {
	start int
	pass  pass
}

// locate finds where a hunk's old lines are, searching from cursor. It returns the placement,
// or every candidate when the hunk is ambiguous, or neither when it is not found; missingAnchor
// names an "@@" line that does not occur.
func (m *matcher) locate(h *Hunk, old []string, cursor int) (pl placement, cands []int, pass_ pass, missingAnchor string) {
	var anchors []int
	if len(h.Anchors) > 0 {
		anchors, missingAnchor = m.anchorPositions(h.Anchors, cursor)
		if anchors == nil {
			anchors, missingAnchor = m.anchorPositions(h.Anchors, 0)
		}
		if anchors == nil {
			return placement{start: -1}, nil, 0, missingAnchor
		}
	}
	for p := range numPasses {
		all := m.find(p, old)
		if len(all) == 0 {
			continue
		}
		var c []int
		if anchors != nil {
			for _, a := range anchors {
				if j := sort.SearchInts(all, a); j < len(all) && (len(c) == 0 || c[len(c)-1] != all[j]) {
					c = append(c, all[j])
				}
			}
			if len(c) == 0 {
				continue
			}
		} else {
			for _, s := range all {
				if s >= cursor {
					c = append(c, s)
				}
			}
			if len(c) == 0 {
				c = all // the hunks are out of order; any unique place will do
			}
		}
		if len(c) > 1 && h.AtEOF && containsInt(c, len(m.lines)-len(old)) {
			c = []int{len(m.lines) - len(old)}
		}
		if len(c) > 1 && h.OldStart > 0 && containsInt(c, h.OldStart-1) {
			c = []int{h.OldStart - 1}
		}
		if len(c) == 1 {
			return placement{start: c[0], pass: p}, nil, p, ""
		}
		return placement{start: -1}, c, p, ""
	}
	return placement{start: -1}, nil, 0, ""
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// closest finds the window of len(pat) file lines that shares the most lines with pat (compared
// ignoring whitespace and Unicode punctuation). It returns the window start and the count.
func (m *matcher) closest(pat []string) (start, score int) {
	m.prepare(passUnicode)
	scores := map[int]int{}
	for i, l := range pat {
		k := lineKey(passUnicode, l)
		if k == "" {
			continue
		}
		if m.index[passUnicode].count(k) > 10000 {
			continue
		}
		occ := m.index[passUnicode].positions(k)
		for _, q := range occ {
			scores[q-i]++
		}
	}
	start = -1
	for s, n := range scores {
		if n > score || n == score && s < start {
			start, score = s, n
		}
	}
	return start, score
}

// leadingSpace returns the indentation of s.
func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}

// place builds the replacement for a hunk found at pl: context lines keep the file's own text,
// and when the match ignored indentation, each added line is re-indented by the difference
// between the hunk's and the file's indentation of the nearest line before it (or, for added
// lines at the start, after it).
func (m *matcher) place(h *Hunk, old []string, pl placement) []string {
	type shift struct{ file, pat string }
	var cur *shift
	if pl.pass >= passTrim {
		for j, o := range old {
			if strings.TrimSpace(o) != "" {
				cur = &shift{leadingSpace(m.lines[pl.start+j]), leadingSpace(o)}
				break
			}
		}
	}
	out := make([]string, 0, len(h.Lines))
	k := pl.start
	for _, l := range h.Lines {
		switch l.Kind {
		case ' ', '-':
			if cur != nil && strings.TrimSpace(l.Text) != "" {
				cur = &shift{leadingSpace(m.lines[k]), leadingSpace(l.Text)}
			}
			if l.Kind == ' ' {
				out = append(out, m.lines[k])
			}
			k++
		case '+':
			s := l.Text
			if cur != nil && cur.file != cur.pat && strings.TrimSpace(s) != "" && strings.HasPrefix(s, cur.pat) {
				s = cur.file + s[len(cur.pat):]
			}
			out = append(out, s)
		}
	}
	return out
}

// lineRanges renders candidate positions of an n-line sequence as "lines 3-5, 9-11".
func lineRanges(starts []int, n int) string {
	parts := make([]string, len(starts))
	for i, s := range starts {
		if n <= 1 {
			parts[i] = fmt.Sprintf("%d", s+1)
		} else {
			parts[i] = fmt.Sprintf("%d-%d", s+1, s+n)
		}
	}
	word := "lines "
	if n <= 1 && len(starts) == 1 {
		word = "line "
	}
	return word + strings.Join(parts, ", ")
}
