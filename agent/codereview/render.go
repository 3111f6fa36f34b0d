package codereview

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"hew/agent/termsafe"
)

// Formats a report is written in.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
	FormatSARIF    = "sarif"
)

// Formats lists the formats Write knows, for flags' help and errors.
func Formats() []string { return []string{FormatText, FormatJSON, FormatMarkdown, FormatSARIF} }

// OneOf lists words for people: "a, b or c".
func OneOf(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// MarkdownMarker is the hidden first line of the Markdown report: a workflow finds its earlier
// comment by it and updates that comment instead of adding another.
const MarkdownMarker = "<!-- hew-review -->"

// Write renders r to w in format. The findings are the model's text: whatever the format, no
// terminal control sequence of theirs is written (see termsafe).
func (r Report) Write(w io.Writer, format string) error {
	switch format {
	case FormatJSON, FormatSARIF:
		var v any = r
		if format == FormatSARIF {
			v = r.SARIF()
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(termsafe.JSON(b), '\n'))
		return err
	case FormatMarkdown:
		_, err := io.WriteString(w, termsafe.Clean(r.Markdown()))
		return err
	case FormatText, "":
		_, err := io.WriteString(w, termsafe.Clean(r.Text()))
		return err
	}
	return fmt.Errorf("unknown format %q: use %s", format, OneOf(Formats()))
}

// location renders a finding's place as path:start or path:start-end.
func (f Finding) location() string {
	switch {
	case f.StartLine <= 0:
		return f.File
	case f.EndLine > f.StartLine:
		return fmt.Sprintf("%s:%d-%d", f.File, f.StartLine, f.EndLine)
	}
	return fmt.Sprintf("%s:%d", f.File, f.StartLine)
}

// counts says how many findings there are of each severity.
func (r Report) counts() string {
	n := map[string]int{}
	for _, f := range r.Findings {
		n[f.Severity]++
	}
	return fmt.Sprintf("%s: %d high, %d medium, %d low", Count(len(r.Findings), "finding"), n[High], n[Medium], n[Low])
}

// Text renders the report for a terminal.
func (r Report) Text() string {
	var b strings.Builder
	if len(r.Files) == 0 && len(r.Skipped) == 0 {
		fmt.Fprintf(&b, "Nothing to review: %s has no changes.\n", r.Target)
		return b.String()
	}
	fmt.Fprintf(&b, "Review of %s (%s) by %s\n", r.Target, Count(len(r.Files), "file"), r.Model)
	if r.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", r.Summary)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n%-6s %s  %s (confidence %.0f%%)\n", strings.ToUpper(f.Severity), f.location(), f.Title, f.Confidence*100)
		if f.Explanation != "" {
			fmt.Fprintf(&b, "%s\n", indent(f.Explanation, "       "))
		}
		if f.SuggestedFix != "" {
			fmt.Fprintf(&b, "       Suggested fix:\n%s\n", indent(f.SuggestedFix, "         "))
		}
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "\nNot reviewed (%s):\n", Count(len(r.Skipped), "file"))
		for _, s := range r.Skipped {
			fmt.Fprintf(&b, "  %s — %s\n", s.Path, s.Detail)
		}
	}
	fmt.Fprintf(&b, "\n%s%s\n", r.counts(), r.requests())
	return b.String()
}

// requests says how many requests the review took, when more than one.
func (r Report) requests() string {
	if r.Requests <= 1 {
		return ""
	}
	return fmt.Sprintf(" (%d review requests)", r.Requests)
}

// Markdown renders the report as a pull-request comment. It begins with MarkdownMarker, and no
// text of the model's can end its code blocks early: each fence is longer than any run of
// backticks inside it.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n## hew review of %s\n\n", MarkdownMarker, r.Target)
	if r.Error != "" {
		fmt.Fprintf(&b, "> [!WARNING]\n> The review is incomplete: %s\n\n", cell(r.Error))
	}
	if r.Summary != "" {
		fmt.Fprintf(&b, "%s\n\n", r.Summary)
	}
	switch {
	case len(r.Files) == 0 && len(r.Skipped) == 0:
		b.WriteString("Nothing to review: there are no changes.\n")
	case len(r.Findings) == 0:
		b.WriteString("No findings.\n")
	default:
		b.WriteString("| Severity | Location | Finding |\n|---|---|---|\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", f.Severity, cell(codeSpan(f.location())), cell(f.Title))
		}
		for i, f := range r.Findings {
			fmt.Fprintf(&b, "\n### %d. %s\n\n**%s** at %s, confidence %.0f%%\n\n%s\n", i+1, cell(f.Title), f.Severity, codeSpan(f.location()), f.Confidence*100, closeFences(f.Explanation))
			if f.SuggestedFix != "" {
				fix := strings.TrimRight(f.SuggestedFix, "\n")
				fence := fenceFor(fix)
				fmt.Fprintf(&b, "\n<details><summary>Suggested fix</summary>\n\n%sdiff\n%s\n%s\n\n</details>\n", fence, fix, fence)
			}
		}
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>Not reviewed: %s</summary>\n\n| File | Why |\n|---|---|\n", Count(len(r.Skipped), "file"))
		for _, s := range r.Skipped {
			fmt.Fprintf(&b, "| %s | %s |\n", cell(codeSpan(s.Path)), cell(s.Detail))
		}
		b.WriteString("\n</details>\n")
	}
	fmt.Fprintf(&b, "\n<sub>%s · %s · %s reviewed%s</sub>\n", r.counts(), r.Model, Count(len(r.Files), "file"), r.requests())
	return b.String()
}

// closeFences closes a code block the model's text opened and left open, which would swallow
// the rest of the comment.
func closeFences(s string) string {
	open := ""
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimLeft(line, " ")
		if len(line)-len(t) > 3 {
			continue
		}
		for _, c := range []string{"`", "~"} {
			n := len(t) - len(strings.TrimLeft(t, c))
			switch {
			case n < 3:
			case open == "":
				open = strings.Repeat(c, n)
			case strings.HasPrefix(t, open) && strings.TrimSpace(strings.TrimLeft(t, c)) == "":
				open = ""
			}
		}
	}
	if open != "" {
		return strings.TrimRight(s, "\n") + "\n" + open
	}
	return s
}

// fenceFor returns a backtick fence longer than any run of backticks in s (three at least).
func fenceFor(s string) string {
	return strings.Repeat("`", max(3, longestRun(s, '`')+1))
}

// codeSpan renders s as inline code that its own backticks cannot end.
func codeSpan(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	n := longestRun(s, '`')
	if n == 0 {
		return "`" + s + "`"
	}
	ticks := strings.Repeat("`", n+1)
	return ticks + " " + s + " " + ticks
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return prefix + strings.Join(lines, "\n"+prefix)
}

// cell makes s safe inside a Markdown table cell or heading: one line, pipes escaped.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\r", ""), "\n", " ")
}

// Count writes n and noun, adding an "s" unless n is 1: "1 file", "3 files".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
