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
)

// Write renders r to w in format. The findings are the model's text: whatever the format, no
// terminal control sequence of theirs is written (see termsafe).
func (r Report) Write(w io.Writer, format string) error {
	switch format {
	case FormatJSON:
		b, err := json.MarshalIndent(r, "", "  ")
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
	return fmt.Errorf("unknown format %q: use text, json or markdown", format)
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
	fmt.Fprintf(&b, "\n%s\n", r.counts())
	return b.String()
}

// Markdown renders the report as a pull-request comment.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## hew review of %s\n\n", r.Target)
	if r.Summary != "" {
		fmt.Fprintf(&b, "%s\n\n", r.Summary)
	}
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n")
	} else {
		b.WriteString("| Severity | Location | Finding |\n|---|---|---|\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", f.Severity, f.location(), cell(f.Title))
		}
		for i, f := range r.Findings {
			fmt.Fprintf(&b, "\n### %d. %s\n\n**%s** at `%s`, confidence %.0f%%\n\n%s\n", i+1, f.Title, f.Severity, f.location(), f.Confidence*100, f.Explanation)
			if f.SuggestedFix != "" {
				fmt.Fprintf(&b, "\n<details><summary>Suggested fix</summary>\n\n```diff\n%s\n```\n\n</details>\n", strings.TrimRight(f.SuggestedFix, "\n"))
			}
		}
	}
	fmt.Fprintf(&b, "\n<sub>%s · %s · %s</sub>\n", r.counts(), r.Model, Count(len(r.Files), "file"))
	return b.String()
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return prefix + strings.Join(lines, "\n"+prefix)
}

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// Count writes n and noun, adding an "s" unless n is 1: "1 file", "3 files".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
