package markdown

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/tui/syntax"
)

// plain renders src at width and returns its lines without styling.
func plain(t testing.TB, src string, width int) []string {
	t.Helper()
	lines := New(width).Render(src)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Strip(l)
	}
	return out
}

func expectLines(t *testing.T, src string, width int, want ...string) {
	t.Helper()
	got := plain(t, src, width)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%q at %d renders\n%s\nwant\n%s", src, width, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

const sample = "# Title\n\nA paragraph with **strong**, *emphasis*, ~~gone~~ and `code`, a [link](https://example.com/a/b) " +
	"and a very-long-word-that-cannot-fit-on-a-narrow-line-at-all, then 日本語のテキストも折り返す and more words.\n" +
	"Soft break, then a hard one  \nhere.\n\n" +
	"> quoted text that goes on for a while so that it wraps\n>\n> - a list in a quote\n\n" +
	"- one\n- two\n  - nested that is long enough to wrap at narrow widths\n    1. deep\n\n" +
	"```go\nfunc f() {\n\tif x {\n\t\treturn \"a string long enough to be wider than a narrow screen\"\n\t}\n}\n```\n\n" +
	"| name | value | note |\n|:--|--:|:-:|\n| alpha | 1 | first of them |\n| beta gamma delta | 22222 | x |\n\n" +
	"---\n\n<details>raw html</details>\n"

// No line is wider than the width, at any width, and no word is lost to it.
func TestLinesFitTheWidth(t *testing.T) {
	for width := 1; width <= 100; width++ {
		for i, l := range New(width).Render(sample) {
			if w := ansi.StringWidth(l); w > width {
				t.Fatalf("at width %d line %d is %d cells: %q", width, i, w, ansi.Strip(l))
			}
		}
	}
	// The layout itself fits (Render's last resort, cutting lines, is not what does it): all
	// the words of a paragraph are there at every width.
	words := strings.Fields("A paragraph with strong, emphasis, gone and a link and then more words.")
	for width := 12; width <= 100; width += 7 {
		text := strings.Join(plain(t, sample, width), " ")
		for _, w := range words {
			if !strings.Contains(text, w) {
				t.Fatalf("at width %d the word %q is lost:\n%s", width, w, text)
			}
		}
	}
}

func TestWrapBreaksAtSpacesAndLongWordsAnywhere(t *testing.T) {
	for _, c := range []struct {
		text  string
		width int
		want  []string
	}{
		{"one two three", 7, []string{"one two", "three"}},
		{"one two three", 8, []string{"one two", "three"}},
		{"abcdefghij xy", 4, []string{"abcd", "efgh", "ij", "xy"}},
		{"日本語テキスト", 5, []string{"日本", "語テ", "キス", "ト"}},
		{"   lead  and   trail   ", 20, []string{"lead  and   trail"}},
		{"", 5, []string{""}},
	} {
		var got []string
		for _, l := range wrap([]span{{text: c.text}}, c.width) {
			if ansi.StringWidth(l.String()) != l.width {
				t.Errorf("line %q says it is %d cells wide", l.String(), l.width)
			}
			got = append(got, l.String())
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.text, c.width, got, c.want)
		}
	}
}

// A style never leaks from one line to the next: each line that opens one resets it.
func TestEachLineClosesItsStyle(t *testing.T) {
	for _, l := range New(30).Render(sample) {
		if strings.Contains(l, "\x1b[") && !strings.HasSuffix(l, "\x1b[m") {
			t.Errorf("line leaves its style open: %q", l)
		}
	}
}

