// Package status renders the one-line status bar of the terminal UI: provider and model,
// sandbox, approval mode, branch, tokens, context left and session cost.
package status

import (
	"fmt"
	"maps"
	"reflect"
	"sort"
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
	// CostByRole is the cost by model role ("agent", "small", "review"); shown beside the
	// total when more than one role made calls.
	CostByRole map[string]float64
	// Busy is shown as a marker while a turn runs (the spinner frame, when not empty).
	Busy string
	// Waiting says what waits for the user, such as "review: 2 files (ctrl+r)"; it stays
	// when the line is narrow.
	Waiting string
}

// Line is a status line that renders again only when what it shows changes: the screen is
// drawn again after every key, and rendering the line is a good part of the cost of a frame.
type Line struct {
	info  Info
	width int
	text  string
}

// Render returns Render(i, width), reusing the last rendering when i and width are the same.
func (l *Line) Render(i Info, width int) string {
	if l.text == "" || width != l.width || !reflect.DeepEqual(i, l.info) {
		l.info, l.width, l.text = i, width, Render(i, width)
		l.info.CostByRole = maps.Clone(i.CostByRole) // the caller may change its map in place
	}
	return l.text
}

var (
	barStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("252")).Background(lipgloss.Color("236"))
	keyStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("111")).Background(lipgloss.Color("236")).Bold(true)
	// waitStyle marks what waits for the user.
	waitStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("214")).Background(lipgloss.Color("236")).Bold(true)
)

// field is one part of the line; fields with a higher drop value go first when the line is
// too narrow.
type field struct {
	text string
	drop int
}

// Render returns the status line exactly width cells wide. When it is too narrow, the sandbox,
// approval mode, branch and token count give way before the cost, context left and model.
func Render(i Info, width int) string {
	fields := []field{{keyStyle.Render(i.Provider + "/" + i.Model), 0}}
	if i.Waiting != "" {
		fields = append([]field{{waitStyle.Render(i.Waiting), 0}}, fields...)
	}
	if i.Busy != "" {
		fields = append([]field{{i.Busy, 0}}, fields...)
	}
	fields = append(fields, field{"sandbox " + i.Sandbox, 7}, field{"approval " + i.Approval, 6})
	if i.Branch != "" {
		fields = append(fields, field{"⎇ " + i.Branch, 5})
	}
	fields = append(fields, field{Tokens(i.Tokens) + " tokens", 4})
	if i.ContextLimit > 0 {
		left := 100 - 100*i.ContextUsed/i.ContextLimit
		fields = append(fields, field{fmt.Sprintf("%d%% context left", max(left, 0)), 2})
	}
	fields = append(fields, field{fmt.Sprintf("$%.4f", i.CostUSD) + RoleCosts(i.CostByRole), 3})
	line := join(fields)
	for drop := 7; ansi.StringWidth(line) > width && drop > 0; drop-- {
		kept := fields[:0:0]
		for _, f := range fields {
			if f.drop != drop {
				kept = append(kept, f)
			}
		}
		fields = kept
		line = join(fields)
	}
	if pad := width - ansi.StringWidth(line); pad > 0 {
		line += barStyle.Render(strings.Repeat(" ", pad))
	}
	return ansi.Truncate(line, width, "")
}

// RoleCosts writes the cost by role, such as " (agent $0.0120 · small $0.0004)", or "" when
// at most one role made calls. Roles come in a fixed order: agent, small, review, then others.
func RoleCosts(byRole map[string]float64) string {
	if len(byRole) < 2 {
		return ""
	}
	names := make([]string, 0, len(byRole))
	for r := range byRole {
		names = append(names, r)
	}
	order := map[string]int{"agent": 1, "small": 2, "review": 3}
	sort.Slice(names, func(a, b int) bool {
		oa, ob := order[names[a]], order[names[b]]
		if oa == 0 {
			oa = 9
		}
		if ob == 0 {
			ob = 9
		}
		return oa < ob || oa == ob && names[a] < names[b]
	})
	parts := make([]string, len(names))
	for n, r := range names {
		parts[n] = fmt.Sprintf("%s $%.4f", r, byRole[r])
	}
	return " (" + strings.Join(parts, " · ") + ")"
}

func join(fields []field) string {
	parts := make([]string, len(fields))
	for n, f := range fields {
		parts[n] = barStyle.Render(f.text)
	}
	return barStyle.Render(" ") + strings.Join(parts, barStyle.Render(" │ ")) + barStyle.Render(" ")
}

// Tokens formats a token count briefly: 950, 1.2k, 12k, 1.2M.
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
