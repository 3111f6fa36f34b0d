package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/tui/transcript"
)

// OpenFunc starts a new session (id empty) or resumes saved session id (an id or a unique
// prefix), as engine.New and engine.Resume do with the options the UI was started with.
type OpenFunc func(ctx context.Context, id string) (*engine.Engine, error)

// attach makes eng the engine the UI shows: its events come to the UI, its commands ask the UI
// for approval in the given mode. Events of an engine attached before are ignored from now on.
func (m *Model) attach(eng *engine.Engine, approval string) error {
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
	m.branch = eng.Branch()
	used, window := eng.ContextUsed()
	m.usage = event.Usage{ContextUsed: used, ContextLimit: window}
	m.sandbox = eng.SandboxLabel()
	m.rejected, m.pendingNote, m.turns = nil, "", nil
	m.reviews = &engine.ReviewCache{}
	return nil
}

// Engine returns the engine the UI shows now: /new and /resume replace the one it started with.
func (m *Model) Engine() *engine.Engine { return m.eng }

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
	eng, err := m.opts.Open(m.ctx, id)
	if err != nil {
		m.fail(err, "/sessions lists the saved sessions of this repository")
		return nil
	}
	old := m.eng
	if err := m.attach(eng, old.ApprovalMode()); err != nil {
		eng.Close()
		m.fail(err, "")
		return nil
	}
	if err := old.Close(); err != nil {
		m.fail(fmt.Errorf("save session %s: %w", old.SessionID(), err), "")
	}
	m.view = viewTranscript
	m.tr.Clear()
	m.lastFinal, m.lastTask = "", ""
	m.replay(eng.Conversation())
	what := "New session " + eng.SessionID()
	if id != "" {
		what = "Resumed session " + eng.SessionID()
	}
	m.info(fmt.Sprintf("%s. Session %s is saved: /resume %s brings it back.", what, old.SessionID(), old.SessionID()))
	m.pendingProposal()
	return nil
}

// pendingProposal says so when the session's proposal has changes waiting for review.
func (m *Model) pendingProposal() {
	if files, err := m.eng.ReviewWith(m.reviews); err == nil && len(files) > 0 {
		m.info(fmt.Sprintf("The proposal has %s pending: ctrl+r reviews it.", plural(len(files), "file")))
	}
}

// replay shows a resumed conversation: the user's messages, the answers and the tool calls.
func (m *Model) replay(history []llm.Message) {
	for _, msg := range history {
		switch msg.Role {
		case llm.RoleUser:
			m.tr.Add(&transcript.Entry{Kind: transcript.User, Text: msg.Text})
			m.lastTask = msg.Text
		case llm.RoleAssistant:
			if strings.TrimSpace(msg.Text) != "" {
				m.tr.Add(&transcript.Entry{Kind: transcript.Assistant, Text: msg.Text})
				m.lastFinal = msg.Text
			}
			for _, c := range msg.ToolCalls {
				m.tr.Add(&transcript.Entry{Kind: transcript.Tool, ToolID: c.ID, Text: c.Name + " " + clip(c.Arguments, 200)})
			}
		case llm.RoleTool:
			m.tr.FinishTool(event.ToolFinished{ID: msg.ToolCallID, Output: msg.Text, IsError: msg.IsError})
		}
	}
	m.tr.Bottom()
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

// cmdSessions lists the saved sessions of this repository, newest first.
func (m *Model) cmdSessions([]string) tea.Cmd {
	infos, err := m.eng.Sessions()
	if err != nil {
		m.fail(err, "")
		return nil
	}
	var b strings.Builder
	n := 0
	for _, in := range infos {
		if n++; n > 20 {
			b.WriteString("  … older sessions: hew sessions lists them all\n")
			break
		}
		mark := "  "
		if in.ID == m.eng.SessionID() {
			mark = "▶ "
		}
		fmt.Fprintf(&b, "%s%s  %s  %2d turns  $%.2f  %s\n", mark, in.ID, in.Start.Local().Format("2006-01-02 15:04"),
			in.Turns, in.CostUSD, clip(in.Prompt, 50))
	}
	if n == 0 {
		m.info("No saved sessions for this repository yet.")
		return nil
	}
	m.info("Sessions of this repository, newest first (▶ is open; /resume ID switches):\n" + strings.TrimRight(b.String(), "\n"))
	return nil
}
