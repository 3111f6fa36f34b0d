// Package markdown renders Markdown for the terminal: a block of CommonMark with GitHub's
// extensions (tables, strikethrough, task lists, bare links), at a width, as lines of text
// styled with SGR escape sequences and nothing else.
//
// The look follows the "dark" style of glamour, which hew used before: headings in colour
// (the first level on a background), bullets and numbers, block quotes behind a bar, links as
// their text and then their address, code blocks indented and highlighted in true colour with
// hew's own style (see tui/syntax), tables with ruled columns. Paragraphs wrap at spaces, and
// within a word only when the word is wider than the line; no line is wider than the width.
//
// The text is taken to come from outside hew (the model writes it): it is made safe for the
// terminal (see agent/termsafe) before it is parsed, and again after character references
// are resolved, so no control sequence reaches the screen but the renderer's own colours. HTML
// is shown as written, never interpreted.
package markdown

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"hew/agent/termsafe"
	"hew/tui/syntax"
)

// TabWidth is the width of a tab stop: Go code is indented with tabs, and a terminal cell
// holds none. Four columns is what CommonMark assumes for a tab and what most editors show for
// Go.
const TabWidth = 4

// The look of each element, after glamour's "dark" style.
var (
	textStyle    = style{fg: fg256(252)}
	h1Style      = style{fg: fg256(228), bg: "48;5;63", attr: bold}
	headingStyle = style{fg: fg256(39), attr: bold}
	h6Style      = style{fg: fg256(35)}
	codeStyle    = style{fg: fg256(203), bg: "48;5;236"}
	linkStyle    = style{fg: fg256(35), attr: bold}
	urlStyle     = style{fg: fg256(30), attr: underline}
	imageStyle   = style{fg: fg256(243)}
	imageURL     = style{fg: fg256(212), attr: underline}
	ruleStyle    = style{fg: fg256(240)}
)

// codeIndent is how far code blocks are indented from the text around them.
const codeIndent = "  "

// Renderer renders Markdown at one width. It keeps the parser and the lexers of the languages
// it has met; it is not safe for concurrent use.
type Renderer struct {
	width  int
	parser parser.Parser
	lexers map[string]chroma.Lexer
	tokens map[chroma.TokenType]style
}

// New returns a renderer of lines at most width cells wide.
func New(width int) *Renderer {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	return &Renderer{width: max(width, 1), parser: md.Parser(),
		lexers: map[string]chroma.Lexer{}, tokens: map[chroma.TokenType]style{}}
}

// Render returns the lines of src rendered: no line is wider than the renderer's width, there
// is no blank line first or last, and there is at least one line.
func (r *Renderer) Render(src string) []string {
	b := []byte(ExpandTabs(termsafe.Clean(src)))
	doc := r.parser.Parse(text.NewReader(b))
	c := &context{r: r, src: b}
	lines := c.children(doc, r.width, true)
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return []string{""}
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > r.width {
			lines[i] = ansi.Truncate(l, r.width, "")
		}
	}
	return lines
}

// context is one rendering: the renderer and the source parsed.
type context struct {
	r   *Renderer
	src []byte
}

// children renders the blocks under n at width, with a blank line between two when loose.
func (c *context) children(n ast.Node, width int, loose bool) []string {
	var out []string
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		if loose && len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, c.block(ch, width)...)
	}
	return out
}

// block renders one block at width.
func (c *context) block(n ast.Node, width int) []string {
	width = max(width, 1)
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return strs(wrap(c.inline(n, textStyle, nil), width))
	case *ast.Heading:
		return c.heading(n, width)
	case *ast.ThematicBreak:
		return []string{styled("--------", ruleStyle)}
	case *ast.FencedCodeBlock:
		return c.code(n, string(n.Language(c.src)), width)
	case *ast.CodeBlock:
		return c.code(n, "", width)
	case *ast.Blockquote:
		bar, barSpace := styled("│", textStyle), styled("│ ", textStyle)
		out := c.children(n, width-2, true)
		for i, l := range out {
			if l == "" {
				out[i] = bar
			} else {
				out[i] = barSpace + l
			}
		}
		return out
	case *ast.List:
		return c.list(n, width)
	case *ast.HTMLBlock:
		var out []string
		for _, l := range c.rawLines(n) {
			out = append(out, strs(wrap([]span{{text: l, st: textStyle}}, width))...)
		}
		if n.HasClosure() {
			out = append(out, strs(wrap([]span{{text: c.plain(n.ClosureLine.Value(c.src)), st: textStyle}}, width))...)
		}
		return out
	case *extast.Table:
		return c.table(n, width)
	}
	if n.FirstChild() != nil {
		return c.children(n, width, true)
	}
	var out []string
	for _, l := range c.rawLines(n) {
		out = append(out, strs(wrap([]span{{text: l, st: textStyle}}, width))...)
	}
	return out
}

