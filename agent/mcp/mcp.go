// Package mcp connects a session to the Model Context Protocol servers the configuration names
// ([mcp_servers.NAME]) and offers their tools to the model as mcp__SERVER__TOOL, with the
// schemas the servers give, on the official Go SDK.
//
// Stdio servers run in the sandbox by default: the repository read-only, a scratch home, no
// network unless the server's network setting allows it, and of hew's environment only the
// variables the configuration names (plus PATH, the locale and the time zone). Streamable HTTP
// servers get the headers the configuration names, their values taken from named environment
// variables.
//
// Every tool is untrusted: a call the server's allowed_tools does not list goes through Permit
// (the approval gate) first. A server that fails to start, times out, returns an error or dies
// mid-session never fails the session: the model gets an error result saying what happened,
// and the front ends a notice.
package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"hew/agent/config"
	"hew/agent/tools"
	"hew/sandbox"
)

// Options say which servers to start and how.
type Options struct {
	Servers map[string]config.MCPServer
	// Env is hew's environment ("NAME=value"); a server gets only what its configuration names.
	Env []string
	// Workspace is the repository root: the directory stdio servers start in (cwd is relative
	// to it) and the tree the sandbox shows them, read-only.
	Workspace string
	// Sandbox is how the sandbox stdio servers run in is made: each server gets its own, which
	// also shows the server's executable (a program under the home, which the sandbox hides,
	// would not start otherwise).
	Sandbox sandbox.Options
	// Permit decides a call of a tool the configuration does not allow: nil lets it go ahead,
	// an error (see approval.Gate.CheckTool) stops it. Nil Permit denies every such call.
	Permit func(ctx context.Context, name, display string) error
	// Notice tells the user something ("warn" or "" level), such as a server that stopped.
	Notice func(level, text string)
	// Version is hew's version, sent to servers.
	Version string
}

// State is where a server stands.
type State string

// The states.
const (
	StateDisabled State = "disabled" // enabled = false
	StateFailed   State = "failed"   // did not start, or did not list its tools in time
	StateReady    State = "ready"
	StateStopped  State = "stopped" // it was ready, then its process or connection ended
)

// Status describes one server for people (hew mcp list, /mcp).
type Status struct {
	Name      string `json:"name"`
	Transport string `json:"transport"` // "stdio" or "http"
	Target    string `json:"target"`    // the command line or the URL
	Sandboxed bool   `json:"sandboxed"` // a stdio server in the sandbox
	State     State  `json:"state"`
	// Detail says why a server failed or stopped.
	Detail string       `json:"detail,omitempty"`
	Tools  []ToolStatus `json:"tools"`
}

// ToolStatus describes one tool of a server.
type ToolStatus struct {
	Name        string `json:"name"`    // as the server names it
	Offered     string `json:"offered"` // as the model sees it: mcp__SERVER__TOOL
	Description string `json:"description"`
	// Allowed reports that the configuration lets the model call it without asking.
	Allowed bool `json:"allowed"`
}

// Manager holds the session's connections to its MCP servers.
type Manager struct {
	o       Options
	servers []*server
}

// Start connects to every enabled server at once, each within its start-up timeout, and lists
// their tools. A server that fails is reported in Status (and through Notice) and offers no
// tools; Start itself does not fail.
func Start(ctx context.Context, o Options) *Manager {
	m := &Manager{o: o}
	var wg sync.WaitGroup
	for _, name := range slices.Sorted(maps.Keys(o.Servers)) {
		s := &server{name: name, cfg: o.Servers[name], m: m}
		m.servers = append(m.servers, s)
		if !s.cfg.IsEnabled() {
			s.state = StateDisabled
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.start(ctx); err != nil {
				s.fail(err)
				m.notice("warn", fmt.Sprintf("mcp: server %s did not start: %v", name, err))
			}
		}()
	}
	wg.Wait()
	return m
}

func (m *Manager) notice(level, text string) {
	if m.o.Notice != nil {
		m.o.Notice(level, text)
	}
}

// Tools are the tools of the ready servers, to offer to the model.
func (m *Manager) Tools() []*tools.Tool {
	var out []*tools.Tool
	for _, s := range m.servers {
		s.mu.Lock()
		if s.state == StateReady {
			for _, t := range s.tools {
				out = append(out, s.tool(t))
			}
		}
		s.mu.Unlock()
	}
	return out
}

