package tui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"

	"hew/agent/approval"
	"hew/agent/engine"
	"hew/agent/event"
	"hew/tui/transcript"
)

// submit sends a prompt as a new turn, with any pending rejections and note before it.
func (m *Model) submit(text string) tea.Cmd {
	if m.busy {
		m.notice("a turn is running: wait for it, or press esc to stop it")
		return nil
	}
	return m.sendFeedbackWith(text)
}

// sendFeedbackWith starts a turn that tells the model the review's pending feedback (the hunks
// rejected since it was last told and the batch's note), if any, then typed. The transcript
// shows what the user typed, as a resumed session's does (see userLine).
func (m *Model) sendFeedbackWith(typed string) tea.Cmd {
	start := event.TurnStarted{Prompt: typed}
	if fb := engine.FeedbackOf(m.rejected, m.pendingNote); fb != nil {
		start = event.TurnStarted{Feedback: fb, Typed: typed}
	}
	rejected, note := m.rejected, m.pendingNote
	m.rejected, m.pendingNote = nil, ""
	if said := start.Said(); said != "" {
		m.lastTask = said
	}
	shown := userLine(start)
	m.tr.Add(&transcript.Entry{Kind: transcript.User, Text: shown})
	m.tr.Bottom()
	eng := m.eng
	m.turnStart = m.sessionCost(shown)
	return m.work(func(ctx context.Context) tea.Msg {
		final, err := eng.SendWithFeedback(ctx, typed, rejected, note)
		return turnDoneMsg{final: final, err: err}
	})
}

// userLine is how the transcript shows the user's message that started a turn: what they
// typed; for a turn that only sends the review's feedback, "(review) " and the note, or the
// number of hunks rejected.
func userLine(t event.TurnStarted) string {
	if said := t.Said(); said != "" || t.Feedback == nil {
		return said
	}
	if t.Feedback.Note != "" {
		return "(review) " + t.Feedback.Note
	}
	return "(review) " + plural(t.Feedback.Hunks, "rejected hunk") + " for the model"
}

// work runs fn in the background as the running turn: the spinner turns, esc cancels ctx.
func (m *Model) work(fn func(ctx context.Context) tea.Msg) tea.Cmd {
	ctx, cancel := context.WithCancel(m.ctx)
	tick := m.animate()
	m.busy, m.cancel = true, cancel
	return tea.Batch(tick, func() tea.Msg { return fn(ctx) })
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
		m.notice("interrupted: the text so far is kept, and so is the proposal")
	}
	if m.quitting {
		return nil
	}
	return m.readReview(reviewAfterTurn, msg.err)
}

// runTests runs the test command on the proposal in the background.
func (m *Model) runTests() tea.Cmd {
	eng, timeout, ctx := m.eng, m.opts.TestTimeout, m.ctx
	m.clearTestVerdict()
	m.rv.SetTesting(true)
	return func() tea.Msg {
		tr, err := eng.RunTests(ctx, timeout)
		return testDoneMsg{tr: tr, err: err}
	}
}

// quit ends the program after stopping the running turn. An operation running is let finish
// first (see opDoneMsg.apply), unless quit is asked for again.
func (m *Model) quit() tea.Cmd {
	if m.op != "" && !m.quitting {
		m.quitting = true
		m.interrupt()
		m.notice("quitting once " + m.op + " is done; ctrl+c again quits at once")
		m.tr.Bottom()
		return nil
	}
	m.quitting = true
	m.interrupt()
	if m.approval != nil {
		m.approval.answer(approval.Deny, "")
		m.approval = nil
	}
	return tea.Quit
}
