package review

import (
	"fmt"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/charmbracelet/x/ansi"
)

// lexerFunc tokenises one line of code; nil means plain text.
type lexerFunc = chroma.Lexer

// highlighter colours diff lines with chroma, one line at a time so that only the lines on
// screen are ever tokenised.
type highlighter struct {
	style *chroma.Style
}

func newHighlighter() *highlighter { return &highlighter{style: styles.Get("monokai")} }

// lexer picks the lexer for a file name, or nil when none matches.
func (h *highlighter) lexer(name string) lexerFunc {
	l := lexers.Match(name)
	if l == nil {
		return nil
	}
	return chroma.Coalesce(l)
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
	text = strings.ReplaceAll(text, "\t", "    ")
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
