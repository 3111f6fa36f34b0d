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
