package tui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"

	"hew/agent/approval"
	"hew/agent/engine"
	"hew/tui/transcript"
)

// submit sends a prompt as a new turn, with any pending rejection notes before it.
func (m *Model) submit(text string) tea.Cmd {
	if m.busy {
		m.notice("a turn is running: wait for it, or press esc to stop it")
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
