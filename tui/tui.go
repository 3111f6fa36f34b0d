// Package tui is the interactive terminal view of agent events: the transcript, the input, the
// status line, the proposal review and approvals, as a Bubble Tea program over an engine.
//
// Nothing ticks while nothing moves: the program waits on the engine's event queue and on keys,
// and only a running turn animates its spinner.
package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/tui/review"
	"hew/tui/status"
	"hew/tui/transcript"
)

// Options configure a UI over an engine.
type Options struct {
	Engine *engine.Engine
	// Prompt, when not empty, is sent as soon as the UI starts.
	Prompt string
	// Approval is the approval mode: untrusted, on-request (empty) or never.
	Approval string
	// TestCmd, when not empty, runs on the proposal after each turn that changed it; the
	// review view shows the result.
	TestCmd string
	// TestTimeout bounds a test run; 0 means 10 minutes.
	TestTimeout time.Duration
	// Open starts or resumes another session for /new and /resume; nil disables them.
	Open OpenFunc
}

// view is which screen is showing.
type view int

const (
	viewTranscript view = iota
	viewReview
)

// Model is the UI's Bubble Tea model.
type Model struct {
	eng         *engine.Engine
	gen         int    // counts the engines attached; events of earlier ones are dropped
	unsubscribe func() // stops the attached engine's events
	opts        Options
	queue       *queue
	ctx         context.Context // the UI's lifetime; turns derive from it

	tr    *transcript.Transcript
	rv    *review.Model
	input textarea.Model
	spin  spinner.Model
	view  view

	width, height int

	busy      bool
	cancel    context.CancelFunc // cancels the running turn
	quitArmed bool               // ctrl+c was pressed once
	quitting  bool

	history []string
	histPos int // len(history) when not browsing

	rejected    []engine.Resolution // rejected hunks the model has not been told about
	pendingNote string              // the reason given with them, if any
	lastTask    string
	lastFinal   string
	usage       event.Usage
	branch      string
	sandbox     string // the sandbox label, worked out once: probing the sandbox takes time
	turns       []turnCost
	reviews     *engine.ReviewCache // the hunks of the proposal's files, kept while they do not change
	warm        *warmer             // diffs the proposal ahead of the review
	turnStart   turnCost            // the session's totals when the running turn started

	approval *approvalPrompt
	asking   *confirmPrompt
}

// New builds the UI over an engine. It subscribes to the engine's events and installs the
// approver; call it once per engine.
func New(ctx context.Context, o Options) (*Model, error) {
	m := &Model{opts: o, queue: newQueue(), ctx: ctx, tr: transcript.New(), rv: review.New(), warm: &warmer{}}
	if err := m.attach(o.Engine, o.Approval); err != nil {
		return nil, err
	}
	m.input = newInput()
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	m.SetSize(100, 30)
	if len(o.Engine.Agent.History()) > 0 {
		m.replay(o.Engine.Agent.History()) // a resumed session
		m.pendingProposal()
	}
	return m, nil
}

func newInput() textarea.Model {
	in := textarea.New()
	in.Prompt = "› "
	in.Placeholder = "Ask for a change, or / for commands"
	in.ShowLineNumbers = false
	in.SetHeight(3)
	in.KeyMap.InsertNewline.SetKeys("ctrl+j", "alt+enter", "shift+enter")
	st := textarea.DefaultDarkStyles()
	st.Cursor.Blink = false // a blinking cursor would tick forever
	in.SetStyles(st)
	in.Focus()
	return in
}

// Init waits for engine events and sends the first prompt, if any.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.queue.wait()}
	if p := strings.TrimSpace(m.opts.Prompt); p != "" {
		cmds = append(cmds, m.submit(p))
	}
	return tea.Batch(cmds...)
}

// SetSize lays the UI out for a terminal of w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.tr.SetWidth(w)
	m.input.SetWidth(w)
	m.rv.SetSize(w, h-1)
}

