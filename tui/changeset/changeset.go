// Package changeset is the proposal review view of the terminal UI: the changed files with their
// +/- counts, the hunks of one file with syntax highlighting, unified or side by side, the
// latest test result, and the keys that accept or reject hunks.
//
// The view decides nothing itself: a key becomes a Request that the caller carries out (through
// the engine) before handing the view the proposal as it is afterwards with SetFiles.
package changeset

import (
	"fmt"
	"path"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/termsafe"
	"hew/gitops/diff"
	"hew/tui/keymap"
)

// SplitWidth is the width from which the view is side by side unless toggled.
const SplitWidth = 140

// Action is what a key asks the caller to do.
type Action int

// The actions.
const (
	None       Action = iota
	AcceptHunk        // write the hunk into the tree
	RejectHunk        // drop the hunk from the proposal (Note, when set, goes to the model)
	AcceptFile        // accept every remaining hunk of the file
	RejectFile        // reject every remaining hunk of the file
	Edit              // open the file at the hunk in $EDITOR
	Commit            // commit what was accepted
	SendNote          // send the rejections and the note to the model now
	Close             // back to the transcript
)

// Request is an action on a hunk of a file.
type Request struct {
	Action Action
	Path   string
	Hunk   int // index in the file's hunks; 0 for a whole-file change
	Line   int // the hunk's first line in the proposed file (for Edit)
	// Note is the note for the model typed with f, for RejectHunk (it may be empty); Noted
	// reports that the hunk was rejected with f.
	Note  string
	Noted bool
}

// Model is the review view's state.
type Model struct {
	files         []engine.FileReview
	file, hunk    int
	scroll        int // rows of the current hunk area scrolled past
	width, height int
	split         bool
	splitSet      bool // the user chose with s; the width no longer decides
	tests         engine.TestStatus
	opinion       *event.SecondOpinion
	testing       bool   // a test run on the proposal is going
	accepted      int    // files accepted into the tree and not committed yet
	message       string // the outcome of the last action
	noting        bool   // typing a note for f
	note          string
	hl            *highlighter
	help          help.Model // renders the footer's keys
}

// New returns an empty review view.
func New() *Model {
	h := help.New()
	h.ShortSeparator = " · "
	h.Styles = help.Styles{ShortKey: dimStyle, ShortDesc: dimStyle, ShortSeparator: dimStyle, Ellipsis: dimStyle}
	return &Model{hl: newHighlighter(), help: h}
}

// SetFiles replaces the proposal shown, keeping the position where it can.
func (m *Model) SetFiles(files []engine.FileReview) {
	cur := ""
	if m.file < len(m.files) {
		cur = m.files[m.file].Change.Path
	}
	m.files = files
	m.file = min(m.file, max(len(files)-1, 0))
	for i, f := range files {
		if f.Change.Path == cur {
			m.file = i
		}
	}
	m.hunk = min(m.hunk, max(m.hunks()-1, 0))
	m.scroll = 0
}

// Files returns the files shown.
func (m *Model) Files() []engine.FileReview { return m.files }

// Empty reports whether there is nothing left to review.
func (m *Model) Empty() bool { return len(m.files) == 0 }

// SetTests records the session's latest test result and whether it is stale.
func (m *Model) SetTests(st engine.TestStatus) { m.tests = st }

// SetOpinion records the latest second opinion on the proposal, shown beside the tests.
func (m *Model) SetOpinion(op event.SecondOpinion) { m.opinion = &op }

// SetTesting records whether a test run on the proposal is going: the badge says so instead of
// the last result.
func (m *Model) SetTesting(on bool) { m.testing = on }

// SetAccepted records how many files are accepted into the working tree and not committed yet,
// which c commits; the view says so when nothing is left to review.
func (m *Model) SetAccepted(n int) { m.accepted = n }

// Message returns the outcome of the last action shown.
func (m *Model) Message() string { return m.message }

// SetMessage shows the outcome of the last action.
func (m *Model) SetMessage(s string) { m.message = termsafe.Clean(s) }

// SetSize sets the view's size; the width picks unified or split unless the user chose.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if !m.splitSet {
		m.split = w >= SplitWidth
	}
}

// Split reports whether the view is side by side.
func (m *Model) Split() bool { return m.split }

// Position returns the current file's path and hunk index.
func (m *Model) Position() (string, int) {
	if len(m.files) == 0 {
		return "", 0
	}
	return m.files[m.file].Change.Path, m.hunk
}

// Noting reports whether the view is taking a note for f.
func (m *Model) Noting() bool { return m.noting }

// hunks is the number of decidable units of the current file.
func (m *Model) hunks() int {
	if len(m.files) == 0 {
		return 0
	}
	return max(len(m.files[m.file].Hunks), 1)
}

