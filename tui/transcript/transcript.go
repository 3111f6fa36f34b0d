// Package transcript holds the conversation shown in the terminal UI and renders the part of it
// that fits on screen.
//
// Each entry is rendered once per width (and re-rendered only when it changes), and a frame
// renders only the entries it shows, so a frame costs the same in a session of five thousand
// messages as in one of five. The view follows the bottom while the reader is there; once they
// scroll up it stays where they put it as new text arrives.
package transcript

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/agent/event"
	"hew/agent/termsafe"
	"hew/sandbox/capture"
	"hew/tui/markdown"
)

// Kind is what an entry is.
type Kind int

// The kinds of entry.
const (
	User      Kind = iota // the user's prompt
	Assistant             // the model's answer, rendered as Markdown
	Reasoning             // the model's reasoning summary, dimmed
	Tool                  // a tool call: one line, or its output when expanded
	Plan                  // the plan from update_plan
	Error                 // a failure, with what to do about it
	Notice                // a status line from hew
	Info                  // output of a / command, shown as it is
	Diff                  // a unified diff (/diff), coloured
)

// outputLines is how many lines of a tool's output an entry keeps from each end.
const outputLines = 8

// Entry is one item of the transcript.
type Entry struct {
	Kind Kind
	Text string // the text, or a tool call's summary, or an error's message
	Hint string // an error's hint

	// Tool calls.
	ToolID   string
	Done     bool
	Failed   bool
	ExitCode *int
	Duration time.Duration
	Output   string // head and tail of the output, at most 2*outputLines lines unless Full
	// Full keeps the whole output (a test run's, as the runner captured it), not only its head
	// and tail.
	Full bool

	Steps []event.PlanStep

	// Expanded shows this tool call's output even when tool calls are collapsed.
	Expanded bool

	// The rendering cache: lines at width for the given version and expansion; nil until the
	// first render.
	version       int
	cacheWidth    int
	cacheVersion  int
	cacheExpanded bool
	cache         []string
	md            mdCache // an answer's rendered Markdown blocks
	safeText      string  // a prefix of Text known to need no cleaning for the terminal
}

// Transcript is the list of entries and the reader's position in it.
type Transcript struct {
	entries  []*Entry
	width    int
	expanded bool // tool calls show their output

	follow bool // the view sticks to the bottom
	// selected is the index of the entry picked for copying or expanding; -1 when none.
	selected int
	// top is the first line shown when not following: entry index and line within it.
	topEntry, topLine int

	md      mdRenderer // renders Markdown at mdWidth; nil until needed
	mdWidth int
}

// New returns an empty transcript that follows the bottom.
func New() *Transcript { return &Transcript{follow: true, selected: -1} }

// Len is the number of entries.
func (t *Transcript) Len() int { return len(t.entries) }

// Add appends e.
func (t *Transcript) Add(e *Entry) {
	if !e.Full {
		e.Output = clipLines(e.Output, outputLines)
	}
	t.entries = append(t.entries, e)
}

// Clear removes every entry.
func (t *Transcript) Clear() {
	t.entries, t.follow, t.topEntry, t.topLine, t.selected = nil, true, 0, 0, -1
}

// Last returns the last entry, or nil.
func (t *Transcript) Last() *Entry {
	if len(t.entries) == 0 {
		return nil
	}
	return t.entries[len(t.entries)-1]
}

// AppendText adds streamed text to the last entry when it has kind k, else starts one.
func (t *Transcript) AppendText(k Kind, text string) {
	if last := t.Last(); last != nil && last.Kind == k {
		last.Text += text
		last.version++
		return
	}
	t.Add(&Entry{Kind: k, Text: text})
}

// FinishTool records a tool call's result on its entry.
func (t *Transcript) FinishTool(f event.ToolFinished) {
	for i := len(t.entries) - 1; i >= 0; i-- {
		e := t.entries[i]
		if e.Kind == Tool && e.ToolID == f.ID {
			e.Done, e.Failed, e.ExitCode, e.Duration = true, f.IsError, f.ExitCode, f.Duration
			e.Output = clipLines(f.Output, outputLines)
			e.version++
			return
		}
	}
}

// Select moves the selection d entries down (negative: up), starting from the last entry when
// nothing is selected, and scrolls so that the selected entry is on screen. It returns the
// selected entry, or nil when the transcript is empty.
func (t *Transcript) Select(d, height int) *Entry {
	if len(t.entries) == 0 {
		return nil
	}
	i := t.selected
	if i < 0 {
		i = len(t.entries)
		if d > 0 {
			d = -1 // the first press of either key picks the last entry
		}
	}
	i = min(max(i+d, 0), len(t.entries)-1)
	down := i > t.selected && t.selected >= 0
	t.selected = i
	t.reveal(i, height, down)
	return t.entries[i]
}