// Messages the UI sends itself.
type (
	eventMsg struct {
		gen int // the engine that sent it (see attach)
		e   event.Event
	}
	batchMsg    []tea.Msg
	turnDoneMsg struct {
		final string
		err   error
	}
	testDoneMsg struct {
		tr  event.TestRun
		err error
	}
	editDoneMsg struct {
		path string
		file string // the temporary file edited
		err  error
	}
)

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case batchMsg:
		var cmds []tea.Cmd
		for _, one := range msg {
			_, c := m.Update(one)
			cmds = append(cmds, c)
		}
		return m, tea.Batch(append(cmds, m.queue.wait())...)
	case eventMsg:
		if msg.gen == m.gen {
			m.onEvent(msg.e)
		}
		return m, nil
	case approvalMsg:
		m.approval = &approvalPrompt{req: msg.req, reply: msg.reply}
		m.tr.Bottom()
		return m, nil
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		return m, nil
	case spinner.TickMsg:
		if !m.busy {
			return m, nil // stop ticking: nothing animates
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case turnDoneMsg:
		return m, m.turnDone(msg)
	case compactDoneMsg:
		m.compactDone(msg)
		return m, nil
	case testDoneMsg:
		if msg.err != nil {
			m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: msg.err.Error(), Hint: "check test_cmd in .hew/config.toml"})
		}
		return m, nil
	case editDoneMsg:
		m.editDone(msg)
		return m, nil
	case tea.PasteMsg:
		if m.approval != nil {
			m.approval.note += msg.Content
			return m, nil
		}
		if m.view == viewReview {
			m.rv.Paste(msg.Content)
			return m, nil
		}
	case tea.MouseWheelMsg:
		if m.view == viewTranscript {
			if msg.Button == tea.MouseWheelUp {
				m.tr.ScrollUp(3, m.transcriptHeight())
			} else if msg.Button == tea.MouseWheelDown {
				m.tr.ScrollDown(3, m.transcriptHeight())
			}
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

// key handles a key press.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	s := k.String()
	if s == "ctrl+c" {
		if m.quitArmed {
			return m.quit()
		}
		m.quitArmed = true
		m.interrupt()
		m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: "press ctrl+c again to quit (the session is saved; hew resume --last brings it back)"})
		return nil
	}
	m.quitArmed = false
	if m.approval != nil {
		return m.approvalKey(k)
	}
	if m.asking != nil {
		return m.confirmKey(k)
	}
	if m.view == viewReview {
		return m.reviewKey(k)
	}
	h := m.transcriptHeight()
	switch s {
	case "esc":
		if m.tr.Selected() != nil && !m.busy {
			m.tr.Unselect()
			return nil
		}
		m.interrupt()
		return nil
	case "alt+up", "ctrl+up":
		m.tr.Select(-1, h)
		return nil
	case "alt+down", "ctrl+down":
		m.tr.Select(+1, h)
		return nil
	case "enter":
		text := strings.TrimSpace(m.input.Value())
		if text == "" {
			return nil
		}
		m.input.Reset()
		m.remember(text)
		if strings.HasPrefix(text, "/") {
			return m.command(text)
		}
		return m.submit(text)
	case "tab":
		m.complete()
		return nil
	case "pgup":
		m.tr.ScrollUp(max(h-2, 1), h)
		return nil
	case "pgdown":
		m.tr.ScrollDown(max(h-2, 1), h)
		return nil
	case "shift+up":
		m.tr.ScrollUp(1, h)
		return nil
	case "shift+down":
		m.tr.ScrollDown(1, h)
		return nil
	case "ctrl+o":
		if e := m.tr.Selected(); e != nil && e.Kind == transcript.Tool {
			m.tr.ToggleEntry(e)
		} else {
			m.tr.ToggleExpanded()
		}
		return nil
	case "ctrl+y":
		if e := m.tr.Selected(); e != nil {
			return m.copyText(e.Plain(), "the selected message")
		}
		return m.copyText(m.lastFinal, "the last answer")
	case "ctrl+r":
		return m.openReview()
	case "up":
		if m.input.Line() == 0 && m.browse(-1) {
			return nil
		}
	case "down":
		if m.input.Line() == m.input.LineCount()-1 && m.browse(+1) {
			return nil
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return cmd
}

// submit sends a prompt as a new turn, with any pending rejection notes before it.
func (m *Model) submit(text string) tea.Cmd {
	if m.busy {
		m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: "a turn is running: wait for it, or press esc to stop it"})
		return nil
	}
	prompt := text
	if note, err := engine.RejectionNote(m.rejected, m.pendingNote); err == nil {
		prompt = note + "\n\n" + text
	}
	m.rejected, m.pendingNote = nil, ""
	m.lastTask = text
	return m.send(text, prompt)
}

