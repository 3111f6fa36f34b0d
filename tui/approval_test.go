package tui

import (
	"strings"
	"testing"

	"hew/agent/approval"
)

// TestToolQuestionsOfferAlways checks that a question about an MCP tool offers "always allow
// this tool" and a question about a command does not.
func TestToolQuestionsOfferAlways(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, approval.OnRequest)
	ask := func(req approval.Request, key string) (approval.Decision, string, bool) {
		reply := make(chan approvalAnswer, 1)
		h.m.Update(approvalMsg{req: req, reply: reply})
		scr := h.screen()
		h.key(key)
		select {
		case a := <-reply:
			return a.d, scr, true
		default:
			return 0, scr, false
		}
	}
	d, scr, ok := ask(approval.Request{Tool: "mcp__gh__create_issue", Command: `mcp__gh__create_issue {"title":"x"}`, Reason: "tools of MCP servers are not trusted"}, "t")
	if !ok || d != approval.AllowAlways || !strings.Contains(scr, `Call mcp__gh__create_issue {"title":"x"}?`) || !strings.Contains(scr, "t always allow this tool") {
		t.Errorf("tool question: %v %v\n%s", ok, d, scr)
	}
	if !strings.Contains(h.screen(), "always allowed: mcp__gh__create_issue") {
		t.Errorf("the answer is not noted:\n%s", h.screen())
	}
	_, scr, ok = ask(approval.Request{Command: "curl example.com", Reason: "it needs the network"}, "t")
	if ok || strings.Contains(scr, "always allow this tool") || !strings.Contains(scr, "Run curl example.com?") {
		t.Errorf("command question answered by t (%v):\n%s", ok, scr)
	}
	h.key("d")
}
