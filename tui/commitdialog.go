package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/termsafe"
	"hew/sandbox/capture"
	"hew/tui/keymap"
)

// commitDialog is the last step before a commit, shown in the review: the result of the tests
// run on exactly what will be committed, and the commit message to edit. When the tests fail
// or did not run, the user must say to commit anyway before the message shows.
type commitDialog struct {
	files []string // the accepted files the commit takes
	tests *event.TestRun
	// cached reports that the tests were not run again: the last run saw exactly the files
	// that will be committed.
	cached bool
	// untested says why the tests did not run, when they did not ("" when they ran).
	untested string
	// confirm is set while the user must say whether to commit although the tests fail or did
	// not run.
	confirm bool
	msg     textarea.Model
}

var (
	passStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("78")).Bold(true)
	failStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("203")).Bold(true)
)

// commitTestedMsg reports the tests run before a commit and the drafted message.
type commitTestedMsg struct {
	files   []string
	tr      event.TestRun
	cached  bool
	err     error
	message string
}

// commit tests what committing the accepted files would commit, then shows the commit dialog.
// A message given (/commit MESSAGE) replaces the drafted one.
func (m *Model) commit(message string) tea.Cmd {
	accepted := m.eng.Accepted()
	if len(accepted) == 0 {
		m.rv.SetMessage("nothing accepted to commit yet: y accepts a hunk")
		m.notice("nothing accepted to commit yet")
		return nil
	}
	if m.opRunning() {
		return nil
	}
	m.view = viewReview
	eng, task, timeout, uictx := m.eng, m.lastTask, m.opts.TestTimeout, m.ctx
	ctx, cancel := context.WithCancel(m.ctx)
	m.opCancel = cancel
	what := "testing what will be committed… (esc skips the tests)"
	if eng.Defaults().TestCmd == "" {
		what = "drafting the commit message…"
	}
	return m.startOp(what, func() tea.Msg {
		defer cancel()
		tr, cached, err := eng.TestCommit(ctx, timeout)
		if strings.TrimSpace(message) == "" {
			message = eng.CommitMessage(uictx, task)
		}
		return commitTestedMsg{files: accepted, tr: tr, cached: cached, err: err, message: message}
	})
}

func (msg commitTestedMsg) apply(m *Model) tea.Cmd {
	m.opCancel = nil
	d := &commitDialog{files: msg.files, cached: msg.cached}
	switch {
	case errors.Is(msg.err, engine.ErrNoTestCommand):
		d.untested = "no test command is set (test_cmd in .hew/config.toml)"
	case errors.Is(msg.err, context.Canceled) && m.ctx.Err() == nil:
		d.untested, d.confirm = "you skipped them", true
	case msg.err != nil:
		d.untested, d.confirm = msg.err.Error(), true
	default:
		tr := msg.tr
		d.tests = &tr
		d.confirm = !tr.Passed
	}
	m.rv.SetTests(m.eng.TestStatus())
	d.msg = newMessageInput(msg.message, m.width)
	m.commitDlg = d
	m.rv.SetMessage("")
	return nil
}

// newMessageInput is the commit message editor, holding message.
func newMessageInput(message string, width int) textarea.Model {
	in := textarea.New()
	in.ShowLineNumbers = false
	in.Prompt = "│ "
	in.KeyMap.InsertNewline = keymap.TranscriptKeys.NewLine
	st := textarea.DefaultDarkStyles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	in.SetWidth(max(width, 20))
	rows := 0 // the message's rows as the editor wraps them
	for _, l := range strings.Split(strings.TrimSpace(message), "\n") {
		rows += max((ansi.StringWidth(l)+width-5)/max(width-4, 1), 1) // wrapped at words: a little room
	}
	in.SetHeight(min(max(rows, 3), 14))
	in.SetValue(strings.TrimSpace(message))
	in.MoveToBegin()
	in.Focus()
	return in
}

