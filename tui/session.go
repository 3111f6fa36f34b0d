package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/tui/changeset"
	"hew/tui/transcript"
)

// OpenFunc starts a new session (id empty) or resumes saved session id (an id or a unique
// prefix), as engine.New and engine.Resume do with the options the UI was started with.
type OpenFunc func(ctx context.Context, id string) (*engine.Engine, error)

// sessionAbout is what the UI shows of a session that takes disk or process work to find out:
// describe finds it before the session is attached.
type sessionAbout struct {
	branch  string
	sandbox string // the sandbox label: probing the sandbox takes time
	reviews *engine.ReviewCache
	pending int // files with changes waiting for review
}

func describe(eng *engine.Engine) sessionAbout {
	a := sessionAbout{branch: eng.Branch(), sandbox: eng.SandboxLabel(), reviews: &engine.ReviewCache{}}
	if files, err := eng.ReviewWith(a.reviews); err == nil {
		a.pending = len(files)
	}
	return a
}

// attach makes eng, described by about, the engine the UI shows: its events come to the UI,
// its commands ask the UI for approval in the given mode. Events of an engine attached before
// are ignored from now on.
func (m *Model) attach(eng *engine.Engine, approval string, about sessionAbout) error {
	m.gen++
	gen := m.gen
	unsubscribe := eng.Subscribe(event.SinkFunc(func(e event.Event) { m.queue.push(eventMsg{gen: gen, e: e}) }))
	if err := eng.SetApprover(approval, m.ask); err != nil {
		unsubscribe()
		return err
	}
	if m.unsubscribe != nil {
		m.unsubscribe()
	}
	m.eng, m.unsubscribe = eng, unsubscribe
	m.branch, m.sandbox, m.reviews = about.branch, about.sandbox, about.reviews
	used, window := eng.ContextUsed()
	m.usage = event.Usage{ContextUsed: used, ContextLimit: window}
	m.rejected, m.pendingNote, m.turns = nil, "", nil
	// The review shows nothing of the session before: no test result, no outcome, no dialog.
	m.rv, m.commitDlg, m.pending = changeset.New(), nil, about.pending
	m.rv.SetSize(m.width, m.height-1)
	m.picker = nil                  // it lists the models of the engine before
	m.reviewShown = m.reviewSeq + 1 // reads of the proposal of the engine before are dropped
	return nil
}

// Engine returns the engine the UI shows now: /new and /resume replace the one it started with.
func (m *Model) Engine() *engine.Engine { return m.eng }

// The steps of switching sessions, which hold the operation slot.
type (
	// sessionOpenedMsg reports the session opened for /new (id empty) or /resume id.
	sessionOpenedMsg struct {
		id    string
		eng   *engine.Engine
		about sessionAbout
		err   error
	}
	// sessionSavedMsg reports the close of the session replaced, old.
	sessionSavedMsg struct {
		old, opened string // what the UI says of the switch
		pending     int
		err         error
	}
)

// switchSession replaces the engine with a new session (id empty) or a resumed one, closing
// the one it replaces; the old session stays saved, with its pending proposal.
func (m *Model) switchSession(id string) tea.Cmd {
	if m.opts.Open == nil {
		m.info("Switching sessions is not available here: quit and run hew resume.")
		return nil
	}
	if m.turnRunning() {
		return nil
	}
	if id != "" && strings.HasPrefix(m.eng.SessionID(), id) {
		m.info("Session " + m.eng.SessionID() + " is the one open.")
		return nil
	}
	open, ctx := m.opts.Open, m.ctx
	return m.startOp("opening the session…", func() tea.Msg {
		eng, err := open(ctx, id)
		if err != nil {
			return sessionOpenedMsg{id: id, err: err}
		}
		return sessionOpenedMsg{id: id, eng: eng, about: describe(eng)}
	})
}

func (msg sessionOpenedMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail(msg.err, "/sessions lists the saved sessions of this repository")
		return nil
	}
	old, eng := m.eng, msg.eng
	if err := m.attach(eng, old.ApprovalMode(), msg.about); err != nil {
		m.fail(err, "")
		return func() tea.Msg { eng.Close(); return nil }
	}
	m.view = viewTranscript
	m.tr.Clear()
	m.lastFinal, m.lastTask = "", ""
	m.replay(eng.SavedEvents())
	opened := "New session " + eng.SessionID()
	if msg.id != "" {
		opened = "Resumed session " + eng.SessionID()
	}
	return m.startOp("saving session "+old.SessionID()+"…", func() tea.Msg {
		return sessionSavedMsg{old: old.SessionID(), opened: opened, pending: msg.about.pending, err: old.Close()}
	})
}

