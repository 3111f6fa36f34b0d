package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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
	if m.view == viewReview {
		body = m.rv.View() + "\n" + m.statusLine()
	} else {
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

// belowInput lists the / commands matching the input.
func (m *Model) belowInput() []string {
	v := m.input.Value()
	if !strings.HasPrefix(v, "/") || strings.ContainsAny(v, " \n") {
		return nil
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
	return i
}

func (m *Model) statusLine() string { return status.Render(m.statusInfo(), m.width) }
