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
	passExact           pass = iota // byte for byte
	passTrimRight                   // ignoring trailing whitespace
	passTrim                        // ignoring leading and trailing whitespace
	passUnicodeIndented             // after normalising Unicode dashes, quotes and spaces, keeping indentation
	passUnicode                     // after normalising Unicode, ignoring leading and trailing whitespace
	numPasses
)

var passNames = [numPasses]string{"exactly", "ignoring trailing whitespace", "ignoring indentation",
	"after normalising Unicode punctuation", "after normalising Unicode punctuation and ignoring indentation"}

// lineKey is what a pass compares: two lines match under p when their keys are equal.
func lineKey(p pass, s string) string {
	switch p {
	case passTrimRight:
		return strings.TrimRightFunc(s, unicode.IsSpace)
	case passTrim:
		return strings.TrimSpace(s)
	case passUnicodeIndented:
		return strings.TrimRightFunc(normalizeUnicode(s), unicode.IsSpace)
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

// findLine returns the positions of one line under the first pass that finds it. A long line
// that is found nowhere whole may be the start of a line, cut short as git cuts the function
// headings it writes after a hunk's range ("@@ -1,2 +1,2 @@ heading"): then the lines it starts.
func (m *matcher) findLine(line string) []int {
	for p := range numPasses {
		if occ := m.find(p, []string{line}); len(occ) > 0 {
			return occ
		}
	}
	const minPrefix = 40
	key := lineKey(passUnicode, line)
	if len(key) < minPrefix {
		return nil
	}
	m.prepare(passUnicode)
	var occ []int
	for i, k := range m.keys[passUnicode] {
		if strings.HasPrefix(k, key) {
			occ = append(occ, i)
		}
	}
	return occ
}

// A scope is the part of a file an "@@" line names: the line itself and the block under it.
type scope struct {
	anchor int // the "@@" line
	end    int // one past the block's last line
}

// tabWidth is the width a tab counts for when indentation is compared.
const tabWidth = 4

// indentWidth returns the width of s's indentation, a tab counting tabWidth columns.
func indentWidth(s string) int {
	w := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			w++
		case '\t':
			w += tabWidth - w%tabWidth
		default:
			return w
		}
	}
	return w
}

// blockEnd returns one past the last line of the block a line opens, judged by indentation: the
// block runs to the next non-blank line indented no deeper than the line itself, and takes that
// line too when it closes the block ("}", "})", "end"), unless it opens another part of it
// ("} else {", ") error {", "):").
func (m *matcher) blockEnd(at int) int {
	w := indentWidth(m.lines[at])
	for j := at + 1; j < len(m.lines); j++ {
		t := strings.TrimSpace(m.lines[j])
		if t == "" || indentWidth(m.lines[j]) > w {
			continue
		}
		if !strings.ContainsRune("})]", rune(t[0])) && t != "end" && !strings.HasPrefix(t, "end ") {
			return j
		}
		if !strings.HasSuffix(t, "{") && !strings.HasSuffix(t, ":") && !strings.HasSuffix(t, "(") {
			return j + 1
		}
	}
	return len(m.lines)
}

// anchorScopes resolves a chain of "@@" lines: every occurrence of the first, then for each the
// occurrences of the next one inside its block (or, when there are none inside, the first one
// after it). It returns the scopes of the last line of the chain, or the line that was not found.
func (m *matcher) anchorScopes(anchors []string) ([]scope, string) {
	var scopes []scope
	for i, a := range anchors {
		occ := m.findLine(a)
		if len(occ) == 0 {
			return nil, a
		}
		var next []scope
		add := func(o int) {
			if len(next) == 0 || next[len(next)-1].anchor < o {
				next = append(next, scope{anchor: o, end: m.blockEnd(o)})
			}
		}
		if i == 0 {
			for _, o := range occ {
				add(o)
			}
		} else {
			for _, sc := range scopes {
				j := sort.SearchInts(occ, sc.anchor+1)
				if j == len(occ) {
					continue
				}
				if occ[j] >= sc.end { // not inside the block: take the first one after it
					add(occ[j])
					continue
				}
				for ; j < len(occ) && occ[j] < sc.end; j++ {
					add(occ[j])
				}
			}
		}
		if len(next) == 0 {
			return nil, a
		}
		scopes = next
	}
	return scopes, ""
}

// placement is where a hunk was found.
type placement struct {
	start int
	pass  pass
}

