package transcript

import (
	"strings"

	"hew/tui/markdown"
)

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

// mdMargin is the space left of an answer, and its width the space kept right of it.
const mdMargin = "  "

// newMDRenderer returns a renderer of Markdown blocks at width (see tui/markdown), between
// margins, falling back to wrapped plain text should the renderer fail.
func newMDRenderer(width int) mdRenderer {
	inner := max(width-2*len(mdMargin), 1)
	r := markdown.New(inner)
	return func(block string) (lines []string) {
		defer func() {
			if recover() != nil {
				lines = strings.Split(strings.Trim(wrap(block, inner, ""), "\n"), "\n")
			}
			for i, l := range lines {
				if l != "" {
					lines[i] = mdMargin + l
				}
			}
		}()
		return r.Render(block)
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
		c.lines = append(c.lines, r(text[c.next:c.next+end])...)
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
	return append(out, r(open)...)
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
