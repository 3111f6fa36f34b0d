package tui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/agent/approval"
	"hew/agent/termsafe"
	"hew/tui/keymap"
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

// approvalKey answers the question (keymap.ApprovalKeys), or edits the note given with a
// denial (keymap.NoteKeys): enter denies with it, esc goes back to the question.
func (m *Model) approvalKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.approval
	if p.noting {
		var done bool
		if p.note, done = keymap.TypeNote(k, p.note); !done {
			return nil
		}
		if key.Matches(k, keymap.NoteKeys.Send) {
			m.decide(approval.Deny, strings.TrimSpace(p.note))
		} else {
			p.noting, p.note = false, ""
		}
		return nil
	}
	km := keymap.ApprovalKeys
	switch {
	case key.Matches(k, km.AllowOnce):
		m.decide(approval.AllowOnce, "")
	case key.Matches(k, km.AllowSession):
		m.decide(approval.AllowSession, "")
	case p.req.Tool != "" && key.Matches(k, km.AllowAlways):
		m.decide(approval.AllowAlways, "")
	case key.Matches(k, km.Deny):
		m.decide(approval.Deny, "")
	case key.Matches(k, km.DenyNote):
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
		approval.AllowAlways: "always allowed", approval.Deny: "denied"}[d]
	text := what + ": " + p.req.Command // the transcript cleans it
	if note != "" {
		text += " (" + note + ")"
	}
	m.notice(text)
}

// view is the question, two or three lines.
func (p *approvalPrompt) view(width int) []string {
	verb := "Run "
	if p.req.Tool != "" {
		verb = "Call "
	}
	rows := []string{
		askStyle.Render(verb) + ansi.Truncate(termsafe.Clean(p.req.Command), width-20, "…") + askStyle.Render("?"),
		hintStyle.Render(ansi.Truncate("  "+termsafe.Clean(p.req.Reason), width, "…")),
	}
	if p.noting {
		return append(rows, askStyle.Render("  reason for the model: ")+p.note+"█")
	}
	return append(rows, hintStyle.Render("  "+keymap.Line(keymap.ApprovalKeys.For(p.req.Tool != ""))))
}
