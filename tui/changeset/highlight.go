package changeset

import (
	"fmt"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/charmbracelet/x/ansi"

	"hew/agent/termsafe"
	"hew/tui/syntax"
)

// lexerFunc tokenises one line of code; nil means plain text.
type lexerFunc = chroma.Lexer

// highlighter colours diff lines with chroma, one line at a time so that only the lines on
// screen are ever tokenised.
type highlighter struct {
	style  *chroma.Style
	lexers map[string]lexerFunc // by file name; matching is slow
}

func newHighlighter() *highlighter {
	return &highlighter{style: syntax.Style(), lexers: map[string]lexerFunc{}}
}

// lexer picks the lexer for a file name, or nil when none matches.
func (h *highlighter) lexer(name string) lexerFunc {
	if l, ok := h.lexers[name]; ok {
		return l
	}
	var l lexerFunc
	if m := lexers.Match(name); m != nil {
		l = chroma.Coalesce(m)
	}
	h.lexers[name] = l
	return l
}

// Warm prepares the highlighting of the named files (compiling their lexers, which takes up to
// a few hundred milliseconds the first time), so that opening the review is quick. It is safe
// to call from any goroutine.
func Warm(names ...string) {
	for _, n := range names {
		if l := lexers.Match(n); l != nil {
			if it, err := l.Tokenise(nil, "x"); err == nil {
				for t := it(); t != chroma.EOF; t = it() {
				}
			}
		}
	}
}

// Backgrounds of added and removed lines.
const (
	addBG = "\x1b[48;2;18;58;32m"
	delBG = "\x1b[48;2;74;22;28m"
	reset = "\x1b[0m"
)

// line renders a diff line's sign and text in exactly width cells: the text highlighted, the
// background marking an added or removed line.
func (h *highlighter) line(lexer lexerFunc, kind byte, text string, width int) string {
	if width < 2 {
		return strings.Repeat(" ", max(width, 0))
	}
	text = strings.ReplaceAll(safeLine(text), "\t", "    ")
	if ansi.StringWidth(text) > width-1 {
		text = ansi.Truncate(text, width-2, "") + "…"
	}
	bg := ""
	switch kind {
	case '+':
		bg = addBG
	case '-':
		bg = delBG
	}
	var b strings.Builder
	b.WriteString(bg)
	b.WriteByte(kind)
	h.colour(&b, lexer, text)
	if pad := width - 1 - ansi.StringWidth(text); pad > 0 {
		b.WriteString(strings.Repeat(" ", pad))
	}
	b.WriteString(reset)
	return b.String()
}

// safeLine makes one line of a file's content safe for the terminal (see termsafe): a CRLF
// line's final carriage return is dropped and any other shows as ^M, on the same row.
func safeLine(text string) string {
	return strings.ReplaceAll(termsafe.Clean(strings.TrimSuffix(text, "\r")), "\n", "^M")
}

// colour writes text with each token's foreground colour.
func (h *highlighter) colour(b *strings.Builder, lexer lexerFunc, text string) {
	if lexer == nil || text == "" {
		b.WriteString(text)
		return
	}
	it, err := lexer.Tokenise(nil, text)
	if err != nil {
		b.WriteString(text)
		return
	}
	for t := it(); t != chroma.EOF; t = it() {
		v := strings.TrimRight(t.Value, "\n")
		if c := h.style.Get(t.Type).Colour; c.IsSet() {
			fmt.Fprintf(b, "\x1b[38;2;%d;%d;%dm%s\x1b[39m", c.Red(), c.Green(), c.Blue(), v)
		} else {
			b.WriteString(v)
		}
	}
}
