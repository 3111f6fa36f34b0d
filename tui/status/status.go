// Package status renders the one-line status bar of the terminal UI: provider and model,
// sandbox, approval mode, branch, tokens, context left and session cost.
package status

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Info is what the status line shows.
type Info struct {
	Provider, Model string
	Sandbox         string // backend, policy and network, such as "bwrap workspace-write, network off"
	Approval        string
	Branch          string
	// Tokens is the session's total of input and output tokens.
	Tokens int64
	// ContextUsed and ContextLimit are the last call's prompt tokens and the model's window;
	// a zero limit means unknown.
	ContextUsed, ContextLimit int64
	CostUSD                   float64
	// Busy is shown as a marker while a turn runs (the spinner frame, when not empty).
	Busy string
}

var (
	barStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("252")).Background(lipgloss.Color("236"))
	keyStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("111")).Background(lipgloss.Color("236")).Bold(true)
)

// Render returns the status line exactly width cells wide. Fields are dropped from the right
// when the line is too narrow.
func Render(i Info, width int) string {
	parts := []string{
		keyStyle.Render(i.Provider + "/" + i.Model),
		"sandbox " + i.Sandbox,
		"approval " + i.Approval,
	}
	if i.Branch != "" {
		parts = append(parts, "⎇ "+i.Branch)
	}
	parts = append(parts, Tokens(i.Tokens)+" tokens")
	if i.ContextLimit > 0 {
		left := 100 - 100*i.ContextUsed/i.ContextLimit
		parts = append(parts, fmt.Sprintf("%d%% context left", max(left, 0)))
	}
	parts = append(parts, fmt.Sprintf("$%.4f", i.CostUSD))
	if i.Busy != "" {
		parts = append([]string{i.Busy}, parts...)
	}
	sep := barStyle.Render(" │ ")
	line := barStyle.Render(" ")
	for n, p := range parts {
		next := line
		if n > 0 {
			next += sep
		}
		next += barStyle.Render(p)
		if ansi.StringWidth(next) > width-1 {
			break
		}
		line = next
	}
	if pad := width - ansi.StringWidth(line); pad > 0 {
		line += barStyle.Render(strings.Repeat(" ", pad))
	}
	return ansi.Truncate(line, width, "")
}

// Tokens formats a token count briefly: 950, 12.3k, 1.2M.
func Tokens(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	case n >= 1_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