// styled returns text in style st.
func styled(text string, st style) string { return line{spans: []span{{text: text, st: st}}}.String() }

// strs renders lines as strings.
func strs(lines []line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.String()
	}
	return out
}

// rawLines returns the source lines of a block, without their line endings.
func (c *context) rawLines(n ast.Node) []string {
	segs := n.Lines()
	out := make([]string, 0, segs.Len())
	for i := range segs.Len() {
		s := segs.At(i)
		out = append(out, strings.Repeat(" ", s.Padding)+strings.TrimRight(string(s.Value(c.src)), "\r\n"))
	}
	return out
}

// heading renders a heading: the first level padded on a background, the others after their
// number of hashes.
func (c *context) heading(n *ast.Heading, width int) []string {
	st, prefix := headingStyle, strings.Repeat("#", n.Level)+" "
	switch n.Level {
	case 1:
		lines := wrap(c.inline(n, h1Style, nil), width-2)
		pad := span{text: " ", st: h1Style, glue: true}
		for i := range lines {
			lines[i].spans = append(append([]span{pad}, lines[i].spans...), pad)
		}
		return strs(lines)
	case 6:
		st = h6Style
	}
	return strs(wrap(c.inline(n, st, []span{{text: prefix, st: st, glue: true}}), width))
}

// list renders a list: each item after its bullet, number or check box, its blocks indented
// under the first; a loose list has a blank line between items.
func (c *context) list(l *ast.List, width int) []string {
	var out []string
	numWidth := 0
	if l.IsOrdered() {
		numWidth = len(strconv.Itoa(l.Start + l.ChildCount() - 1))
	}
	num := l.Start
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "• "
		if l.IsOrdered() {
			marker = fmt.Sprintf("%*d. ", numWidth, num)
			num++
		}
		if box := checkBox(item); box != nil {
			marker = "[ ] "
			if box.IsChecked {
				marker = "[✓] "
			}
		}
		mw := ansi.StringWidth(marker)
		body := c.children(item, width-mw, !l.IsTight)
		if !l.IsTight && len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, styled(marker, textStyle)+first(body))
		indent := strings.Repeat(" ", mw)
		for _, b := range body[min(1, len(body)):] {
			if b != "" {
				b = indent + b
			}
			out = append(out, b)
		}
	}
	return out
}

