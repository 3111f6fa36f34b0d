package status

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestCostByRoleShowsOnceSeveralRolesCost(t *testing.T) {
	if got := RoleCosts(map[string]float64{"agent": 0.5}); got != "" {
		t.Errorf("one role: %q, want nothing beside the total", got)
	}
	got := RoleCosts(map[string]float64{"review": 0.02, "agent": 0.5, "small": 0.001})
	if got != " (agent $0.5000 · small $0.0010 · review $0.0200)" {
		t.Errorf("RoleCosts = %q", got)
	}
	line := ansi.Strip(Render(Info{Provider: "bedrock", Model: "claude", CostUSD: 0.521, CostByRole: map[string]float64{"agent": 0.5, "small": 0.021}}, 200))
	if !strings.Contains(line, "$0.5210 (agent $0.5000 · small $0.0210)") {
		t.Errorf("status line: %q", line)
	}
}

// TestLineRendersAgainWhenWhatItShowsChanges: the kept rendering is Render's for the same info
// and width, and any change — a field, the cost of a role (the same map changed in place), the
// width — renders again.
func TestLineRendersAgainWhenWhatItShowsChanges(t *testing.T) {
	var l Line
	byRole := map[string]float64{"agent": 0.01, "small": 0.002}
	i := Info{Provider: "openai", Model: "m", Sandbox: "bwrap", Approval: "never", CostByRole: byRole}
	check := func(what string, i Info, width int) {
		t.Helper()
		if got, want := l.Render(i, width), Render(i, width); got != want {
			t.Errorf("%s: got %q, want %q", what, got, want)
		}
	}
	check("first", i, 120)
	check("same again", i, 120)
	i.Busy = "⠋ working"
	check("busy", i, 120)
	byRole["small"] = 0.5
	check("a role's cost", i, 120)
	check("narrower", i, 60)
}