// Status describes every configured server, sorted by name.
func (m *Manager) Status() []Status {
	out := make([]Status, 0, len(m.servers))
	for _, s := range m.servers {
		out = append(out, s.status())
	}
	return out
}

// Close ends every connection and stops the servers' processes, waiting for them a few
// seconds at most.
func (m *Manager) Close() error {
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range m.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.close(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("mcp server %s: %w", s.name, err))
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeWait):
		return fmt.Errorf("mcp: servers still closing after %s; left to end on their own", closeWait)
	}
	mu.Lock()
	defer mu.Unlock()
	return errors.Join(errs...)
}

// closeWait bounds Close: a server that is unreachable must not keep hew from exiting.
const closeWait = 5 * time.Second

// server is one configured server and its connection.
type server struct {
	name string
	cfg  config.MCPServer
	m    *Manager

	mu      sync.Mutex
	state   State
	detail  string
	session *sdk.ClientSession
	tools   []*sdk.Tool
	closing bool
	// stop ends the server's process (or connection) and waits for it; exited, once closed,
	// says how the process ended.
	stop   func()
	kill   func() // ends the process at once; nil for HTTP servers
	exited chan struct{}
	exit   string
}

// start connects to the server and lists its tools within the start-up timeout.
func (s *server) start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Startup())
	defer cancel()
	var (
		t   sdk.Transport
		err error
	)
	if s.cfg.URL != "" {
		t, err = s.httpTransport()
	} else {
		t, err = s.stdioTransport()
	}
	if err != nil {
		return err
	}
	client := sdk.NewClient(&sdk.Implementation{Name: "hew", Version: s.m.o.Version}, &sdk.ClientOptions{Capabilities: &sdk.ClientCapabilities{}})
	cs, err := client.Connect(ctx, t, nil)
	if err != nil {
		err = s.startError(ctx, "connect", err)
		s.abandon()
		return err
	}
	var list []*sdk.Tool
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			err = s.startError(ctx, "list its tools", err)
			s.abandon()
			cs.Close()
			return err
		}
		list = append(list, tool)
	}
	s.mu.Lock()
	s.session, s.tools, s.state = cs, list, StateReady
	s.mu.Unlock()
	go s.watch(cs)
	return nil
}

// startError says why starting failed: the timeout, or what the process said as it died.
func (s *server) startError(ctx context.Context, what string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s (startup_timeout) while trying to %s", s.cfg.Startup(), what)
	}
	if exit := s.exitDetail(); exit != "" {
		return fmt.Errorf("%s: %s", what, exit)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// watch marks the server stopped when its connection ends while hew did not close it.
func (s *server) watch(cs *sdk.ClientSession) {
	err := cs.Wait()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	detail := s.exitDetail()
	if detail == "" && err != nil {
		detail = err.Error()
	}
	if detail == "" {
		detail = "its connection closed"
	}
	s.mu.Lock()
	s.state, s.detail = StateStopped, detail
	s.mu.Unlock()
	s.m.notice("warn", fmt.Sprintf("mcp: server %s stopped: %s; its tools fail for the rest of the session", s.name, detail))
}

// exitDetail waits briefly for the process to be reaped and says how it ended, or "".
func (s *server) exitDetail() string {
	if s.exited == nil {
		return ""
	}
	select {
	case <-s.exited:
		return s.exit
	case <-time.After(2 * time.Second):
		return ""
	}
}

func (s *server) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state, s.detail = StateFailed, err.Error()
}

// abandon kills a server that failed to start, without the grace a running one gets.
func (s *server) abandon() {
	if s.kill != nil {
		s.kill()
	}
	s.shutdown()
}

func (s *server) shutdown() {
	if s.stop != nil {
		s.stop()
	}
}

func (s *server) close() error {
	s.mu.Lock()
	s.closing = true
	cs := s.session
	s.mu.Unlock()
	var err error
	if cs != nil {
		err = cs.Close()
	}
	s.shutdown()
	if err != nil && strings.Contains(err.Error(), "closed") {
		err = nil // it had stopped already
	}
	return err
}