func first(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

// checkBox returns the task list check box that starts item, or nil.
func checkBox(item ast.Node) *extast.TaskCheckBox {
	if p := item.FirstChild(); p != nil {
		if b, ok := p.FirstChild().(*extast.TaskCheckBox); ok {
			return b
		}
	}
	return nil
}

// code renders a code block indented, highlighted for its language (plain when hew knows no
// lexer by that name), its lines broken where wider than the width.
func (c *context) code(n ast.Node, lang string, width int) []string {
	src := strings.Join(c.rawLines(n), "\n")
	var lines [][]span
	var cur []span
	add := func(t string, st style) {
		for i, part := range strings.Split(t, "\n") {
			if i > 0 {
				lines, cur = append(lines, cur), nil
			}
			if part != "" {
				cur = append(cur, span{text: part, st: st, glue: true})
			}
		}
	}
	tokenised := false
	if lexer := c.r.lexer(lang); lexer != nil {
		if it, err := lexer.Tokenise(nil, src); err == nil {
			tokenised = true
			for t := it(); t != chroma.EOF; t = it() {
				add(t.Value, c.r.tokenStyle(t.Type))
			}
		}
	}
	if !tokenised {
		add(src, c.r.tokenStyle(chroma.Text))
	}
	lines = append(lines, cur)
	for len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	var out []string
	for _, l := range lines {
		if len(l) == 0 {
			out = append(out, "")
			continue
		}
		for _, w := range wrap(l, width-len(codeIndent)) {
			out = append(out, codeIndent+w.String())
		}
	}
	return out
}

// lexer returns the lexer for a code block's language, or nil.
func (r *Renderer) lexer(lang string) chroma.Lexer {
	if lang == "" {
		return nil
	}
	l, ok := r.lexers[lang]
	if !ok {
		if l = lexers.Get(lang); l != nil {
			l = chroma.Coalesce(l)
		}
		r.lexers[lang] = l
	}
	return l
}

// tokenStyle returns how hew's style shows a token of type t.
func (r *Renderer) tokenStyle(t chroma.TokenType) style {
	st, ok := r.tokens[t]
	if !ok {
		e := syntax.Style().Get(t)
		if e.Colour.IsSet() {
			st.fg = fmt.Sprintf("38;2;%d;%d;%d", e.Colour.Red(), e.Colour.Green(), e.Colour.Blue())
		}
		if e.Bold == chroma.Yes {
			st.attr |= bold
		}
		if e.Italic == chroma.Yes {
			st.attr |= italic
		}
		r.tokens[t] = st
	}
	return st
}

// inline appends the inline content of n, in style st, to out.
func (c *context) inline(n ast.Node, st style, out []span) []span {
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		switch ch := ch.(type) {
		case *ast.Text:
			v := ch.Segment.Value(c.src)
			if ch.IsRaw() {
				out = append(out, span{text: c.plain(v), st: st})
			} else {
				out = append(out, span{text: c.unescape(v), st: st})
			}
			switch {
			case ch.HardLineBreak():
				out = append(out, span{text: "\n"})
			case ch.SoftLineBreak():
				out = append(out, span{text: " ", st: st})
			}
		case *ast.String:
			out = append(out, span{text: c.unescape(ch.Value), st: st})
		case *ast.CodeSpan:
			var b strings.Builder
			for t := ch.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					b.Write(t.Segment.Value(c.src))
				}
			}
			pad := span{text: " ", st: codeStyle, glue: true}
			out = append(out, pad, span{text: c.plain([]byte(b.String())), st: codeStyle}, pad)
		case *ast.Emphasis:
			s := st
			if ch.Level >= 2 {
				s.attr |= bold
			} else {
				s.attr |= italic
			}
			out = c.inline(ch, s, out)
		case *extast.Strikethrough:
			s := st
			s.attr |= strike
			out = c.inline(ch, s, out)
		case *ast.Link:
			s := linkStyle
			s.attr |= st.attr &^ bold
			start := len(out)
			out = c.inline(ch, s, out)
			url := c.unescape(ch.Destination)
			if url != "" && url != joined(out[start:]) {
				out = append(out, span{text: " ", st: st}, span{text: url, st: urlStyle})
			}
		case *ast.AutoLink:
			out = append(out, span{text: c.plain(ch.Label(c.src)), st: urlStyle})
		case *ast.Image:
			alt := joined(c.inline(ch, st, nil))
			out = append(out, span{text: "Image: " + alt + " →", st: imageStyle})
			if url := c.unescape(ch.Destination); url != "" {
				out = append(out, span{text: " ", st: st}, span{text: url, st: imageURL})
			}
		case *ast.RawHTML:
			for i := range ch.Segments.Len() {
				seg := ch.Segments.At(i)
				out = append(out, span{text: c.plain(seg.Value(c.src)), st: st})
			}
		case *extast.TaskCheckBox:
			// Shown in place of the item's bullet.
		default:
			out = c.inline(ch, st, out)
		}
	}
	return out
}

// joined is the text of spans.
func joined(spans []span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.text)
	}
	return b.String()
}

// plain returns source text as it is, on one line.
func (c *context) plain(v []byte) string {
	return oneLine(string(v))
}

// unescape returns source text with its backslash escapes and character references resolved,
// made safe again for the terminal (a reference can name any character, ESC among them), on
// one line.
func (c *context) unescape(v []byte) string {
	if !strings.ContainsAny(string(v), `\&`) {
		return oneLine(string(v))
	}
	var b []byte
	start := 0
	flush := func(end int) {
		p := v[start:end]
		if strings.IndexByte(string(p), '&') >= 0 {
			p = util.ResolveEntityNames(util.ResolveNumericReferences(p))
		}
		b = append(b, p...)
	}
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '\\' && util.IsPunct(v[i+1]) {
			flush(i)
			b = append(b, v[i+1])
			i++
			start = i + 1
		}
	}
	flush(len(v))
	return oneLine(termsafe.Clean(string(b)))
}

// oneLine turns line breaks and tabs in inline text into spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\t") {
		return s
	}
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
}

// ExpandTabs replaces each tab with spaces up to the next tab stop (see TabWidth), line by
// line. Columns count runes, so tabs line up within a line of one script.
func ExpandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 3*strings.Count(s, "\t"))
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			n := TabWidth - col%TabWidth
			b.WriteString("    "[:n])
			col += n
		case '\n':
			b.WriteByte('\n')
			col = 0
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}