// Key handles a key press (keymap.ReviewKeys) and returns what the caller should do.
func (m *Model) Key(k tea.KeyPressMsg) Request {
	if m.noting {
		return m.noteKey(k)
	}
	km := keymap.ReviewKeys
	switch {
	case key.Matches(k, km.Close):
		return Request{Action: Close}
	case key.Matches(k, km.Commit):
		// Committing needs no hunk: what was accepted may have emptied the proposal.
		return Request{Action: Commit}
	case key.Matches(k, km.SendNote):
		return Request{Action: SendNote}
	}
	if len(m.files) == 0 {
		return Request{}
	}
	req := func(a Action) Request {
		f := m.files[m.file]
		r := Request{Action: a, Path: f.Change.Path, Hunk: m.hunk}
		if m.hunk < len(f.Hunks) {
			r.Line = max(f.Hunks[m.hunk].NewStart, 1)
		}
		return r
	}
	switch {
	case key.Matches(k, km.Accept):
		return req(AcceptHunk)
	case key.Matches(k, km.Reject):
		return req(RejectHunk)
	case key.Matches(k, km.AcceptFile):
		return req(AcceptFile)
	case key.Matches(k, km.RejectFile):
		return req(RejectFile)
	case key.Matches(k, km.Edit):
		return req(Edit)
	case key.Matches(k, km.Note):
		m.noting = true // the batch's note so far, to add to: one note goes with the batch
	case key.Matches(k, km.Split):
		m.split, m.splitSet = !m.split, true
	case key.Matches(k, km.NextFile):
		m.file, m.hunk, m.scroll = (m.file+1)%len(m.files), 0, 0
	case key.Matches(k, km.PrevFile):
		m.file, m.hunk, m.scroll = (m.file+len(m.files)-1)%len(m.files), 0, 0
	case key.Matches(k, km.NextHunk):
		m.hunk, m.scroll = min(m.hunk+1, m.hunks()-1), 0
	case key.Matches(k, km.PrevHunk):
		m.hunk, m.scroll = max(m.hunk-1, 0), 0
	case key.Matches(k, km.PageDown):
		m.scroll += max(m.bodyHeight()-2, 1)
	case key.Matches(k, km.PageUp):
		m.scroll = max(m.scroll-max(m.bodyHeight()-2, 1), 0)
	}
	return Request{}
}

// noteKey edits the note for f (keymap.NoteKeys); enter rejects the hunk with it, esc cancels.
func (m *Model) noteKey(k tea.KeyPressMsg) Request {
	var done bool
	m.note, done = keymap.TypeNote(k, m.note)
	if !done {
		return Request{}
	}
	m.noting = false
	if !key.Matches(k, keymap.NoteKeys.Send) {
		return Request{}
	}
	if len(m.files) == 0 {
		return Request{} // the proposal emptied while the note was typed
	}
	f := m.files[m.file]
	return Request{Action: RejectHunk, Path: f.Change.Path, Hunk: m.hunk, Note: strings.TrimSpace(m.note), Noted: true}
}

// SetNote sets the note for the model that f shows for editing: the one for the rejections
// not yet sent, so that a batch has one note.
func (m *Model) SetNote(note string) {
	if !m.noting {
		m.note = note
	}
}

// Paste adds pasted text to the note being typed.
func (m *Model) Paste(s string) {
	if m.noting {
		m.note += strings.ReplaceAll(s, "\n", " ")
	}
}

var (
	titleStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("111"))
	dimStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("245"))
	addStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("78"))
	delStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("203"))
	selStyle   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("229"))
	hunkStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("139"))
	// warnStyle marks control files (files that steer hew, git, hooks or CI) and unsafe changes
	// (proposal.Change.Unsafe: ones hew exec would refuse).
	warnStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("214"))
)

// fileListRows is how many files the list shows at most.
const fileListRows = 6

// bodyHeight is the number of rows left for hunks.
func (m *Model) bodyHeight() int { return m.bodyRows(len(m.footer(max(m.width, 20)))) }

// bodyRows is the number of rows left for hunks below a footer footRows high.
func (m *Model) bodyRows(footRows int) int {
	return m.height - 2 - footRows - min(len(m.files), fileListRows) // title, separator, footer
}