// Selected returns the selected entry, or nil.
func (t *Transcript) Selected() *Entry {
	if t.selected < 0 || t.selected >= len(t.entries) {
		return nil
	}
	return t.entries[t.selected]
}

// Unselect clears the selection.
func (t *Transcript) Unselect() { t.selected = -1 }

// reveal scrolls so that entry i is on screen: at the bottom when moving down, else at the top.
func (t *Transcript) reveal(i, height int, down bool) {
	rest := 0
	for j := i; j < len(t.entries) && rest <= height; j++ {
		rest += len(t.lines(j))
	}
	if rest <= height {
		t.follow = true // it is on the last screen
		return
	}
	if !t.follow && t.shows(i, height) {
		return
	}
	t.follow, t.topEntry, t.topLine = false, i, 0
	if !down {
		return
	}
	// End the screen with entry i.
	n := 0
	for j := i; j >= 0; j-- {
		n += len(t.lines(j))
		if n >= height {
			t.topEntry, t.topLine = j, n-height
			return
		}
	}
	t.topEntry, t.topLine = 0, 0
}

// shows reports whether entry i lies wholly on the screen as it is scrolled (not following).
func (t *Transcript) shows(i, height int) bool {
	if i < t.topEntry || i == t.topEntry && t.topLine > 0 {
		return false
	}
	n := -t.topLine
	for j := t.topEntry; j <= i; j++ {
		n += len(t.lines(j))
	}
	return n <= height
}

// Plain returns the entry as plain text, for the clipboard: Markdown as written, a tool call
// with its output, an error with its hint.
func (e *Entry) Plain() string {
	switch e.Kind {
	case Tool:
		if e.Output == "" {
			return e.Text
		}
		return e.Text + "\n" + e.Output
	case Plan:
		var b strings.Builder
		for _, s := range e.Steps {
			fmt.Fprintf(&b, "[%s] %s\n", s.Status, s.Step)
		}
		return strings.TrimRight(b.String(), "\n")
	case Error:
		if e.Hint != "" {
			return e.Text + "\n" + e.Hint
		}
	}
	return e.Text
}

// ToggleEntry shows or hides the output of one tool call.
func (t *Transcript) ToggleEntry(e *Entry) { e.Expanded = !e.Expanded }

// ToggleExpanded shows or hides the output of tool calls.
func (t *Transcript) ToggleExpanded() { t.expanded = !t.expanded }

// Expanded reports whether tool calls show their output.
func (t *Transcript) Expanded() bool { return t.expanded }

// Following reports whether the view sticks to the bottom.
func (t *Transcript) Following() bool { return t.follow }

// SetWidth sets the width entries are rendered at.
func (t *Transcript) SetWidth(w int) { t.width = max(w, 10) }

// View returns exactly height lines (fewer when the transcript is shorter) of the transcript as
// the reader's position shows it.
func (t *Transcript) View(height int) string {
	if height <= 0 || len(t.entries) == 0 {
		return ""
	}
	var lines []string
	if t.follow {
		// Walk up from the bottom until the screen is full.
		var chunks [][]string
		n := 0
		for i := len(t.entries) - 1; i >= 0 && n < height; i-- {
			l := t.marked(i)
			chunks = append(chunks, l)
			n += len(l)
		}
		lines = make([]string, 0, n)
		for i := len(chunks) - 1; i >= 0; i-- {
			lines = append(lines, chunks[i]...)
		}
		if len(lines) > height {
			lines = lines[len(lines)-height:]
		}
	} else {
		for i := t.topEntry; i < len(t.entries) && len(lines) < height+t.topLine; i++ {
			lines = append(lines, t.marked(i)...)
		}
		lines = lines[min(t.topLine, len(lines)):]
		if len(lines) > height {
			lines = lines[:height]
		}
	}
	return strings.Join(lines, "\n")
}

// ScrollUp moves the view n lines up, leaving the bottom.
func (t *Transcript) ScrollUp(n, height int) {
	if len(t.entries) == 0 {
		return
	}
	if t.follow {
		t.follow = false
		t.topEntry, t.topLine = len(t.entries)-1, len(t.lines(len(t.entries)-1))
		n += height
	}
	t.topLine -= n
	for t.topLine < 0 && t.topEntry > 0 {
		t.topEntry--
		t.topLine += len(t.lines(t.topEntry))
	}
	if t.topLine < 0 {
		t.topLine = 0
	}
}

