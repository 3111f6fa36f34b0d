package approval

import (
	"context"
	"errors"
)

// ErrCannotAsk is returned for an external tool call that needs the user's approval where
// nobody can be asked: a session without an approver (hew exec), or approval mode never.
var ErrCannotAsk = errors.New("the user cannot be asked to approve it here")

// SetRemember sets how an AllowAlways answer is recorded (the user's config file); nil means
// it is not, and the tool is allowed for the session only.
func (g *Gate) SetRemember(remember func(tool string) error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.remember = remember
}

// CheckTool asks the user whether the model may call the external tool name with the call
// shown as display, unless the user allowed it for this session already. It returns nil when
// the call may go ahead, an error wrapping ErrDenied (with the user's note) when the user said
// no, ErrCannotAsk in approval mode never or without an asker, and ctx's error when the turn
// ended while waiting. A failure to record an AllowAlways answer still allows the call, for the
// session, and is returned wrapped with the note that it was allowed (see RememberError).
//
// The tools an MCP server's configuration allows never reach the gate.
func (g *Gate) CheckTool(ctx context.Context, name, display string) error {
	g.mu.Lock()
	mode, ask, allowed, remember := g.mode, g.ask, g.tools[name], g.remember
	g.mu.Unlock()
	if allowed {
		return nil
	}
	if ask == nil || mode == Never {
		return ErrCannotAsk
	}
	d, note := ask(ctx, Request{Command: display, Tool: name,
		Reason: "tools of MCP servers are not trusted: each call asks unless you allow the tool"})
	if err := ctx.Err(); err != nil {
		return err
	}
	switch d {
	case AllowOnce:
		return nil
	case AllowSession, AllowAlways:
		g.mu.Lock()
		g.tools[name] = true
		g.mu.Unlock()
		if d == AllowAlways && remember != nil {
			if err := remember(name); err != nil {
				return &RememberError{Err: err}
			}
		}
		return nil
	}
	return denied(note)
}

// RememberError reports that a tool the user always allowed could not be recorded as such:
// the call goes ahead, allowed for this session.
type RememberError struct{ Err error }

func (e *RememberError) Error() string {
	return "allowed for this session only: it could not be recorded as always allowed: " + e.Err.Error()
}

func (e *RememberError) Unwrap() error { return e.Err }