func TestBlocks(t *testing.T) {
	expectLines(t, "# Title", 40, " Title ")
	expectLines(t, "## Sub *it*", 40, "## Sub it")
	expectLines(t, "a\nb  \nc\\\nd", 40, "a b", "c", "d")
	expectLines(t, "- a\n  - b\n    - c\n- d", 40, "• a", "  • b", "    • c", "• d")
	expectLines(t, "3. x\n4. y", 40, "3. x", "4. y")
	expectLines(t, "9. x\n10. y", 40, " 9. x", "10. y")
	expectLines(t, "- a\n\n- b", 40, "• a", "", "• b")
	expectLines(t, "- [ ] todo\n- [x] done", 40, "[ ] todo", "[✓] done")
	expectLines(t, "- item with words that wrap", 12, "• item with", "  words that", "  wrap")
	expectLines(t, "> a\n>\n> b", 40, "│ a", "│", "│ b")
	expectLines(t, "> - a\n>   > b", 40, "│ • a", "│   │ b")
	expectLines(t, "---", 40, "--------")
	expectLines(t, "<div>\n<b>x</b>\n</div>", 40, "<div>", "<b>x</b>", "</div>")
	expectLines(t, "x <span>y</span> z", 40, "x <span>y</span> z")
	expectLines(t, "    indented\n    code", 40, "  indented", "  code")
	expectLines(t, "a \\*not em\\* &amp; &copy;", 40, "a *not em* & ©")
	expectLines(t, "`a  b`", 40, " a  b ")
}

func TestEmphasisStyles(t *testing.T) {
	l := New(80).Render("**b** *i* ~~s~~ `c`")[0]
	for _, want := range []string{"1mb", "3mi", "9ms", "38;5;203;48;5;236m c "} {
		if !strings.Contains(l, want) {
			t.Errorf("no %q in %q", want, l)
		}
	}
}

func TestLinksShowTheirAddress(t *testing.T) {
	expectLines(t, "see [the docs](https://go.dev/doc) now", 80, "see the docs https://go.dev/doc now")
	expectLines(t, "<https://a.example/x> and https://b.example/y", 80, "https://a.example/x and https://b.example/y")
	expectLines(t, "[https://go.dev](https://go.dev)", 80, "https://go.dev")
	expectLines(t, "[ref]\n\n[ref]: https://r.example", 80, "ref https://r.example")
	expectLines(t, "![a cat](cat.png)", 80, "Image: a cat → cat.png")
	l := New(80).Render("[x](https://u.example)")[0]
	if !strings.Contains(l, "\x1b[0;38;5;30;4mhttps://u.example") {
		t.Errorf("the address is not underlined: %q", l)
	}
}

// Code is indented, highlighted in true colour with hew's style for its language, tabs shown
// as four columns; a language hew has no lexer for shows plain.
func TestCodeBlocks(t *testing.T) {
	src := "```go\nfunc f() {\n\tif x {\n\t\treturn\n\t}\n}\n```"
	expectLines(t, src, 40, "  func f() {", "      if x {", "          return", "      }", "  }")
	lines := New(40).Render(src)
	kw := syntax.Style().Get(chroma.Keyword).Colour
	want := fmt.Sprintf("38;2;%d;%d;%dmif", kw.Red(), kw.Green(), kw.Blue())
	if !strings.Contains(lines[1], want) {
		t.Errorf("the keyword is not coloured %s: %q", kw, lines[1])
	}
	if strings.Contains(strings.Join(lines, ""), "\t") {
		t.Errorf("a tab reached the screen: %q", lines)
	}
	for _, lang := range []string{"nosuchlanguage", ""} {
		l := New(40).Render("```" + lang + "\nif x { return }\n```")[0]
		if n := strings.Count(l, "\x1b[") - 1; n != 1 {
			t.Errorf("```%s: plain code has %d styles: %q", lang, n, l)
		}
	}
	// A line wider than the screen is broken, not cut.
	expectLines(t, "```\n0123456789abcdef\n```", 8, "  012345", "  6789ab", "  cdef")
	expectLines(t, "```\na\n\n\nb\n```", 8, "  a", "", "", "  b")
}

// Columns line up, cells take their column's alignment, and a table wider than the screen
// wraps its cells.
func TestTables(t *testing.T) {
	src := "| left | right | mid |\n|:--|--:|:-:|\n| a | 1 | x |\n| longer cell | 12345 | xyz |"
	expectLines(t, src, 80,
		" left        │ right │ mid",
		"─────────────┼───────┼─────",
		" a           │     1 │  x",
		" longer cell │ 12345 │ xyz")
	for _, width := range []int{12, 18, 25, 40} {
		lines := plain(t, "| a | b |\n|---|---|\n| many words in this cell | and more words here |", width)
		bar := -1
		for _, l := range lines {
			if ansi.StringWidth(l) > width {
				t.Errorf("at width %d: %q is too wide", width, l)
			}
			i := strings.IndexAny(l, "│┼")
			if i < 0 {
				t.Fatalf("at width %d, a row without a column: %q", width, lines)
			}
			c := ansi.StringWidth(l[:i])
			if bar >= 0 && c != bar {
				t.Errorf("at width %d the columns do not line up:\n%s", width, strings.Join(lines, "\n"))
			}
			bar = c
		}
		if text := strings.Join(lines, " "); width >= 18 && (!strings.Contains(text, "many") || !strings.Contains(text, "here")) {
			t.Errorf("at width %d words were lost:\n%s", width, strings.Join(lines, "\n"))
		}
	}
}

