package mcp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hew/agent/approval"
	"hew/agent/config"
	"hew/agent/mcp"
	"hew/agent/mcp/mcptest"
	"hew/agent/tools"
	"hew/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.RunHelperIfRequested()
	mcptest.RunIfRequested()
	os.Exit(m.Run())
}

// stdioServer configures this test binary as a stdio MCP server.
func stdioServer(t *testing.T, sandboxed bool) config.MCPServer {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return config.MCPServer{Command: exe, Env: map[string]string{mcptest.ServerEnv: "stdio", "HEW_TEST_VISIBLE": "$VISIBLE_TOKEN"},
		Sandbox: &sandboxed, ToolTimeout: config.Duration{Duration: time.Second}}
}

type harness struct {
	workspace string
	m         *mcp.Manager
	set       *tools.Set
	mu        sync.Mutex
	notices   []string
}

func start(t *testing.T, servers map[string]config.MCPServer, permit func(ctx context.Context, name, display string) error) *harness {
	t.Helper()
	h := &harness{set: tools.NewSet(""), workspace: t.TempDir()}
	env := []string{"PATH=" + os.Getenv("PATH"), "VISIBLE_TOKEN=tok-123456789", "HIDDEN_SECRET=nope", "HOME=" + t.TempDir()}
	h.m = mcp.Start(context.Background(), mcp.Options{Servers: servers, Env: env, Workspace: h.workspace,
		Permit: permit,
		Notice: func(level, text string) {
			h.mu.Lock()
			h.notices = append(h.notices, text)
			h.mu.Unlock()
		}})
	t.Cleanup(func() { h.m.Close() })
	if err := h.set.Add(h.m.Tools()...); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) call(t *testing.T, name string, args any) tools.Result {
	t.Helper()
	tool, ok := h.set.Get(name)
	if !ok {
		t.Fatalf("no tool %s among %v", name, h.set.Names())
	}
	b, _ := json.Marshal(args)
	return tool.Run(context.Background(), &tools.Env{OutputLimit: 4 << 10}, b)
}

func allow(context.Context, string, string) error { return nil }