func (s *server) status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Name: s.name, Transport: s.cfg.Transport(), Target: s.target(), State: s.state, Detail: s.detail,
		Sandboxed: s.cfg.URL == "" && s.cfg.Sandboxed()}
	for _, t := range s.tools {
		st.Tools = append(st.Tools, ToolStatus{Name: t.Name, Offered: ToolName(s.name, t.Name), Description: firstLine(t.Description),
			Allowed: s.cfg.Allows(t.Name)})
	}
	return st
}

// target is the command line or the URL, for people.
func (s *server) target() string {
	if s.cfg.URL != "" {
		return s.cfg.URL
	}
	return strings.Join(append([]string{s.cfg.Command}, s.cfg.Args...), " ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(s); len(r) > 100 {
		s = string(r[:99]) + "…"
	}
	return s
}

// sessionFor returns the server's session, or an error for the model when it is not running.
func (s *server) sessionFor() (*sdk.ClientSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != StateReady {
		return nil, fmt.Errorf("MCP server %s stopped during this session (%s), so its tools cannot be used until hew is restarted. Do the task without them, or tell the user", s.name, s.detail)
	}
	return s.session, nil
}

// call is one call of a tool, as the model sent it.
func (s *server) call(ctx context.Context, tool, offered string, args json.RawMessage) tools.Result {
	cs, err := s.sessionFor()
	if err != nil {
		return tools.Result{IsError: true, Output: err.Error()}
	}
	s.mu.Lock()
	allowed := s.cfg.Allows(tool)
	s.mu.Unlock()
	if !allowed {
		if r, ok := s.m.permit(ctx, s.name, tool, offered, args); !ok {
			return r
		}
	}
	// The arguments go on as the model wrote them (a number is not rounded through float64).
	if a := bytes.TrimSpace(args); len(a) == 0 || string(a) == "null" {
		args = json.RawMessage("{}")
	} else if a[0] != '{' || !json.Valid(a) {
		return tools.Result{IsError: true, Output: fmt.Sprintf("the arguments for %s must be a JSON object matching its schema", offered)}
	}
	timeout := s.cfg.CallTimeout()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := cs.CallTool(cctx, &sdk.CallToolParams{Name: tool, Arguments: args})
	switch {
	case err == nil:
		return result(res)
	case ctx.Err() != nil:
		return tools.Result{IsError: true, Output: "interrupted by the user"}
	case errors.Is(cctx.Err(), context.DeadlineExceeded):
		return tools.Result{IsError: true, Output: fmt.Sprintf("the call to %s timed out after %s (the tool_timeout of MCP server %s) and was cancelled. Try again with a smaller request, or do without it", offered, timeout, s.name)}
	}
	var rpc *jsonrpc.Error
	if errors.As(err, &rpc) && (rpc.Code == jsonrpc.CodeInvalidParams || rpc.Code == jsonrpc.CodeMethodNotFound) {
		return tools.Result{IsError: true, Output: fmt.Sprintf("MCP server %s refused the call of %s: %s. Check the arguments against the tool's schema", s.name, offered, rpc.Message)}
	}
	// Anything else may be the server dying: a stdio server's process says whether it did.
	if detail := s.exitDetail(); detail != "" {
		s.mu.Lock()
		s.state, s.detail = StateStopped, detail
		s.mu.Unlock()
	}
	if _, serr := s.sessionFor(); serr != nil {
		return tools.Result{IsError: true, Output: serr.Error()}
	}
	return tools.Result{IsError: true, Output: fmt.Sprintf("the call of %s failed: MCP server %s could not answer it (%v); it may have stopped. Try once more later, or do without it", offered, s.name, err)}
}

// Lookup returns the server and the server's own name of the tool offered to the model as
// offered.
func (m *Manager) Lookup(offered string) (server, tool string, ok bool) {
	for _, s := range m.servers {
		s.mu.Lock()
		for _, t := range s.tools {
			if ToolName(s.name, t.Name) == offered {
				s.mu.Unlock()
				return s.name, t.Name, true
			}
		}
		s.mu.Unlock()
	}
	return "", "", false
}

// Allow lets the model call tool of server without asking for the rest of the session, as
// the user's answer "always" does.
func (m *Manager) Allow(server, tool string) {
	for _, s := range m.servers {
		if s.name == server {
			s.mu.Lock()
			s.cfg.AllowedTools = append(slices.Clone(s.cfg.AllowedTools), tool)
			s.mu.Unlock()
		}
	}
}