// commitDialogKey handles a key in the commit dialog: while the tests fail, y goes on to the
// message; enter commits with the message; esc goes back to the review, committing nothing.
func (m *Model) commitDialogKey(k tea.KeyPressMsg) tea.Cmd {
	d := m.commitDlg
	switch {
	case key.Matches(k, keymap.CommitKeys.Cancel):
		m.commitDlg = nil
		m.rv.SetMessage("not committed: c commits when you are ready")
		return nil
	case d.confirm:
		if key.Matches(k, keymap.CommitKeys.Anyway) {
			d.confirm = false
		}
		return nil
	case key.Matches(k, keymap.CommitKeys.Commit):
		message := strings.TrimSpace(d.msg.Value())
		if message == "" {
			return nil // git refuses an empty message; the dialog says to write one
		}
		m.commitDlg = nil
		eng, files := m.eng, len(d.files)
		return m.startOp("committing…", func() tea.Msg {
			return commitReadyMsg{message: message, files: files, hooks: eng.CommitHooks()}
		})
	}
	var cmd tea.Cmd
	d.msg, cmd = d.msg.Update(k)
	return cmd
}

// view renders the dialog in w×h cells.
func (d *commitDialog) view(w, h int) string {
	rows := []string{titleRow("Commit "+plural(len(d.files), "file")+": "+strings.Join(d.files, ", "), w), ""}
	rows = append(rows, d.testRows(w)...)
	rows = append(rows, "")
	var hint string
	if d.confirm {
		hint = hintStyle.Render(ansi.Truncate("y commit anyway, then edit the message · esc back, nothing committed", w, "…"))
		if d.tests != nil && d.tests.Output != "" {
			out := lastLines(d.tests.Output, max(h-len(rows)-3, 0))
			for _, l := range out {
				rows = append(rows, hintStyle.Render(ansi.Truncate("  "+termsafe.Clean(l), w, "…")))
			}
			rows = append(rows, "")
		}
		rows = append(rows, hint)
	} else {
		rows = append(rows, askStyle.Render("Commit message")+hintStyle.Render(" (built from what you accepted; edit it freely)"))
		rows = append(rows, strings.Split(d.msg.View(), "\n")...)
		if strings.TrimSpace(d.msg.Value()) == "" {
			rows = append(rows, failStyle.Render("the message is empty: write one to commit"))
		}
		rows = append(rows, hintStyle.Render(ansi.Truncate("enter commit · ctrl+j new line · esc back, nothing committed", w, "…")))
	}
	for len(rows) < h {
		rows = append(rows, "")
	}
	return strings.Join(rows[:h], "\n")
}

// testRows say what the tests found on what will be committed.
func (d *commitDialog) testRows(w int) []string {
	var s string
	switch tr := d.tests; {
	case tr == nil && d.confirm:
		s = failStyle.Render("✗ the tests did not run on what will be committed") + ": " + d.untested
	case tr == nil:
		s = hintStyle.Render("not tested: " + d.untested)
	case tr.Passed:
		s = passStyle.Render("✓ tests pass on exactly what will be committed") +
			hintStyle.Render(fmt.Sprintf(" — %s (%s)", tr.Command, tr.Duration.Round(10*time.Millisecond)))
	default:
		s = failStyle.Render(fmt.Sprintf("✗ tests FAIL on exactly what will be committed (exit %d)", tr.ExitCode)) + hintStyle.Render(" — "+tr.Command)
	}
	rows := []string{ansi.Truncate(s, w, "…")}
	if tr := d.tests; tr != nil && d.cached {
		rows = append(rows, hintStyle.Render(ansi.Truncate("  not run again: these very files were tested already", w, "…")))
	}
	return rows
}

func titleRow(s string, w int) string {
	return ansi.Truncate(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("111")).Render(s), w, "…")
}

// lastLines returns up to n rows of the end of s: its last lines, after a marker line saying
// exactly how many lines were left out above them (see capture.KeepLines) when not all fit.
func lastLines(s string, n int) []string {
	if n <= 0 {
		return nil
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return lines
	}
	if n == 1 {
		return lines[len(lines)-1:]
	}
	return strings.Split(capture.KeepLines(s, 0, n-1, ""), "\n")
}