// ScrollDown moves the view n lines down; reaching the bottom, it follows it again.
func (t *Transcript) ScrollDown(n, height int) {
	if t.follow {
		return
	}
	t.topLine += n
	for t.topEntry < len(t.entries)-1 && t.topLine >= len(t.lines(t.topEntry)) {
		t.topLine -= len(t.lines(t.topEntry))
		t.topEntry++
	}
	// Follow again once the rest fits on the screen.
	rest := -t.topLine
	for i := t.topEntry; i < len(t.entries) && rest <= height; i++ {
		rest += len(t.lines(i))
	}
	if rest <= height {
		t.follow = true
	}
}

// Bottom makes the view follow the bottom again.
func (t *Transcript) Bottom() { t.follow = true }

// selMark marks the lines of the selected entry in place of their first cell.
var selMark = lipgloss.NewStyle().Foreground(lipgloss.Color("214")).Render("▌")

// marked returns entry i's lines, marked when it is selected (a copy: the cache stays as it is).
func (t *Transcript) marked(i int) []string {
	l := t.lines(i)
	if i != t.selected {
		return l
	}
	out := make([]string, len(l))
	for j, line := range l {
		if line == "" && j == len(l)-1 {
			continue // the blank line between entries
		}
		out[j] = selMark + ansi.TruncateLeft(line, 1, "")
	}
	return out
}

// cleanText is Text cleaned for the terminal (termsafe.Clean). Text that needs no cleaning is
// returned as it is, and a streaming answer only grows, so only what came since the last frame
// is checked: the cost of a frame does not grow with the answer.
func (e *Entry) cleanText() string {
	if !strings.HasPrefix(e.Text, e.safeText) {
		e.safeText = ""
	}
	if !termsafe.Safe(e.Text[len(e.safeText):]) {
		return termsafe.Clean(e.Text)
	}
	e.safeText = e.Text
	return e.Text
}

// lines returns entry i rendered at the current width, from the cache when it is fresh.
func (t *Transcript) lines(i int) []string {
	e := t.entries[i]
	expanded := t.expanded || e.Expanded
	if e.cache != nil && e.cacheWidth == t.width && e.cacheVersion == e.version && e.cacheExpanded == expanded {
		return e.cache
	}
	if e.Kind == Assistant {
		e.cache = e.md.render(e.cleanText(), t.width, t.markdown())
	} else {
		e.cache = strings.Split(strings.TrimRight(t.render(e), "\n"), "\n")
	}
	if e.Kind != Tool || e.Full {
		e.cache = append(e.cache, "") // a blank line between entries; tool calls stay together
	}
	e.cacheWidth, e.cacheVersion, e.cacheExpanded = t.width, e.version, expanded
	return e.cache
}

var (
	userStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("81")).Bold(true)
	dimStyle     = lipgloss.NewStyle().Foreground(lipgloss.Color("245"))
	okStyle      = lipgloss.NewStyle().Foreground(lipgloss.Color("78"))
	failStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("203"))
	warnStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("214"))
	runningStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("222"))
)

// render draws one entry at t.width, ending with a newline; lines adds the blank line after
// each entry but a tool call. What came from outside hew is made safe for the terminal first
// and styled after, so no escape sequence of the model's or a command's reaches the screen.
func (t *Transcript) render(e *Entry) string {
	e = cleaned(e) // even Info: /diff and /sessions show the model's text
	w := t.width
	switch e.Kind {
	case User:
		return userStyle.Render("› ") + wrap(e.Text, w-2, "  ") + "\n"
	case Reasoning:
		return dimStyle.Render(wrap(strings.TrimSpace(e.Text), w, "")) + "\n"
	case Tool:
		return t.renderTool(e)
	case Plan:
		var b strings.Builder
		b.WriteString(dimStyle.Render("plan") + "\n")
		for _, s := range e.Steps {
			mark := "○"
			switch s.Status {
			case "done":
				mark = okStyle.Render("✓")
			case "in_progress":
				mark = runningStyle.Render("▸")
			}
			b.WriteString(" " + mark + " " + ansi.Truncate(s.Step, w-4, "…") + "\n")
		}
		return b.String()
	case Error:
		s := failStyle.Render("✗ " + wrap(e.Text, w-2, "  "))
		if e.Hint != "" {
			s += "\n" + dimStyle.Render("  → "+wrap(e.Hint, w-4, "    "))
		}
		return s + "\n"
	case Notice:
		return warnStyle.Render("• "+wrap(e.Text, w-2, "  ")) + "\n"
	case Diff:
		return renderDiff(e.Text, w)
	default:
		return wrap(e.Text, w, "") + "\n"
	}
}

