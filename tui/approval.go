package tui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/agent/approval"
)

// approvalMsg asks the user about a command; the answer goes to reply.
type approvalMsg struct {
	req   approval.Request
	reply chan approvalAnswer
}

type approvalAnswer struct {
	d    approval.Decision
	note string
}

// approvalPrompt is the question on screen.
type approvalPrompt struct {
	req    approval.Request
	reply  chan approvalAnswer
	noting bool
	note   string
}

// ask is the engine's approver: it puts the question to the UI and waits for the answer or
// for the turn to end.
func (m *Model) ask(ctx context.Context, req approval.Request) (approval.Decision, string) {
	reply := make(chan approvalAnswer, 1)
	m.queue.push(approvalMsg{req: req, reply: reply})
	select {
	case a := <-reply:
		return a.d, a.note
	case <-ctx.Done():
		return approval.Deny, ""
	}
}

func (p *approvalPrompt) answer(d approval.Decision, note string) {
	p.reply <- approvalAnswer{d: d, note: note}
}

// approvalKey answers the question: a allow once, s allow for the session, d deny, n deny
// with a note (typed, then enter), esc deny.
func (m *Model) approvalKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.approval
	if p.noting {
		switch k.String() {
		case "enter":
			m.decide(approval.Deny, strings.TrimSpace(p.note))
		case "esc":
			p.noting, p.note = false, ""
		case "backspace":
			if r := []rune(p.note); len(r) > 0 {
				p.note = string(r[:len(r)-1])
			}
		case "space":
			p.note += " "
		default:
			p.note += k.Text
		}
		return nil
	}
	switch k.String() {
	case "a", "y":
		m.decide(approval.AllowOnce, "")
	case "s":
		m.decide(approval.AllowSession, "")
	case "d", "esc":
		m.decide(approval.Deny, "")
	case "n":
		p.noting = true
	}
	return nil
}

// decide answers the pending question and notes the answer in the transcript.
func (m *Model) decide(d approval.Decision, note string) {
	p := m.approval
	m.approval = nil
	p.answer(d, note)
	what := map[approval.Decision]string{approval.AllowOnce: "allowed once", approval.AllowSession: "allowed for this session",
		approval.Deny: "denied"}[d]
	text := what + ": " + p.req.Command
	if note != "" {
		text += " (" + note + ")"
	}
	m.notice(text)
}

// view is the question, two or three lines.
func (p *approvalPrompt) view(width int) []string {
	rows := []string{
		askStyle.Render("Run ") + ansi.Truncate(p.req.Command, width-20, "…") + askStyle.Render("?"),
		hintStyle.Render(ansi.Truncate("  "+p.req.Reason, width, "…")),
	}
	if p.noting {
		return append(rows, askStyle.Render("  reason for the model: ")+p.note+"█")
	}
	return append(rows, hintStyle.Render("  a allow once · s allow for this session · d deny · n deny with a note"))
}