func (msg sessionSavedMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail(fmt.Errorf("save session %s: %w", msg.old, msg.err), "")
	}
	m.info(fmt.Sprintf("%s. Session %s is saved: /resume %s brings it back.", msg.opened, msg.old, msg.old))
	m.pendingProposal(msg.pending)
	return nil
}

// pendingProposal says so when the session's proposal has files changed waiting for review.
func (m *Model) pendingProposal(files int) {
	if files > 0 {
		m.info(fmt.Sprintf("The proposal has %s pending: ctrl+r reviews it.", plural(files, "file")))
	}
}

// replay shows a resumed session's transcript as it looked live, from the session's saved
// events: the prompts, reasoning and answers, each tool call with its summary, result and run
// time, the plans, test runs, commits and notices (compaction among them).
func (m *Model) replay(evs []event.Event) {
	for _, e := range evs {
		switch e := event.Value(e).(type) {
		case event.TurnStarted:
			m.tr.Add(&transcript.Entry{Kind: transcript.User, Text: userLine(e)})
			if said := e.Said(); said != "" {
				m.lastTask = said
			}
		case event.Message:
			m.replayAnswer(e.Message)
		case event.ToolStarted, event.ToolFinished, event.PlanUpdated, event.TestRun, event.Error, event.Notice, event.Committed:
			m.onEvent(e)
		case event.TurnFinished:
			if e.Reason != "done" && e.Reason != "error" {
				m.notice("the turn ended: " + strings.ReplaceAll(e.Reason, "_", " "))
			}
		case event.ModelSwitched:
			m.notice("model: " + e.Model + " from here on (was " + e.From + ")")
		case event.Accepted:
			m.notice("accepted into the working tree: " + strings.Join(e.Files, ", "))
		case event.Rejected:
			m.notice("rejected: " + strings.Join(e.Files, ", "))
		}
	}
	m.tr.Bottom()
}

// replayAnswer shows an assistant message of a resumed session: its reasoning, what it wrote
// while working and its answer. Its tool calls show from their own events.
func (m *Model) replayAnswer(msg llm.Message) {
	if msg.Role != llm.RoleAssistant {
		return
	}
	var reasoning []string
	for _, r := range msg.Reasoning {
		if t := strings.TrimSpace(r.Text); t != "" {
			reasoning = append(reasoning, t)
		}
	}
	if len(reasoning) > 0 {
		m.tr.Add(&transcript.Entry{Kind: transcript.Reasoning, Text: strings.Join(reasoning, "\n\n")})
	}
	for _, text := range []string{msg.Commentary, msg.Text} {
		if strings.TrimSpace(text) != "" {
			m.tr.Add(&transcript.Entry{Kind: transcript.Assistant, Text: text})
		}
	}
	if strings.TrimSpace(msg.Text) != "" {
		m.lastFinal = msg.Text
	}
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (m *Model) cmdNew([]string) tea.Cmd {
	if acc := m.eng.Accepted(); len(acc) > 0 {
		return m.confirm("Start a new session? "+plural(len(acc), "accepted file")+" not committed yet ("+strings.Join(acc, ", ")+") stay in the working tree uncommitted by hew.",
			func() tea.Cmd { return m.switchSession("") })
	}
	return m.switchSession("")
}

func (m *Model) cmdResume(args []string) tea.Cmd {
	if len(args) != 1 {
		m.info("Name the session: /resume ID (a unique prefix will do). /sessions lists them.")
		return nil
	}
	return m.switchSession(args[0])
}

// sessionsMsg is the list of the repository's saved sessions, for /sessions.
type sessionsMsg struct {
	text string
	err  error
}

// cmdSessions lists the saved sessions of this repository, newest first.
func (m *Model) cmdSessions([]string) tea.Cmd {
	eng := m.eng
	return func() tea.Msg {
		infos, err := eng.Sessions()
		if err != nil {
			return sessionsMsg{err: err}
		}
		if len(infos) == 0 {
			return sessionsMsg{text: "No saved sessions for this repository yet."}
		}
		var b strings.Builder
		b.WriteString("Sessions of this repository, newest first (▶ is open; /resume ID switches):")
		for n, in := range infos {
			if n == 20 {
				b.WriteString("\n  … older sessions: hew sessions lists them all")
				break
			}
			mark := "  "
			if in.ID == eng.SessionID() {
				mark = "▶ "
			}
			fmt.Fprintf(&b, "\n%s%s  %s  %8s  $%.2f  %s", mark, in.ID, in.Start.Local().Format("2006-01-02 15:04"),
				plural(in.Turns, "turn"), in.CostUSD, clip(in.Prompt, 50))
		}
		return sessionsMsg{text: b.String()}
	}
}

func (msg sessionsMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail(msg.err, "")
		return nil
	}
	m.info(msg.text)
	return nil
}