// locate finds where lines (a hunk's old or new side) are, searching from cursor. With scopes
// (from the hunk's "@@" lines) only matches starting inside one of them count, or when there are
// none, matches after the first "@@" line. It returns the placement, or every candidate when
// the place is ambiguous, or neither when the lines are not found.
func (m *matcher) locate(h *Hunk, lines []string, cursor int, scopes []scope) (pl placement, cands []int, pass_ pass) {
	for p := range numPasses {
		all := m.find(p, lines)
		if len(all) == 0 {
			continue
		}
		c := all
		if scopes != nil {
			c = nil
			for _, s := range all {
				for _, sc := range scopes {
					if s >= sc.anchor && s < sc.end { // starting in the block; trailing context may run past it
						c = append(c, s)
						break
					}
				}
			}
			if len(c) == 0 {
				for _, s := range all {
					if s > scopes[0].anchor {
						c = append(c, s)
					}
				}
			}
			if len(c) == 0 {
				continue
			}
		}
		var after []int
		for _, s := range c {
			if s >= cursor {
				after = append(after, s)
			}
		}
		if len(after) > 0 {
			c = after
		} // else the hunks are out of order; any unique place will do
		if len(c) > 1 && h.AtEOF && containsInt(c, len(m.lines)-len(lines)) {
			c = []int{len(m.lines) - len(lines)}
		}
		if len(c) > 1 && h.atStart && containsInt(c, 0) {
			c = []int{0}
		}
		if len(c) > 1 && h.OldStart > 0 && containsInt(c, h.OldStart-1) {
			c = []int{h.OldStart - 1}
		}
		if len(c) == 1 {
			return placement{start: c[0], pass: p}, nil, p
		}
		return placement{start: -1}, c, p
	}
	return placement{start: -1}, nil, 0
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
// and when the match ignored indentation, every added line is re-indented (see reindent).
func (m *matcher) place(h *Hunk, old []string, pl placement) []string {
	out, _ := m.placeFrom(h, old, pl)
	return out
}

// placeFrom is place, also returning for each line the file line it keeps (a context line), or
// -1 for an added line.
func (m *matcher) placeFrom(h *Hunk, old []string, pl placement) ([]string, []int) {
	// ref[i] is the old line an added line's indentation is judged against: the nearest
	// non-blank context or removed line before it, or for added lines at the start, after it.
	var re func(s string, ref int) (string, bool)
	refs := make([]int, len(h.Lines))
	if pl.pass >= passTrim {
		re = m.reindent(old, pl.start)
		last, j := -1, 0
		for i, l := range h.Lines {
			if l.Kind == '+' {
				refs[i] = last
				continue
			}
			if strings.TrimSpace(l.Text) != "" {
				last = j
				for k := i - 1; k >= 0 && refs[k] == -1 && h.Lines[k].Kind == '+'; k-- {
					refs[k] = j
				}
			}
			j++
		}
	}
	// Re-indent all added lines or none.
	added := make([]string, len(h.Lines))
	for i, l := range h.Lines {
		added[i] = l.Text
		if l.Kind != '+' || re == nil || strings.TrimSpace(l.Text) == "" || refs[i] < 0 {
			continue
		}
		s, ok := re(l.Text, refs[i])
		if !ok {
			added = nil
			break
		}
		added[i] = s
	}
	out := make([]string, 0, len(h.Lines))
	src := make([]int, 0, len(h.Lines))
	k := pl.start
	for i, l := range h.Lines {
		switch l.Kind {
		case ' ':
			out, src = append(out, m.lines[k]), append(src, k)
			k++
		case '-':
			k++
		case '+':
			if added != nil {
				out = append(out, added[i])
			} else {
				out = append(out, l.Text)
			}
			src = append(src, -1)
		}
	}
	return out, src
}

// reindent works out how the hunk's indentation maps onto the file's, from its old lines and the
// file lines they matched at start, and returns the function that re-indents an added line given
// the old line it is judged against; nil when the hunk already has the file's indentation.
//
// Widths are compared with a tab counting n columns: a hunk written with spaces for a file's tabs
// (or the reverse) matches at the right width. When one shift fits every line (none, or a block
// given less or more indented than the file has it), every added line gets it; otherwise each
// added line gets its nearest line's shift. Either way every added line is re-indented, in the
// file's style (tabs, then spaces for what is left, when the matched lines are indented with
// tabs), or, when some line would end up with negative indentation, none is.
func (m *matcher) reindent(old []string, start int) func(string, int) (string, bool) {
	same, tabs, spaces := true, 0, 0
	for j, o := range old {
		if strings.TrimSpace(o) == "" {
			continue
		}
		pat, file := leadingSpace(o), leadingSpace(m.lines[start+j])
		same = same && pat == file
		if strings.HasPrefix(file, "\t") {
			tabs++
		} else if file != "" {
			spaces++
		}
	}
	if same {
		return nil
	}
	width := func(s string, n int) int {
		w := 0
		for _, c := range s {
			if c == '\t' {
				w += n - w%n
			} else {
				w++
			}
		}
		return w
	}
	// The tab width with the fewest distinct shifts, preferring no shift at all.
	n, shifts, best := 4, map[int]int(nil), -1
	for _, tw := range []int{4, 8, 2} {
		d := map[int]int{}
		for j, o := range old {
			if strings.TrimSpace(o) != "" {
				d[j] = width(leadingSpace(m.lines[start+j]), tw) - width(leadingSpace(o), tw)
			}
		}
		distinct := map[int]bool{}
		zero := true
		for _, v := range d {
			distinct[v] = true
			zero = zero && v == 0
		}
		score := len(distinct) * 2
		if !zero {
			score++
		}
		if best < 0 || score < best {
			n, shifts, best = tw, d, score
		}
	}
	uniform := best <= 3 // one shift fits every line
	var one int
	for _, v := range shifts {
		one = v
	}
	shiftFor := func(ref int) int {
		if uniform {
			return one
		}
		return shifts[ref]
	}
	useTabs := tabs > spaces
	render := func(s string, ref int) (string, bool) {
		ind := leadingSpace(s)
		w := width(ind, n) + shiftFor(ref)
		if w < 0 {
			return "", false
		}
		if useTabs {
			return strings.Repeat("\t", w/n) + strings.Repeat(" ", w%n) + s[len(ind):], true
		}
		return strings.Repeat(" ", w) + s[len(ind):], true
	}
	return render
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