// hostile is text the model could send: raw escape sequences (clipboard write, title, screen
// clear), C1 controls, and character references naming ESC and CSI, which Markdown resolves.
const hostile = "a\x1b]52;c;cm0K\x07b\x1b[2J\u009b2Jc &#27;[31m &#x1b;]0;t&#7; &#x9b;2J &#155;K d"

// sgr matches the renderer's own styling.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

func assertNoControls(t testing.TB, lines []string) {
	t.Helper()
	for _, l := range lines {
		for _, r := range sgr.ReplaceAllString(l, "") {
			if r < 0x20 || r >= 0x7f && r <= 0x9f {
				t.Fatalf("control %U reached the screen: %q", r, l)
			}
		}
	}
}

func TestTextCannotInjectEscapes(t *testing.T) {
	for _, src := range []string{
		hostile,
		"# " + hostile,
		"**" + hostile + "**",
		"`" + hostile + "`",
		"[" + hostile + "](http://x/&#27;[2J)",
		"![" + hostile + "](&#x1b;]52;c;x&#7;)",
		"<http://x/\x1b[2J>",
		"```\n" + hostile + "\n```",
		"```go\n" + hostile + "\n```",
		"- " + hostile + "\n  > " + hostile,
		"| h |\n|---|\n| " + hostile + " |",
		"<div>" + hostile + "</div>",
		"x <b title=\"&#27;[2J\">" + hostile + "</b>",
	} {
		lines := New(60).Render(src)
		assertNoControls(t, lines)
		text := ansi.Strip(strings.Join(lines, ""))
		if strings.Contains(src, hostile) && (!strings.Contains(text, "a") || !strings.Contains(text, "c") || !strings.Contains(text, " d")) {
			t.Errorf("the text around the controls was lost: %q", text)
		}
	}
}

func TestEmptyAndOddInput(t *testing.T) {
	for _, src := range []string{"", "   ", "\n\n\n", "#", "-", ">", "```", "|", "|-|", "[](<>)", "\x00", "\xff\xfe", "&#0;", "*_*_`~~"} {
		for _, width := range []int{-5, 0, 1, 2, 80} {
			lines := New(width).Render(src)
			if len(lines) == 0 {
				t.Errorf("Render(%q) at %d returned no line", src, width)
			}
			assertNoControls(t, lines)
		}
	}
}

func TestExpandTabs(t *testing.T) {
	for in, want := range map[string]string{
		"\tx":        "    x",
		"ab\tc":      "ab  c",
		"abcd\te":    "abcd    e",
		"a\n\tb":     "a\n    b",
		"é\tx":       "é   x",
		"no tabs":    "no tabs",
		"x := 1\t//": "x := 1  //",
	} {
		if got := ExpandTabs(in); got != want {
			t.Errorf("ExpandTabs(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRender: no input, at no width, makes the renderer panic, write a line wider than the
// width, or let a control character through.
//
//	go test ./tui/markdown -run '^$' -fuzz FuzzRender -fuzztime 30s
func FuzzRender(f *testing.F) {
	for _, s := range []string{sample, hostile, "", "- a\n  - b\n    ```\n    x\n    ```", "| a |\n|:-:|\n| 日本語 |",
		"> > > deep\n> > > quote", "[a](b \"c\")", "***x***", "1) a\n2) b", "<!-- c -->", "a\\\nb", "&#x10FFFF; &#xD800;"} {
		f.Add(s, uint8(40))
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, src string, w uint8) {
		width := int(w)%120 + 1
		lines := New(width).Render(src)
		if len(lines) == 0 {
			t.Fatal("no line")
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > width {
				t.Fatalf("line %q wider than %d", l, width)
			}
		}
		assertNoControls(t, lines)
	})
}
