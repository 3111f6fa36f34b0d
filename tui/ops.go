package tui

import (
	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/agent/termsafe"
)

// Update does no disk, git or process work: that runs in a tea.Cmd, which hands its result back
// as a message. Work that changes the repository or the proposal — accepting, rejecting,
// committing (git hooks included), undoing, rewinding, saving an edit, switching sessions — is
// an operation: one runs at a time, the status line says which, and a key that would start
// another while it runs is refused with a word why. Reading the proposal for the review, /diff
// and /sessions need no slot.

// A result is what a command found off Update; Update applies it to the model (and may start
// the next step).
type result interface {
	apply(m *Model) tea.Cmd
}

// opDoneMsg carries the result of the running operation; applying it frees the slot.
type opDoneMsg struct{ msg tea.Msg }

// startOp runs fn in the background as the operation what ("committing…"), which the status
// line shows until fn's message arrives and is applied. While an operation runs, startOp says
// so and returns nil.
func (m *Model) startOp(what string, fn func() tea.Msg) tea.Cmd {
	if m.opRunning() {
		return nil
	}
	tick := m.animate()
	m.op = termsafe.Clean(what) // it may name a file of the proposal
	if m.view == viewReview {
		m.rv.SetMessage(what)
	}
	return tea.Batch(tick, func() tea.Msg { return opDoneMsg{msg: fn()} })
}

// opRunning reports whether an operation runs, telling the user to wait for it if so.
func (m *Model) opRunning() bool {
	if m.op == "" {
		return false
	}
	wait := m.op + " — wait for it to finish"
	if m.view == viewReview {
		m.rv.SetMessage(wait)
	} else {
		m.notice(wait)
		m.tr.Bottom()
	}
	return true
}

// apply frees the slot and applies the operation's result. A quit asked for while it ran
// happens now, unless the result started another step.
func (msg opDoneMsg) apply(m *Model) tea.Cmd {
	m.op = ""
	_, cmd := m.Update(msg.msg)
	if m.quitting && m.op == "" {
		return tea.Quit
	}
	return cmd
}

// animate returns the spinner's first tick when nothing animates yet (see spinner.TickMsg).
func (m *Model) animate() tea.Cmd {
	if m.busy || m.op != "" {
		return nil
	}
	return m.spin.Tick
}

// reviewLoad is the proposal as the review shows it, read in the background.
type reviewLoad struct {
	seq   int // the order the loads started in: an older one arriving late is dropped
	files []engine.FileReview
	err   error
}

// loadReview returns a function that reads the proposal for the review, off Update.
func (m *Model) loadReview() func() reviewLoad {
	m.reviewSeq++
	eng, cache, seq := m.eng, m.reviews, m.reviewSeq
	return func() reviewLoad {
		files, err := eng.ReviewWith(cache)
		return reviewLoad{seq: seq, files: files, err: err}
	}
}