// View renders the view at its size: exactly height lines.
func (m *Model) View() string {
	w := max(m.width, 20)
	foot := m.footer(w)
	rows := make([]string, 0, m.height)
	rows = append(rows, m.title(w))
	switch {
	case len(m.files) == 0 && m.accepted > 0:
		rows = append(rows, "", "  Nothing left to review.", fmt.Sprintf("  %s accepted and not committed: c commits, esc goes back.", files(m.accepted)))
	case len(m.files) == 0:
		rows = append(rows, "", "  Nothing to review: the proposal is empty.")
	default:
		rows = append(rows, m.fileList(w)...)
		rows = append(rows, dimStyle.Render(strings.Repeat("─", w)))
		rows = append(rows, m.body(w, m.bodyRows(len(foot)))...)
	}
	for len(rows) < m.height-len(foot) {
		rows = append(rows, "")
	}
	rows = append(rows[:min(len(rows), max(m.height-len(foot), 0))], foot...)
	return strings.Join(rows, "\n")
}

func files(n int) string { return count(n, "file") }

// count says n of a noun, singular for one: "1 hunk", "2 hunks".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (m *Model) title(w int) string {
	added, removed := 0, 0
	for _, f := range m.files {
		added += f.Added
		removed += f.Removed
	}
	s := titleStyle.Render("Review") + "  " + files(len(m.files)) + "  " +
		addStyle.Render(fmt.Sprintf("+%d", added)) + " " + delStyle.Render(fmt.Sprintf("-%d", removed)) + "   "
	s += m.testBadge()
	if op := m.opinion; op != nil {
		if op.Blocked {
			s += delStyle.Render("   second opinion ✗ blocks: "+count(len(op.Findings), "finding")) + dimStyle.Render(" "+op.Model)
		} else {
			s += dimStyle.Render("   second opinion: " + count(len(op.Findings), "finding") + ", none blocking " + op.Model)
		}
	}
	return ansi.Truncate(s, w, "…")
}

// testBadge says what the last test run found and whether it still holds.
func (m *Model) testBadge() string {
	tr := m.tests.Run
	on := "on the proposal"
	switch {
	case m.tests.On == engine.TestedCommit && m.accepted == 0:
		on = "on what was committed" // nothing is accepted since the commit tested
	case m.tests.On == engine.TestedCommit:
		on = "on what will be committed"
	}
	switch {
	case m.testing:
		return warnStyle.Render("tests: running on the proposal…")
	case tr == nil:
		return dimStyle.Render("tests: not run on this proposal")
	case m.tests.Stale:
		was := "✓"
		if !tr.Passed {
			was = "✗"
		}
		return warnStyle.Render("tests: stale") + dimStyle.Render(" ("+was+" before your last change; c re-tests)")
	case tr.Passed:
		return addStyle.Render("tests ✓ passed "+on) + dimStyle.Render(fmt.Sprintf(" %s (%s)", tr.Command, tr.Duration.Round(10*time.Millisecond)))
	}
	return delStyle.Render(fmt.Sprintf("tests ✗ failed %s (exit %d)", on, tr.ExitCode)) + dimStyle.Render(" "+tr.Command)
}

func (m *Model) fileList(w int) []string {
	n := min(len(m.files), fileListRows)
	start := min(max(m.file-n/2, 0), len(m.files)-n)
	var rows []string
	for i := start; i < start+n; i++ {
		f := m.files[i]
		mark, name := "  ", termsafe.Clean(f.Change.Path)
		if i == m.file {
			mark, name = selStyle.Render("▶ "), selStyle.Render(name)
		}
		units := "whole file"
		if !f.Whole {
			units = count(len(f.Hunks), "hunk")
		}
		if f.Control != "" {
			name += "  " + warnStyle.Render("⚠ control file: "+f.Control)
		}
		row := fmt.Sprintf("%s%c %s  %s %s  %s", mark, f.Change.Op, name,
			addStyle.Render(fmt.Sprintf("+%d", f.Added)), delStyle.Render(fmt.Sprintf("-%d", f.Removed)), dimStyle.Render(units))
		if f.Change.Unsafe != "" {
			row += "  " + warnStyle.Render("⚠ unsafe")
		}
		rows = append(rows, ansi.Truncate(row, w, "…"))
	}
	return rows
}

// footer is the view's last rows: the outcome of the last action, when there is one, above
// the keys, so that the keys keep the whole width.
func (m *Model) footer(w int) []string {
	if m.noting {
		return []string{ansi.Truncate(titleStyle.Render("note for the model (one for this batch of rejections): ")+m.note+"█", w, "…")}
	}
	var rows []string
	if m.message != "" {
		// Two rows at most: an outcome that says what to do next must not lose its end.
		lines := strings.Split(ansi.Wrap(m.message, w, ""), "\n")
		if len(lines) > 2 {
			lines[1] = ansi.Truncate(strings.Join(lines[1:], " "), w, "…")
			lines = lines[:2]
		}
		for _, l := range lines {
			rows = append(rows, dimStyle.Render(ansi.Truncate(l, w, "…")))
		}
	}
	m.help.SetWidth(w)
	keys := keymap.ReviewKeys.Footer()
	if len(m.files) == 0 {
		keys = keymap.ReviewKeys.DoneFooter(m.accepted > 0)
	}
	return append(rows, m.help.ShortHelpView(keys))
}

