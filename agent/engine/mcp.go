package engine

import (
	"context"
	"fmt"
	"strings"

	"hew/agent/approval"
	"hew/agent/config"
	"hew/agent/event"
	"hew/agent/mcp"
	"hew/sandbox"
)

// MCPServer describes one configured MCP server: its state and its tools.
type MCPServer = mcp.Status

// startMCP connects to the configured MCP servers and offers their tools to the model. A
// server that does not start is a notice, not an error.
func (e *Engine) startMCP(ctx context.Context, env []string, sb sandbox.Options) error {
	if len(e.cfg.MCPServers) == 0 {
		return nil
	}
	e.mcp = mcp.Start(ctx, mcp.Options{
		Servers: e.cfg.MCPServers, Env: env, Workspace: e.repo.Root(), Sandbox: sb,
		Permit: e.permitTool,
		Notice: func(level, text string) { e.events.Emit(event.Notice{Level: level, Text: text}) },
	})
	if err := e.agent.Tools.Add(e.mcp.Tools()...); err != nil {
		return fmt.Errorf("mcp: %w", err)
	}
	var ready []string
	for _, s := range e.mcp.Status() {
		if s.State == mcp.StateReady {
			ready = append(ready, fmt.Sprintf("%s (%d tools)", s.Name, len(s.Tools)))
		}
	}
	if len(ready) > 0 {
		e.events.Emit(event.Notice{Text: "mcp: ready: " + strings.Join(ready, ", ")})
	}
	return nil
}

// MCPServers describes the session's MCP servers, sorted by name; none when none is
// configured.
func (e *Engine) MCPServers() []MCPServer {
	if e.mcp == nil {
		return nil
	}
	return e.mcp.Status()
}

// permitTool puts a call of an MCP tool the configuration does not allow to the user, through
// the approval gate; without an approver (hew exec) it is denied.
func (e *Engine) permitTool(ctx context.Context, name, display string) error {
	if e.gate == nil {
		return approval.ErrCannotAsk
	}
	return e.gate.CheckTool(ctx, name, display)
}

// rememberTool records in the user's config file that an MCP tool is always allowed.
func (e *Engine) rememberTool(offered string) error {
	if e.mcp == nil {
		return fmt.Errorf("%s is not an MCP tool", offered)
	}
	server, tool, ok := e.mcp.Lookup(offered)
	if !ok {
		return fmt.Errorf("%s is not an MCP tool", offered)
	}
	e.mcp.Allow(server, tool)
	return config.AllowMCPTool(e.getenv, server, tool)
}
