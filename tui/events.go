package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/agent/event"
	"hew/tui/changeset"
	"hew/tui/transcript"
)

// onEvent turns an engine event into transcript entries and state.
func (m *Model) onEvent(e event.Event) tea.Cmd {
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
		st := m.eng.TestStatus()
		m.rv.SetTests(st)
		m.testRun(e, st.On == engine.TestedCommit)
	case event.Usage:
		if e.Role == "" || e.Role == event.RoleAgent {
			m.usage = e // the context gauge is the agent's
		}
	case event.Failover:
		m.notice(e.Text())
	case event.SecondOpinion:
		m.rv.SetOpinion(e)
		m.notice(e.Text())
	case event.Error:
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: e.Message, Hint: e.Hint})
	case event.Notice:
		m.notice(e.Text)
	case event.Committed:
		m.notice(fmt.Sprintf("committed %s on %s: %s", short(e.Hash), e.Branch, e.Subject))
	case event.ProposalChanged:
		m.pending = len(e.Files)
		m.rv.SetTests(m.eng.TestStatus())
		m.clearTestVerdict() // it was of the proposal before
		var names []string
		for _, f := range e.Files {
			names = append(names, f.Path)
		}
		eng, cache := m.eng, m.reviews
		m.warm.run(func() {
			_, _ = eng.ReviewWith(cache) // errors show when the review opens
			changeset.Warm(names...)
		})
		if m.view == viewReview && !m.busy {
			return m.readReview(reviewRefresh, nil)
		}
	}
	return nil
}

// testRun shows a test run on the proposal as an entry of the transcript, with its whole
// output: open (ctrl+o toggles it) when the tests failed, so that the failure can be read.
func (m *Model) testRun(e event.TestRun, onCommit bool) {
	code := e.ExitCode
	on := "the proposal"
	if onCommit {
		on = "what will be committed"
	}
	what := "tests pass on " + on + ": "
	if !e.Passed {
		what = "tests fail on " + on + ": "
		if m.view == viewReview {
			m.rv.SetMessage(testsFailedMsg)
		}
	}
	m.tr.Add(&transcript.Entry{Kind: transcript.Tool, Text: what + e.Command, Done: true, Failed: !e.Passed, ExitCode: &code,
		Duration: e.Duration, Output: e.Output, Full: true, Expanded: !e.Passed})
	m.tr.Bottom()
}

// testsFailedMsg is the review's message after a test run on the proposal failed.
const testsFailedMsg = "✗ the tests failed: esc shows their output in the transcript"

// clearTestVerdict takes testsFailedMsg off the review: it is of a proposal that changed, or
// of a test run another has replaced.
func (m *Model) clearTestVerdict() {
	if m.rv.Message() == testsFailedMsg {
		m.rv.SetMessage("")
	}
}

func short(hash string) string { return hash[:min(len(hash), 10)] }
