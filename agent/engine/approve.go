package engine

import "hew/agent/approval"

// SetApprover makes the commands the model runs subject to approval in mode (one of the
// approval modes; empty means on-request), asked through ask. Without an approver, or in mode
// never, commands run within the sandbox policy without asking.
func (e *Engine) SetApprover(mode string, ask approval.Asker) error {
	g, err := approval.NewGate(e.runner.RunWithNetwork, e.cfg.Sandbox.Network, mode, ask)
	if err != nil {
		return usage("%v", err)
	}
	g.SetRemember(e.rememberTool)
	e.gate = g
	e.agent.Env.Runner = g
	return nil
}

// ApprovalMode is the approval mode in force: never when no approver was set.
func (e *Engine) ApprovalMode() string {
	if e.gate == nil {
		return approval.Never
	}
	return e.gate.Mode()
}

// SetApprovalMode changes the approval mode of a session that has an approver.
func (e *Engine) SetApprovalMode(mode string) error {
	if e.gate == nil {
		return usage("approvals are not available in this session")
	}
	return e.gate.SetMode(mode)
}