func TestStdioServerToolsCallsErrorsTimeoutsAndCrash(t *testing.T) {
	for _, sandboxed := range []bool{false, true} {
		t.Run(fmt.Sprintf("sandbox=%v", sandboxed), func(t *testing.T) {
			if sandboxed {
				if sb, err := sandbox.New(sandbox.Options{}); err != nil || sb.Backend() == sandbox.BackendNone {
					t.Skip("no sandbox here")
				}
			}
			h := start(t, map[string]config.MCPServer{"t": stdioServer(t, sandboxed)}, allow)
			st := h.m.Status()
			if len(st) != 1 || st[0].State != mcp.StateReady || len(st[0].Tools) != 7 || st[0].Sandboxed != sandboxed {
				t.Fatalf("status %+v", st)
			}
			spec, _ := h.set.Get("mcp__t__echo")
			if s := spec.Spec(); !strings.Contains(string(s.Parameters), `"text"`) || !strings.Contains(s.Description, "Returns the text") {
				t.Errorf("spec %+v", s)
			}
			if r := h.call(t, "mcp__t__echo", map[string]string{"text": "hi"}); r.IsError || r.Output != "echo: hi" {
				t.Errorf("echo: %+v", r)
			}
			if r := h.call(t, "mcp__t__fail", nil); !r.IsError || !strings.Contains(r.Output, "failed on purpose") {
				t.Errorf("fail: %+v", r)
			}
			// Only the variables the config names reach the server, expanded.
			r := h.call(t, "mcp__t__env", nil)
			if strings.Contains(r.Output, "HIDDEN_SECRET") || strings.Contains(r.Output, "VISIBLE_TOKEN") || !strings.Contains(r.Output, "HEW_TEST_VISIBLE=tok-123456789") {
				t.Errorf("env: %s", r.Output)
			}
			// A sandboxed server cannot write the repository.
			target := filepath.Join(h.workspace, "by-server.txt")
			r = h.call(t, "mcp__t__write", map[string]string{"path": target})
			if _, err := os.Stat(target); (err == nil) == sandboxed || r.IsError != sandboxed {
				t.Errorf("write into the repository (sandboxed %v): %+v, stat %v", sandboxed, r, err)
			}
			// Capped like every tool's output.
			if r := h.call(t, "mcp__t__big", nil); len(r.Output) > 5<<10 || !strings.Contains(r.Output, "omitted") {
				t.Errorf("big: %d bytes", len(r.Output))
			}
			began := time.Now()
			if r := h.call(t, "mcp__t__sleep", map[string]float64{"seconds": 30}); !r.IsError || !strings.Contains(r.Output, "timed out after 1s") || time.Since(began) > 10*time.Second {
				t.Errorf("sleep: %+v after %s", r, time.Since(began))
			}
			// The server still answers after a timed-out call.
			if r := h.call(t, "mcp__t__echo", map[string]string{"text": "again"}); r.Output != "echo: again" {
				t.Errorf("after the timeout: %+v", r)
			}
			r = h.call(t, "mcp__t__crash", nil)
			if !r.IsError || !strings.Contains(r.Output, "exit status 3") || !strings.Contains(r.Output, "dying on purpose") {
				t.Errorf("crash: %+v", r)
			}
			r = h.call(t, "mcp__t__echo", map[string]string{"text": "still there?"})
			if !r.IsError || !strings.Contains(r.Output, "stopped during this session") || !strings.Contains(r.Output, "dying on purpose") {
				t.Errorf("after the crash: %+v", r)
			}
			if st := h.m.Status(); st[0].State != mcp.StateStopped {
				t.Errorf("status after the crash %+v", st)
			}
		})
	}
}

func TestHTTPServerWithHeadersFromTheEnvironment(t *testing.T) {
	srv := mcptest.NewHTTP("Authorization: Bearer tok-123456789")
	defer srv.Close()
	h := start(t, map[string]config.MCPServer{
		"web":    {URL: srv.URL, Headers: map[string]string{"Authorization": "Bearer ${VISIBLE_TOKEN}"}},
		"nohdr":  {URL: srv.URL, StartupTimeout: config.Duration{Duration: 5 * time.Second}},
		"off":    {URL: srv.URL, Enabled: new(bool)},
		"noenv":  {URL: srv.URL, Headers: map[string]string{"X-Key": "$NOT_SET_ANYWHERE"}},
		"absent": {Command: "/nonexistent/server", Sandbox: new(bool)},
	}, allow)
	got := map[string]mcp.Status{}
	for _, s := range h.m.Status() {
		got[s.Name] = s
	}
	if got["web"].State != mcp.StateReady || got["off"].State != mcp.StateDisabled || got["nohdr"].State != mcp.StateFailed ||
		!strings.Contains(got["noenv"].Detail, "NOT_SET_ANYWHERE is not set") || got["absent"].State != mcp.StateFailed {
		t.Fatalf("status %+v", got)
	}
	if r := h.call(t, "mcp__web__echo", map[string]string{"text": "over http"}); r.Output != "echo: over http" {
		t.Errorf("echo: %+v", r)
	}
	if r := h.call(t, "mcp__web__echo", map[string]int{"text": 5}); !r.IsError || !strings.Contains(r.Output, `want "string"`) {
		t.Errorf("bad arguments: %+v", r)
	}
	srv.CloseClientConnections()
	srv.Close()
	if r := h.call(t, "mcp__web__echo", map[string]string{"text": "gone"}); !r.IsError || !strings.Contains(r.Output, "could not answer it") {
		t.Errorf("server gone: %+v", r)
	}
	if len(h.set.Names()) != 7+7 {
		t.Errorf("tools %v", h.set.Names())
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.notices) != 3 {
		t.Errorf("notices %q", h.notices)
	}
}

