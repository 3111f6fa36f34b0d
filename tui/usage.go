package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/agent/llm"
	"hew/tui/status"
	"hew/tui/transcript"
)

// turnCost is what one turn (or one /compact) used.
type turnCost struct {
	label string
	usage llm.Usage
	cost  float64
}

// sessionCost is the session's totals now, labelled for the turn about to start.
func (m *Model) sessionCost(label string) turnCost {
	u := m.eng.Usage()
	return turnCost{label: label, usage: u.Tokens, cost: u.CostUSD}
}

// recordTurn keeps what the turn that just ended used: the totals now less those at its start.
func (m *Model) recordTurn() {
	now := m.sessionCost("")
	s := m.turnStart
	m.turns = append(m.turns, turnCost{label: s.label, cost: now.cost - s.cost, usage: now.usage.Sub(s.usage)})
}

// costTurns is how many of the latest turns /cost lists.
const costTurns = 10

func (m *Model) cmdCost([]string) tea.Cmd {
	u := m.eng.Usage()
	total := u.Tokens
	var b strings.Builder
	fmt.Fprintf(&b, "Session %s with %s: %s tokens in (%s cached), %s out. Cost: $%.4f.",
		m.eng.SessionID(), m.eng.Model().Model.ID, status.Tokens(total.InputTokens), status.Tokens(total.CachedTokens),
		status.Tokens(total.OutputTokens), u.CostUSD)
	if by := status.RoleCosts(u.ByRole); by != "" {
		b.WriteString(" By role:" + by + ".")
	}
	if !u.PriceKnown {
		b.WriteString(" (the model's price is unknown: costs count as $0)")
	}
	if n := len(m.turns); n > 0 {
		b.WriteString("\nTurns in this window, latest last:")
		if n > costTurns {
			fmt.Fprintf(&b, " (%d earlier not shown)", n-costTurns)
		}
		for i, t := range m.turns[max(n-costTurns, 0):] {
			fmt.Fprintf(&b, "\n  %2d  %7s in  %7s out  $%.4f  %s", max(n-costTurns, 0)+i+1, status.Tokens(t.usage.InputTokens),
				status.Tokens(t.usage.OutputTokens), t.cost, clip(t.label, 50))
		}
	}
	if m.usage.ContextLimit > 0 {
		fmt.Fprintf(&b, "\nContext: about %s of %s tokens used.", status.Tokens(m.usage.ContextUsed), status.Tokens(m.usage.ContextLimit))
	}
	m.info(b.String())
	return nil
}

// compactDoneMsg reports the end of a /compact.
type compactDoneMsg struct{ err error }

func (m *Model) cmdCompact([]string) tea.Cmd {
	if m.turnRunning() {
		return nil
	}
	eng := m.eng
	m.turnStart = m.sessionCost("/compact")
	m.info("Compacting the conversation…")
	return m.work(func(ctx context.Context) tea.Msg { return compactDoneMsg{err: eng.Compact(ctx)} })
}

func (m *Model) compactDone(msg compactDoneMsg) {
	m.idle()
	m.recordTurn()
	m.usage.ContextUsed, _ = m.eng.ContextUsed()
	switch {
	case errors.Is(msg.err, engine.ErrNothingToCompact):
		m.info("Nothing to compact: " + engine.ErrNothingToCompact.Error() + ".")
	case errors.Is(msg.err, context.Canceled):
		m.info("Compaction stopped; the conversation is as it was.")
	case msg.err != nil:
		m.fail(msg.err, "the conversation is as it was; try /compact again, or /new for a fresh session")
	}
}

func (m *Model) cmdModel(args []string) tea.Cmd {
	if len(args) == 0 {
		return m.openPicker()
	}
	if m.busy {
		m.info("A turn is running: the model can change once it ends (esc stops it).")
		return nil
	}
	ch, err := m.eng.SwitchModel(m.ctx, args[0])
	if err != nil {
		m.fail(err, "")
		return nil
	}
	_, m.usage.ContextLimit = m.eng.ContextUsed() // the window the loop will compact to
	if !ch.Known {
		hint := "hew models lists the catalogue"
		if len(ch.Suggestions) > 0 {
			hint = "did you mean " + strings.Join(ch.Suggestions, ", ") + "?"
		}
		m.notice(fmt.Sprintf("%s is not in the catalogue: the next turn uses it as given, with no price (cost counts as $0) and a context window of %s tokens; %s",
			ch.Model.ID, status.Tokens(m.usage.ContextLimit), hint))
		m.tr.Bottom()
		return nil
	}
	s := fmt.Sprintf("The next turn uses %s/%s", m.eng.Model().Provider, ch.Model.ID)
	if ch.Model.ContextWindow > 0 {
		s += fmt.Sprintf(" (context window %s tokens, $%.2f/$%.2f per million tokens in/out)", status.Tokens(int64(ch.Model.ContextWindow)),
			ch.Model.InputPrice, ch.Model.OutputPrice)
	}
	m.info(s + ".")
	return nil
}

// secondOpinionDoneMsg reports the end of a /second-opinion; the verdict itself arrives as an
// event.SecondOpinion.
type secondOpinionDoneMsg struct{ err error }

func (m *Model) cmdSecondOpinion(args []string) tea.Cmd {
	if m.turnRunning() {
		return nil
	}
	eng, ref := m.eng, strings.Join(args, " ")
	m.turnStart = m.sessionCost("/second-opinion")
	m.info("Asking for a second opinion on the proposal…")
	return m.work(func(ctx context.Context) tea.Msg {
		_, err := eng.SecondOpinion(ctx, ref)
		return secondOpinionDoneMsg{err: err}
	})
}

func (m *Model) secondOpinionDone(msg secondOpinionDoneMsg) {
	m.idle()
	m.recordTurn()
	if msg.err != nil {
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: msg.err.Error(), Hint: "check review_model in the config"})
	}
}

// opinionFailedMsg reports a second opinion asked for in the background that could not be had.
type opinionFailedMsg struct{ err error }

// askSecondOpinion has the review model review the proposal in the background (second_opinion
// in the configuration); the verdict arrives as an event.SecondOpinion.
func (m *Model) askSecondOpinion() tea.Cmd {
	eng, ctx := m.eng, m.ctx
	return func() tea.Msg {
		if _, err := eng.SecondOpinion(ctx, ""); err != nil && ctx.Err() == nil {
			return opinionFailedMsg{err: err}
		}
		return nil
	}
}
