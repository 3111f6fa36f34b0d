package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hew/agent/attempts"
	"hew/agent/engine"
)

// tryDoneMsg reports the end of a /try.
type tryDoneMsg struct{ res attempts.Result }

// cmdTry runs a prompt as attempts side by side, one per model, each in a session of its own
// (see package attempts); nothing is applied: the table says which the policy picks, and
// /resume opens any of them for review hunk by hunk.
func (m *Model) cmdTry(args []string) tea.Cmd {
	if m.turnRunning() {
		return nil
	}
	if len(args) < 2 {
		m.info("/try MODEL,MODEL,... PROMPT runs the prompt once per model, side by side, each in its own session; for example /try openai:gpt-5.5,bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0 fix the failing test")
		return nil
	}
	models, prompt := strings.Split(args[0], ","), strings.Join(args[1:], " ")
	opts := m.eng.Options()
	opts.Config.Accept = engine.AcceptNever // you pick the attempt to review; nothing is applied
	m.turnStart = m.sessionCost("/try")
	m.info(fmt.Sprintf("Running %d attempts side by side…", len(models)))
	return m.work(func(ctx context.Context) tea.Msg {
		return tryDoneMsg{res: attempts.Run(ctx, attempts.Options{Engine: opts, Models: models, Task: engine.Task{Prompt: prompt}})}
	})
}

func (m *Model) tryDone(msg tryDoneMsg) {
	m.idle()
	if len(msg.res.Attempts) == 0 {
		m.fail(errors.New(msg.res.Outcome.Reason), "write /try MODEL,MODEL PROMPT with openai:ID or bedrock:ID models")
		return
	}
	m.info(msg.res.Table() + "\n/resume SESSION opens an attempt to review it hunk by hunk.")
}
