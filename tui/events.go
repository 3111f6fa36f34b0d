package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

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
		m.rv.SetTests(e)
		word := "pass"
		if !e.Passed {
			word = fmt.Sprintf("fail (exit %d)", e.ExitCode)
		}
		m.notice(fmt.Sprintf("tests %s on the proposal: %s", word, e.Command))
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

func short(hash string) string { return hash[:min(len(hash), 10)] }