func TestCallsTheConfigDoesNotAllowAsk(t *testing.T) {
	srv := mcptest.NewHTTP("")
	defer srv.Close()
	var asked []string
	permit := func(_ context.Context, name, display string) error {
		asked = append(asked, display)
		if strings.Contains(display, "no") {
			return fmt.Errorf("%w: not that one", approval.ErrDenied)
		}
		return nil
	}
	h := start(t, map[string]config.MCPServer{"web": {URL: srv.URL, AllowedTools: []string{"env"}}}, permit)
	if r := h.call(t, "mcp__web__env", nil); r.IsError {
		t.Errorf("allowed tool: %+v", r)
	}
	if r := h.call(t, "mcp__web__echo", map[string]string{"text": "yes"}); r.Output != "echo: yes" {
		t.Errorf("approved: %+v", r)
	}
	r := h.call(t, "mcp__web__echo", map[string]string{"text": "no"})
	if !r.IsError || !strings.Contains(r.Output, "denied") || !strings.Contains(r.Output, "not that one") {
		t.Errorf("denied: %+v", r)
	}
	if len(asked) != 2 || !strings.HasPrefix(asked[0], `mcp__web__echo {"text":"yes"}`) {
		t.Errorf("asked %q", asked)
	}
	// Nobody to ask: denied, and the model is told how the user could allow it.
	h = start(t, map[string]config.MCPServer{"web": {URL: srv.URL}}, nil)
	r = h.call(t, "mcp__web__echo", map[string]string{"text": "x"})
	if !r.IsError || !strings.Contains(r.Output, `allowed_tools = ["echo"] under [mcp_servers.web]`) {
		t.Errorf("no approver: %+v", r)
	}
	h = start(t, map[string]config.MCPServer{"web": {URL: srv.URL}}, func(context.Context, string, string) error { return approval.ErrCannotAsk })
	if r := h.call(t, "mcp__web__echo", map[string]string{"text": "x"}); !r.IsError || !strings.Contains(r.Output, "nobody can be asked") {
		t.Errorf("cannot ask: %+v", r)
	}
	if !errors.Is(fmt.Errorf("%w", approval.ErrDenied), approval.ErrDenied) {
		t.Fatal("unreachable")
	}
}

func TestToolNames(t *testing.T) {
	if got := mcp.ToolName("gh", "issues.create/v2"); got != "mcp__gh__issues_create_v2" {
		t.Errorf("got %s", got)
	}
	long := mcp.ToolName("server", strings.Repeat("x", 100))
	if len(long) != 64 || long == mcp.ToolName("server", strings.Repeat("x", 99)) {
		t.Errorf("long name %s", long)
	}
}

func TestServersThatDoNotStartAreReportedQuickly(t *testing.T) {
	no := false
	began := time.Now()
	h := start(t, map[string]config.MCPServer{
		"mute":    {Command: "sleep", Args: []string{"30"}, Sandbox: &no, StartupTimeout: config.Duration{Duration: 300 * time.Millisecond}},
		"garbage": {Command: "sh", Args: []string{"-c", "echo not json; echo broken >&2; exit 7"}, Sandbox: &no},
	}, allow)
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("start took %s", d)
	}
	got := map[string]mcp.Status{}
	for _, s := range h.m.Status() {
		got[s.Name] = s
	}
	if s := got["mute"]; s.State != mcp.StateFailed || !strings.Contains(s.Detail, "no answer within 300ms (startup_timeout)") {
		t.Errorf("mute: %+v", s)
	}
	if s := got["garbage"]; s.State != mcp.StateFailed || !strings.Contains(s.Detail, "exit status 7") || !strings.Contains(s.Detail, "broken") {
		t.Errorf("garbage: %+v", s)
	}
	if len(h.set.Names()) != 7 {
		t.Errorf("tools %v", h.set.Names())
	}
}
