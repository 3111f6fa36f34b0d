package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"hew/tui/keymap"
	"hew/tui/status"
)

var (
	ruleStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("238"))
	hintStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("245"))
	askStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("214")).Bold(true)
)

// View renders the screen.
func (m *Model) View() tea.View {
	var body string
	switch {
	case m.overlay != nil:
		body = m.overlay.view(m.width, m.overlayHeight()) + "\n" + m.statusLine()
	case m.view == viewReview && m.commitDlg != nil:
		body = m.commitDlg.view(m.width, m.height-1) + "\n" + m.statusLine()
	case m.view == viewReview:
		body = m.rv.View() + "\n" + m.statusLine()
	default:
		above, below := m.aboveInput(), m.belowInput()
		h := m.rowsLeft(above, below)
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
		parts = append(parts, above...)
		parts = append(parts, m.input.View())
		parts = append(parts, below...)
		parts = append(parts, m.statusLine())
		body = strings.Join(parts, "\n")
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "hew"
	return v
}

// transcriptHeight is the rows left for the transcript.
func (m *Model) transcriptHeight() int {
	return m.rowsLeft(m.aboveInput(), m.belowInput())
}

// rowsLeft is the rows left for the transcript with above and below around the input.
func (m *Model) rowsLeft(above, below []string) int {
	return max(m.height-m.input.Height()-1-len(above)-len(below), 1)
}

// aboveInput is the approval question or a rule.
func (m *Model) aboveInput() []string {
	if m.approval != nil {
		return m.approval.view(m.width)
	}
	if m.asking != nil {
		return m.asking.view(m.width)
	}
	if m.picker != nil {
		return m.picker.view(m.width, m.eng.Model(), m.usage.ContextLimit)
	}
	return []string{ruleStyle.Render(strings.Repeat("─", max(m.width, 1)))}
}

// belowInput lists the / commands matching the input, or the files matching an @ being typed,
// or else the keys most useful now.
func (m *Model) belowInput() []string {
	if m.files != nil {
		return m.files.view(m.width)
	}
	v := m.input.Value()
	if !strings.HasPrefix(v, "/") || strings.ContainsAny(v, " \n") {
		if m.approval != nil || m.asking != nil || m.picker != nil {
			return nil // they say their own keys
		}
		return []string{hintStyle.Render(m.footerLine(keymap.TranscriptKeys.Footer(m.busy)))}
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

// statusInfo is what the status line shows now.
func (m *Model) statusInfo() status.Info {
	u, mi := m.eng.Usage(), m.eng.Model()
	i := status.Info{Provider: mi.Provider, Model: mi.Model.ID, Sandbox: m.sandbox,
		Approval: m.eng.ApprovalMode(), Branch: m.branch, Tokens: u.Tokens.InputTokens + u.Tokens.OutputTokens,
		ContextUsed: m.usage.ContextUsed, ContextLimit: m.usage.ContextLimit, CostUSD: u.CostUSD, CostByRole: u.ByRole}
	var busy []string
	if m.busy {
		busy = append(busy, "working (esc stops)")
	}
	if m.op != "" {
		busy = append(busy, m.op)
	}
	if len(busy) > 0 {
		i.Busy = strings.TrimSpace(m.spin.View()) + " " + strings.Join(busy, " · ")
	}
	i.Waiting = m.waiting()
	return i
}

// newFooter is the help model that renders the footer's keys as "key desc · key desc", leaving
// out whole hints that do not fit (hintStyle colours the line).
func newFooter() help.Model {
	h := help.New()
	h.ShortSeparator, h.Ellipsis, h.Styles = " · ", "", help.Styles{}
	return h
}

// footerLine renders bindings with the footer's help model, a space in from the left edge.
func (m *Model) footerLine(bs []key.Binding) string {
	m.footer.SetWidth(max(m.width-1, 1))
	return " " + strings.TrimRight(m.footer.ShortHelpView(bs), " ")
}

func (m *Model) statusLine() string { return m.status.Render(m.statusInfo(), m.width) }

// waiting says what waits for the user on the status line: a proposal to review, accepted
// files to commit, rejections to send to the model.
func (m *Model) waiting() string {
	var parts []string
	if m.pending > 0 && m.view != viewReview {
		parts = append(parts, "proposal: "+plural(m.pending, "file")+" to review (ctrl+r)")
	}
	if n := len(m.rejected); (n > 0 || m.pendingNote != "") && !m.busy {
		parts = append(parts, "note for the model waiting")
	}
	return strings.Join(parts, " · ")
}