// body renders the current file's hunks from the selected one, skipping m.scroll rows; a change
// hew judged unsafe (proposal.Change.Unsafe) says why first, above the change.
func (m *Model) body(w, height int) []string {
	f := m.files[m.file]
	if f.Change.Unsafe == "" || height < 2 {
		return m.changeRows(w, height)
	}
	warn := warnStyle.Render("⚠ " + termsafe.Clean(f.Change.Path) + ": " + termsafe.Clean(f.Change.Unsafe) + " — hew exec never accepts this")
	return append([]string{ansi.Truncate(warn, w, "…")}, m.changeRows(w, height-1)...)
}

// changeRows renders the current file's hunks from the selected one, skipping m.scroll rows.
func (m *Model) changeRows(w, height int) []string {
	f := m.files[m.file]
	if f.Whole {
		what := "changes mode only"
		switch {
		case f.Change.Op == 'D':
			what = "deleted (" + count(f.Removed, "line") + ")"
		case diff.IsBinary(f.Change.New) || diff.IsBinary(f.Change.Old):
			what = fmt.Sprintf("binary file (%d bytes)", len(f.Change.New))
		}
		return []string{selStyle.Render("▶ ") + termsafe.Clean(f.Change.Path) + ": " + what + dimStyle.Render("  (y accepts, n rejects the whole file)")}
	}
	lexer := m.hl.lexer(path.Base(f.Change.Path))
	var rows []string
	skip := m.scroll
	add := func(r string) bool {
		if skip > 0 {
			skip--
			return true
		}
		rows = append(rows, r)
		return len(rows) < height
	}
	for i := m.hunk; i < len(f.Hunks); i++ {
		h := f.Hunks[i]
		head := hunkStyle.Render(termsafe.Clean(h.Header())) + dimStyle.Render(fmt.Sprintf("  hunk %d/%d", i+1, len(f.Hunks)))
		if i == m.hunk {
			head = selStyle.Render("▶ ") + head
		} else {
			head = "  " + head
		}
		if !add(ansi.Truncate(head, w, "…")) {
			return rows
		}
		if m.split {
			if !m.splitRows(h, w, lexer, add) {
				return rows
			}
		} else if !m.unifiedRows(h, w, lexer, add) {
			return rows
		}
	}
	return rows
}

// gutter is the width of a line number column.
const gutter = 5

func (m *Model) unifiedRows(h diff.Hunk, w int, lexer lexerFunc, add func(string) bool) bool {
	oldN, newN := h.OldStart, h.NewStart
	for _, l := range h.Lines {
		var on, nn string
		switch l.Kind {
		case '-':
			on = fmt.Sprint(oldN)
			oldN++
		case '+':
			nn = fmt.Sprint(newN)
			newN++
		default:
			on, nn = fmt.Sprint(oldN), fmt.Sprint(newN)
			oldN++
			newN++
		}
		prefix := dimStyle.Render(fmt.Sprintf("%*s %*s ", gutter, on, gutter, nn))
		if !add(prefix + m.hl.line(lexer, l.Kind, l.Text, w-2*gutter-2)) {
			return false
		}
	}
	return true
}

func (m *Model) splitRows(h diff.Hunk, w int, lexer lexerFunc, add func(string) bool) bool {
	half := (w - 1) / 2
	code := half - gutter - 1
	oldN, newN := h.OldStart, h.NewStart
	side := func(n *int, l *diff.Line) string {
		if l == nil {
			return strings.Repeat(" ", half)
		}
		num := dimStyle.Render(fmt.Sprintf("%*d ", gutter, *n))
		*n++
		return num + m.hl.line(lexer, l.Kind, l.Text, code)
	}
	lines := h.Lines
	for i := 0; i < len(lines); {
		if lines[i].Kind == ' ' {
			l := lines[i]
			if !add(side(&oldN, &l) + dimStyle.Render("│") + side(&newN, &l)) {
				return false
			}
			i++
			continue
		}
		var dels, adds []diff.Line
		for i < len(lines) && lines[i].Kind == '-' {
			dels = append(dels, lines[i])
			i++
		}
		for i < len(lines) && lines[i].Kind == '+' {
			adds = append(adds, lines[i])
			i++
		}
		for r := 0; r < max(len(dels), len(adds)); r++ {
			var left, right *diff.Line
			if r < len(dels) {
				left = &dels[r]
			}
			if r < len(adds) {
				right = &adds[r]
			}
			if !add(side(&oldN, left) + dimStyle.Render("│") + side(&newN, right)) {
				return false
			}
		}
	}
	return true
}
