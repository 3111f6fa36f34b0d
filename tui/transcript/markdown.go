package transcript

import (
	"strings"

	"charm.land/glamour/v2"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/charmbracelet/x/ansi"
)

// tabWidth is the width of a tab stop when hew shows text with tabs: Go code is indented with
// tabs, and a terminal UI that passed them on would lose the indentation (a cell holds no tab).
// Four columns is what CommonMark assumes for a tab and what most editors show for Go.
const tabWidth = 4

// mdCache is the rendering of one Markdown answer as it streams in. The answer is cut into
// top-level blocks (paragraphs, lists, fenced code, tables...) at blank lines: a block is
// finished once the text after it starts a new block, and a finished block never changes, so
// it is rendered once. Each frame renders only the open block, the last, still growing one:
// the cost of a frame does not grow with the length of the answer.
type mdCache struct {
	width int
	src   string   // the cleaned source of the finished blocks, up to next
	next  int      // where the open block starts in the source
	lines []string // the finished blocks' lines, each block followed by a blank line
}

// mdRenderer renders one Markdown block as lines.
type mdRenderer func(block string) []string

// newMDRenderer returns a renderer of Markdown blocks at width, falling back to wrapped plain
// text when glamour fails.
func newMDRenderer(width int) mdRenderer {
	// glamour reads chroma's style registry directly; a release build fills it on first use
	// (see .ci/release), which this call makes happen here, before glamour looks, and not in
	// a goroutine highlighting a diff at the same moment.
	styles.Get("")
	// Code is highlighted in true colour, which the terminal UI's renderer brings down to what
	// the terminal shows: chroma's own choice of the nearest of 256 colours varies from one
	// call to the next where two are as near, and a frame would differ from the last.
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle("dark"), glamour.WithWordWrap(width-2),
		glamour.WithChromaFormatter("terminal16m"))
	return func(block string) []string {
		if err == nil {
			if s, err := r.Render(block); err == nil {
				return trimLines(s)
			}
		}
		return trimLines(wrap(block, width, ""))
	}
}

// render returns the lines of the Markdown text (already cleaned) as r renders them at width,
// rendering only what changed since the last call.
func (c *mdCache) render(text string, width int, r mdRenderer) []string {
	if c.width != width || !strings.HasPrefix(text, c.src) {
		*c = mdCache{width: width}
	}
	for {
		end, next := finishedBlock(text[c.next:])
		if end < 0 {
			break
		}
		c.lines = append(c.lines, r(expandTabs(text[c.next:c.next+end]))...)
		c.lines = append(c.lines, "")
		c.next += next
		c.src = text[:c.next]
	}
	open := text[c.next:]
	if strings.TrimSpace(open) == "" {
		if len(c.lines) == 0 {
			return []string{""}
		}
		return c.lines[: len(c.lines)-1 : len(c.lines)-1]
	}
	out := make([]string, 0, len(c.lines)+32)
	out = append(out, c.lines...)
	return append(out, r(expandTabs(open))...)
}

// finishedBlock looks for the end of the first top-level block of s: a blank line outside
// fenced code followed by a line that starts in the first column (an indented line continues
// a list item or an indented code block). It returns where the block's text ends and where the
// next block starts, or -1 when the first block is still open.
func finishedBlock(s string) (end, next int) {
	var fence string // the open code fence's marker, "" outside one
	end = -1         // the start of the blank lines after the block, once seen
	content := false // the block has a line that is not blank
	for pos := 0; pos < len(s); {
		nl := strings.IndexByte(s[pos:], '\n')
		if nl < 0 {
			nl = len(s) - pos // the last line, still growing
		}
		line := s[pos : pos+nl]
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case fence != "":
			if isFence(trimmed) && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" \t") == "" {
				fence = ""
			}
		case trimmed == "":
			if content && end < 0 {
				end = pos
			}
		case end >= 0 && len(trimmed) == len(line):
			return end, pos
		default:
			end, content = -1, true
			if isFence(trimmed) {
				n := len(trimmed) - len(strings.TrimLeft(trimmed, trimmed[:1]))
				fence = trimmed[:n]
			}
		}
		pos += nl + 1
	}
	return -1, -1
}

// isFence reports whether a line, leading space removed, opens or closes fenced code.
func isFence(trimmed string) bool {
	return strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")
}

// expandTabs replaces each tab with spaces up to the next tab stop (see tabWidth), line by line.
func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 3*strings.Count(s, "\t"))
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			n := tabWidth - col%tabWidth
			b.WriteString("    "[:n])
			col += n
		case '\n':
			b.WriteByte('\n')
			col = 0
		default:
			b.WriteRune(r)
			col++ // columns count runes: tabs line up within a line of one script
		}
	}
	return b.String()
}

// trimLines splits rendered text into lines, dropping the blank lines around it and what
// glamour pads each line with: styled spaces to the full width, which cost the terminal as
// much to draw as the text.
func trimLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = trimRight(l)
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return []string{""}
	}
	return lines
}

// trimRight removes the spaces and the styling of spaces at the end of a rendered line, ending
// it with a reset when it removed any styling.
func trimRight(l string) string {
	end, styled := len(l), false
	for end > 0 {
		switch {
		case l[end-1] == ' ':
			end--
		case l[end-1] == 'm':
			i := strings.LastIndex(l[:end], "\x1b[")
			if i < 0 || strings.Trim(l[i+2:end-1], "0123456789;:") != "" {
				return finish(l[:end], styled)
			}
			end, styled = i, true
		default:
			return finish(l[:end], styled)
		}
	}
	return ""
}

func finish(l string, styled bool) string {
	if styled && strings.Contains(l, "\x1b[") {
		return l + ansi.ResetStyle
	}
	return l
}