// send starts a turn that shows shown as the user's message and sends prompt.
func (m *Model) send(shown, prompt string) tea.Cmd {
	m.tr.Add(&transcript.Entry{Kind: transcript.User, Text: shown})
	m.tr.Bottom()
	eng := m.eng
	m.turnStart = m.sessionCost(shown)
	return m.work(func(ctx context.Context) tea.Msg {
		final, err := eng.Send(ctx, prompt)
		return turnDoneMsg{final: final, err: err}
	})
}

// work runs fn in the background as the running turn: the spinner turns, esc cancels ctx.
func (m *Model) work(fn func(ctx context.Context) tea.Msg) tea.Cmd {
	ctx, cancel := context.WithCancel(m.ctx)
	m.busy, m.cancel = true, cancel
	return tea.Batch(m.spin.Tick, func() tea.Msg { return fn(ctx) })
}

// idle records that the running turn or compaction ended.
func (m *Model) idle() {
	m.busy = false
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// interrupt stops the running turn, if any.
func (m *Model) interrupt() {
	if m.busy && m.cancel != nil {
		m.cancel()
	}
}

// turnDone records a finished turn and opens the review when the proposal has changes.
func (m *Model) turnDone(msg turnDoneMsg) tea.Cmd {
	m.idle()
	m.recordTurn()
	if msg.final != "" {
		m.lastFinal = msg.final
	}
	if errors.Is(msg.err, context.Canceled) {
		m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: "interrupted: the text so far is kept, and so is the proposal"})
	}
	if m.quitting {
		return nil
	}
	if err := m.refreshReview(); err != nil || m.rv.Empty() {
		return nil
	}
	m.view = viewReview
	if m.opts.TestCmd != "" && msg.err == nil {
		return m.runTests()
	}
	return nil
}

// runTests runs the test command on the proposal in the background.
func (m *Model) runTests() tea.Cmd {
	eng, cmd, timeout := m.eng, m.opts.TestCmd, m.opts.TestTimeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	ctx := m.ctx
	return func() tea.Msg {
		tr, err := eng.RunTests(ctx, cmd, timeout)
		return testDoneMsg{tr: tr, err: err}
	}
}

// quit ends the program after stopping the running turn.
func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.interrupt()
	if m.approval != nil {
		m.approval.answer(engine.Deny, "")
		m.approval = nil
	}
	return tea.Quit
}

// copyText copies text, which is what, to the clipboard with OSC 52, which works over SSH.
func (m *Model) copyText(text, what string) tea.Cmd {
	if strings.TrimSpace(text) == "" {
		m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: "nothing to copy yet: alt+↑ selects a message"})
		return nil
	}
	m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: fmt.Sprintf("copied %s to the clipboard (%s)", what, plural(len(text), "byte"))})
	return tea.SetClipboard(text)
}

// remember adds text to the input history.
func (m *Model) remember(text string) {
	if n := len(m.history); n == 0 || m.history[n-1] != text {
		m.history = append(m.history, text)
	}
	m.histPos = len(m.history)
}

// browse moves through the input history; it reports whether it did.
func (m *Model) browse(d int) bool {
	p := m.histPos + d
	if p < 0 || p > len(m.history) || len(m.history) == 0 {
		return false
	}
	m.histPos = p
	if p == len(m.history) {
		m.input.SetValue("")
	} else {
		m.input.SetValue(m.history[p])
	}
	return true
}

// transcriptHeight is the rows left for the transcript.
func (m *Model) transcriptHeight() int {
	return max(m.height-m.input.Height()-1-len(m.belowInput())-len(m.aboveInput()), 1)
}

var (
	ruleStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("238"))
	hintStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("245"))
	askStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("214")).Bold(true)
)

