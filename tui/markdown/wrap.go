package markdown

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Text attributes of a style.
const (
	bold uint8 = 1 << iota
	italic
	underline
	strike
)

// style is how a run of text looks: colours as SGR parameters ("38;5;252", "38;2;r;g;b"),
// empty for the terminal's default, and attributes.
type style struct {
	fg, bg string
	attr   uint8
}

// params returns the SGR parameters of s, "" for the terminal's default look.
func (s style) params() string {
	var b strings.Builder
	add := func(p string) {
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p)
	}
	if s.fg != "" {
		add(s.fg)
	}
	if s.bg != "" {
		add(s.bg)
	}
	for i, p := range [...]string{"1", "3", "4", "9"} {
		if s.attr&(1<<i) != 0 {
			add(p)
		}
	}
	return b.String()
}

// fg256 returns the SGR parameters of colour n of the 256-colour palette as a foreground.
func fg256(n int) string { return "38;5;" + strconv.Itoa(n) }

// span is a run of text in one style. Its text holds no control character.
type span struct {
	text string
	st   style
	// glue: the spaces of text do not break the line (code, padding).
	glue bool
}

// line is a wrapped line and its width in cells.
type line struct {
	spans []span
	width int
}

// String renders l with SGR sequences, each run opening its own style after a reset so that no
// style carries from one run (or line) to the next.
func (l line) String() string {
	var b strings.Builder
	open := false
	var cur style
	for i, sp := range l.spans {
		if i == 0 || sp.st != cur {
			p := sp.st.params()
			switch {
			case p != "" && open:
				b.WriteString("\x1b[0;" + p + "m")
			case p != "":
				b.WriteString("\x1b[" + p + "m")
			case open:
				b.WriteString("\x1b[m")
			}
			cur, open = sp.st, p != ""
		}
		b.WriteString(sp.text)
	}
	if open {
		b.WriteString("\x1b[m")
	}
	return b.String()
}

// wrapper lays runs of text out in lines of at most width cells, breaking at spaces, and within
// a word only when the word alone is wider than a line. Spaces at a break are dropped.
type wrapper struct {
	width  int
	lines  []line
	cur    line
	word   line // the word being read, not yet placed
	space  line // the spaces before it
	inWord bool
}

// wrap lays spans out at width; a span "\n" breaks the line.
func wrap(spans []span, width int) []line {
	w := wrapper{width: max(width, 1)}
	for _, sp := range spans {
		w.feed(sp)
	}
	return w.finish()
}

func (w *wrapper) feed(sp span) {
	if sp.text == "\n" {
		w.endWord()
		w.newline()
		return
	}
	s := sp.text
	start, runW := 0, 0
	flush := func(end int) {
		if end > start {
			dst := &w.space
			if w.inWord {
				dst = &w.word
			}
			appendRun(dst, span{text: s[start:end], st: sp.st, glue: sp.glue}, runW)
		}
		start, runW = end, 0
	}
	for i := 0; i < len(s); {
		n, cw := grapheme(s[i:])
		isSpace := s[i] == ' ' && !sp.glue
		if isSpace == w.inWord { // a word ends or starts
			flush(i)
			if w.inWord {
				w.endWord()
			}
			w.inWord = !isSpace
		}
		runW += cw
		i += n
	}
	flush(len(s))
}

// grapheme returns the length in bytes and the width in cells of the grapheme cluster s starts
// with, measured as ansi.StringWidth measures.
func grapheme(s string) (n, width int) {
	if s[0] < 0x80 && (len(s) == 1 || s[1] < 0x80) {
		return 1, 1
	}
	cl, width := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
	return max(len(cl), 1), width
}

// appendRun adds sp, width cells wide, to l. (Runs alike are not merged: String writes a style
// once for all the runs in it that follow each other.)
func appendRun(l *line, sp span, width int) {
	l.spans = append(l.spans, sp)
	l.width += width
}

// endWord places the word read so far: after the spaces before it when it fits on the line,
// else at the start of the next line, broken across lines when wider than one.
func (w *wrapper) endWord() {
	w.inWord = false
	if w.word.width == 0 && len(w.word.spans) == 0 {
		return
	}
	if w.cur.width > 0 && w.cur.width+w.space.width+w.word.width > w.width {
		w.newline()
	}
	if w.cur.width > 0 {
		for _, sp := range w.space.spans {
			appendRun(&w.cur, sp, 0)
		}
		w.cur.width += w.space.width
	}
	w.space = line{}
	if w.cur.width+w.word.width <= w.width {
		for _, sp := range w.word.spans {
			appendRun(&w.cur, sp, 0)
		}
		w.cur.width += w.word.width
	} else {
		w.breakWord()
	}
	w.word = line{}
}

// breakWord places a word too wide for the line grapheme by grapheme.
func (w *wrapper) breakWord() {
	for _, sp := range w.word.spans {
		s := sp.text
		start, runW := 0, 0
		for i := 0; i < len(s); {
			n, cw := grapheme(s[i:])
			if w.cur.width+runW+cw > w.width && w.cur.width+runW > 0 {
				if i > start {
					appendRun(&w.cur, span{text: s[start:i], st: sp.st, glue: sp.glue}, runW)
				}
				w.newline()
				start, runW = i, 0
			}
			runW += cw
			i += n
		}
		if len(s) > start {
			appendRun(&w.cur, span{text: s[start:], st: sp.st, glue: sp.glue}, runW)
		}
	}
}

func (w *wrapper) newline() {
	w.lines = append(w.lines, w.cur)
	w.cur, w.space = line{}, line{}
}

func (w *wrapper) finish() []line {
	w.endWord()
	if len(w.cur.spans) > 0 || len(w.lines) == 0 {
		w.lines = append(w.lines, w.cur)
	}
	return w.lines
}
