// Package tui is the interactive terminal view of agent events: the transcript, the input, the
// status line, the proposal review and approvals, as a Bubble Tea program over an engine.
//
// The model schedules nothing while idle: it waits on the engine's event queue and on keys, and
// only a running turn animates its spinner. (Bubble Tea's renderer still wakes at FrameRate.)
package tui

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/tui/changeset"
	"hew/tui/keymap"
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
	// TestTimeout bounds a test run; 0 means the engine's default. The test command is the
	// session's (engine.Defaults): it runs on the proposal after each turn that changed it,
	// and the review view shows the result.
	TestTimeout time.Duration
	// Open starts or resumes another session for /new and /resume; nil disables them.
	Open OpenFunc
	// Getenv reads the environment ($VISUAL, $EDITOR); nil means the process's.
	Getenv func(string) string
	// Untrusted, when set, is the repository's config file whose restricted settings were
	// ignored because the user has not trusted it: the UI asks first whether to trust it.
	Untrusted *UntrustedConfig
	// Notice, when not empty, is shown first in the transcript (where the first-run screen
	// saved the provider, say).
	Notice string
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

	tr     *transcript.Transcript
	rv     *changeset.Model
	input  textarea.Model
	spin   spinner.Model
	view   view
	status status.Line // the status line as last rendered
	footer help.Model  // renders the keys below the input (see footerLine)

	width, height int

	busy      bool
	cancel    context.CancelFunc // cancels the running turn
	quitArmed bool               // ctrl+c was pressed once
	quitting  bool

	history []string
	histPos int // len(history) when not browsing

	pastes   []pasted // pastes waiting in the input as placeholders (see paste.go)
	pasteSeq int

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

	approval    *approvalPrompt
	asking      *confirmPrompt
	picker      *modelPicker // the model picker, while it shows
	overlay     *overlay     // the ? shortcuts overlay, while it shows
	files       *fileList    // the @ file list, while an @ word is being completed
	filesClosed bool         // esc closed the list; it stays closed until the @ word ends
	fileSeq     int          // counts the file listings asked for
	pickerSeq   int          // counts the lists the picker asked for
	deferred    string       // the first prompt, waiting for the answer to a question asked at start

	op          string        // the operation running in the background (see startOp); "" when none
	opCancel    func()        // cancels the running operation, when esc may (the tests before a commit)
	commitDlg   *commitDialog // the commit dialog, while it shows over the review
	pending     int           // files of the proposal waiting for review, as last reported
	reviewSeq   int           // counts the proposal reads for the review (see loadReview)
	reviewShown int           // the read the review shows
	// execProcess runs the editor with the terminal: tea.ExecProcess, replaced in tests.
	execProcess func(*exec.Cmd, tea.ExecCallback) tea.Cmd
}

// New builds the UI over an engine. It subscribes to the engine's events and installs the
// approver; call it once per engine.
func New(ctx context.Context, o Options) (*Model, error) {
	m := &Model{opts: o, queue: newQueue(time.Second / textRate), ctx: ctx, tr: transcript.New(), rv: changeset.New(), warm: &warmer{},
		footer: newFooter(), execProcess: tea.ExecProcess}
	about := describe(o.Engine) // before the program runs, so not in Update
	if err := m.attach(o.Engine, o.Approval, about); err != nil {
		return nil, err
	}
	m.input = newInput()
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	m.SetSize(100, 30)
	if evs := o.Engine.SavedEvents(); len(evs) > 0 {
		m.replay(evs) // a resumed session
		m.pendingProposal(about.pending)
	}
	if o.Notice != "" {
		m.notice(o.Notice)
	}
	m.askTrust()
	return m, nil
}

func newInput() textarea.Model {
	in := textarea.New()
	in.Prompt = "› "
	in.Placeholder = "Ask for a change, or / for commands"
	in.ShowLineNumbers = false
	in.SetHeight(inputLines)
	in.KeyMap.InsertNewline = keymap.TranscriptKeys.NewLine
	st := textarea.DefaultDarkStyles()
	st.Cursor.Blink = false // a blinking cursor would tick forever
	in.SetStyles(st)
	in.Focus()
	return in
}

// Init waits for engine events and sends the first prompt, if any.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.queue.wait()}
	if p := strings.TrimSpace(m.opts.Prompt); p != "" && m.asking != nil {
		m.deferred = p // sent once the trust question is answered
	} else if p != "" {
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
	if m.commitDlg != nil {
		m.commitDlg.msg.SetWidth(max(w, 20))
	}
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
			return m, m.onEvent(msg.e)
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
		if !m.busy && m.op == "" {
			return m, nil // stop ticking: nothing animates
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case turnDoneMsg:
		return m, m.turnDone(msg)
	case result:
		return m, msg.apply(m)
	case compactDoneMsg:
		m.compactDone(msg)
		return m, nil
	case secondOpinionDoneMsg:
		m.secondOpinionDone(msg)
		return m, nil
	case tryDoneMsg:
		m.tryDone(msg)
		return m, nil
	case opinionFailedMsg:
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: msg.err.Error(), Hint: "/second-opinion tries again"})
		return m, nil
	case testDoneMsg:
		m.rv.SetTesting(false)
		if msg.err != nil {
			m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: msg.err.Error(), Hint: "check test_cmd in .hew/config.toml"})
		}
		return m, nil
	case tea.PasteMsg:
		if m.approval != nil {
			m.approval.note += msg.Content
			return m, nil
		}
		if m.view == viewReview && m.commitDlg != nil {
			var cmd tea.Cmd
			m.commitDlg.msg, cmd = m.commitDlg.msg.Update(msg)
			return m, cmd
		}
		if m.view == viewReview {
			m.rv.Paste(msg.Content)
			return m, nil
		}
		if m.pasteIntoInput(msg.Content) {
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

// FrameRate is how often Bubble Tea checks for a new frame to draw. Its renderer wakes up on a
// fixed ticker whether or not anything changed — v2.1 has no way to pause it while idle, nor to
// draw at once when a key arrives — so a key's echo waits for the next tick: up to a frame.
// At 120 frames a second (Bubble Tea's most) that wait is at most 8 ms, and key to screen while
// an answer streams is about 10 ms at p90; at 90 it is 12 ms, at 60 17 to 21 ms, which leaves
// no room on a loaded machine (TestTUIStreamingCost). Each wake-up costs CPU while idle,
// measured side by side on 160×48 ptys over 20 s: on a quiet machine 0.54% of a core at 120 fps,
// 0.41% at 60; with the load at 5, 1.0–1.2% at 120, 0.9% at 90, 0.7% at 60.
const FrameRate = 120

// textRate is how often at most the transcript takes the engine's events (see queue): the
// screen follows a streaming answer sixty times a second, the rest of the frames are free for
// keys.
const textRate = 60

// Run runs the UI on the terminal until the user quits or ctx ends. It returns the engine
// in use at the end, which the caller closes: /new and /resume replace o.Engine with another,
// closing the one they replace.
func Run(ctx context.Context, o Options) (*engine.Engine, error) {
	m, err := New(ctx, o)
	if err != nil {
		return o.Engine, err
	}
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithFPS(FrameRate))
	_, err = p.Run()
	m.interrupt()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return m.eng, ctx.Err()
	}
	return m.eng, err
}