// View renders the screen.
func (m *Model) View() tea.View {
	var body string
	if m.view == viewReview {
		body = m.rv.View() + "\n" + m.statusLine()
	} else {
		h := m.transcriptHeight()
		tr := m.tr.View(h)
		pad := h - strings.Count(tr, "\n") - 1
		if tr == "" {
			pad = h
		}
		parts := []string{}
		if pad > 0 {
			parts = append(parts, strings.Repeat("\n", pad-1))
		}
		if tr != "" {
			parts = append(parts, tr)
		}
		parts = append(parts, m.aboveInput()...)
		parts = append(parts, m.input.View())
		parts = append(parts, m.belowInput()...)
		parts = append(parts, m.statusLine())
		body = strings.Join(parts, "\n")
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "hew"
	return v
}

// aboveInput is the approval question or a rule.
func (m *Model) aboveInput() []string {
	if m.approval != nil {
		return m.approval.view(m.width)
	}
	if m.asking != nil {
		return m.asking.view(m.width)
	}
	return []string{ruleStyle.Render(strings.Repeat("─", max(m.width, 1)))}
}

// belowInput lists the / commands matching the input.
func (m *Model) belowInput() []string {
	v := m.input.Value()
	if !strings.HasPrefix(v, "/") || strings.ContainsAny(v, " \n") {
		return nil
	}
	var names []string
	for _, c := range matching(v) {
		names = append(names, c.name)
	}
	if len(names) == 0 {
		return []string{hintStyle.Render("no such command; /help lists them")}
	}
	return []string{hintStyle.Render(strings.Join(names, "  "))}
}

// StatusInfo is what the status line shows now.
func (m *Model) StatusInfo() status.Info {
	total, cost := m.eng.Agent.Total()
	i := status.Info{Provider: m.eng.Config.Provider, Model: m.eng.Agent.Model, Sandbox: m.sandbox,
		Approval: m.eng.ApprovalMode(), Branch: m.branch, Tokens: total.InputTokens + total.OutputTokens,
		ContextUsed: m.usage.ContextUsed, ContextLimit: m.usage.ContextLimit, CostUSD: cost}
	if m.busy {
		i.Busy = strings.TrimSpace(m.spin.View()) + " working (esc stops)"
	}
	return i
}

func (m *Model) statusLine() string { return status.Render(m.StatusInfo(), m.width) }

// onEvent turns an engine event into transcript entries and state.
func (m *Model) onEvent(e event.Event) {
	switch e := e.(type) {
	case event.TextDelta:
		m.tr.AppendText(transcript.Assistant, e.Text)
	case event.ReasoningDelta:
		m.tr.AppendText(transcript.Reasoning, e.Text)
	case event.ToolStarted:
		m.tr.Add(&transcript.Entry{Kind: transcript.Tool, ToolID: e.ID, Text: e.Summary})
	case event.ToolFinished:
		m.tr.FinishTool(e)
	case event.PlanUpdated:
		m.tr.Add(&transcript.Entry{Kind: transcript.Plan, Steps: e.Steps})
	case event.TestRun:
		m.rv.SetTests(e)
		word := "pass"
		if !e.Passed {
			word = fmt.Sprintf("fail (exit %d)", e.ExitCode)
		}
		m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: fmt.Sprintf("tests %s on the proposal: %s", word, e.Command)})
	case event.Usage:
		m.usage = e
	case event.Error:
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: e.Message, Hint: e.Hint})
	case event.Notice:
		m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: e.Text})
	case event.Committed:
		m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: fmt.Sprintf("committed %s on %s: %s", short(e.Hash), e.Branch, e.Subject)})
	case event.ProposalChanged:
		var names []string
		for _, f := range e.Files {
			names = append(names, f.Path)
		}
		eng, cache := m.eng, m.reviews
		m.warm.run(func() {
			_, _ = eng.ReviewWith(cache) // errors show when the review opens
			review.Warm(names...)
		})
		if m.view == viewReview && !m.busy {
			m.refreshReview()
		}
	}
}

func short(hash string) string { return hash[:min(len(hash), 10)] }

// frameRate is how often Bubble Tea checks for a new frame to draw. Its renderer wakes up on a
// fixed ticker whether or not anything changed — v2.1 has no way to pause it while idle — and
// each wake-up costs CPU: measured idle in a 120×40 tmux pane, 60 fps (the default) used about
// 0.6% of a core, 30 fps 0.4%, 1 fps 0.06%. Thirty frames a second still shows streamed text
// and the spinner (12 fps) smoothly, and a key's echo waits at most 33 ms.
const frameRate = 30

// Run runs the UI on the terminal until the user quits or ctx ends. It returns the engine
// in use at the end, which the caller closes: /new and /resume replace o.Engine with another,
// closing the one they replace.
func Run(ctx context.Context, o Options) (*engine.Engine, error) {
	m, err := New(ctx, o)
	if err != nil {
		return o.Engine, err
	}
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithFPS(frameRate))
	_, err = p.Run()
	m.interrupt()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return m.eng, ctx.Err()
	}
	return m.eng, err
}