// cleaned returns a copy of e whose text fields are safe for a terminal (see termsafe).
func cleaned(e *Entry) *Entry {
	c := *e
	c.Text, c.Hint, c.Output = termsafe.Clean(e.Text), termsafe.Clean(e.Hint), termsafe.Clean(e.Output)
	if len(e.Steps) > 0 {
		c.Steps = make([]event.PlanStep, len(e.Steps))
		for i, s := range e.Steps {
			s.Step = termsafe.Clean(s.Step)
			c.Steps[i] = s
		}
	}
	return &c
}

func (t *Transcript) renderTool(e *Entry) string {
	w := t.width
	var mark, status string
	switch {
	case !e.Done:
		mark = runningStyle.Render("▸")
	case e.Failed || (e.ExitCode != nil && *e.ExitCode != 0):
		mark = failStyle.Render("✗")
	default:
		mark = okStyle.Render("✓")
	}
	if e.ExitCode != nil {
		status = fmt.Sprintf("exit %d", *e.ExitCode)
	}
	if e.Done {
		status = strings.TrimSpace(status + " " + runTime(e.Duration))
	}
	line := mark + " " + ansi.Truncate(e.Text, w-4-len(status), "…")
	if status != "" {
		line += " " + dimStyle.Render(status)
	}
	if !t.expanded && !e.Expanded || e.Output == "" {
		return line + "\n"
	}
	var b strings.Builder
	b.WriteString(line + "\n")
	for _, l := range strings.Split(strings.TrimRight(e.Output, "\n"), "\n") {
		b.WriteString(dimStyle.Render("  │ "+ansi.Truncate(strings.ReplaceAll(l, "\t", "    "), w-4, "…")) + "\n")
	}
	return b.String()
}

var (
	diffAdd  = lipgloss.NewStyle().Foreground(lipgloss.Color("78"))
	diffDel  = lipgloss.NewStyle().Foreground(lipgloss.Color("203"))
	diffHunk = lipgloss.NewStyle().Foreground(lipgloss.Color("75"))
	diffFile = lipgloss.NewStyle().Bold(true)
)

// renderDiff colours a unified diff as git does: file headers bold, hunk headers blue, added
// lines green, removed lines red; long lines wrap.
func renderDiff(text string, w int) string {
	var b strings.Builder
	inHunk := false
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		style := lipgloss.NewStyle()
		switch {
		case strings.HasPrefix(line, "diff --git "):
			style, inHunk = diffFile, false
		case strings.HasPrefix(line, "@@"):
			style, inHunk = diffHunk, true
		case !inHunk:
			style = diffFile // index, ---, +++, mode and rename lines
		case strings.HasPrefix(line, "+"):
			style = diffAdd
		case strings.HasPrefix(line, "-"):
			style = diffDel
		}
		for _, part := range strings.Split(wrap(line, w, ""), "\n") {
			b.WriteString(style.Render(part) + "\n")
		}
	}
	return b.String()
}

// runTime says how long a tool call ran, to the millisecond ("<1ms" rather than "0s").
func runTime(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return d.Round(time.Millisecond).String()
}

// markdown returns the renderer of Markdown blocks at the current width.
func (t *Transcript) markdown() mdRenderer {
	if t.md == nil || t.mdWidth != t.width {
		t.md, t.mdWidth = newMDRenderer(t.width), t.width
	}
	return t.md
}

// wrap wraps s to width cells, indenting continuation lines with indent.
func wrap(s string, width int, indent string) string {
	s = ansi.Wrap(markdown.ExpandTabs(s), max(width, 1), "")
	if indent == "" {
		return s
	}
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// maxLineBytes caps each line of tool output kept in the transcript.
const maxLineBytes = 512

// clipLines keeps the first and last n lines of s, each cut to maxLineBytes, with a marker line
// between them saying exactly what was left out: the lines dropped here and those that markers
// of earlier cuts among them stood for (see capture.Count), so the count is the same the model
// was given.
func clipLines(s string, n int) string {
	lines := strings.Split(capture.KeepLines(s, n, n, ""), "\n")
	for i, l := range lines {
		if len(l) > maxLineBytes {
			lines[i] = strings.ToValidUTF8(l[:maxLineBytes], "") + "…"
		}
	}
	return strings.Join(lines, "\n")
}
