package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"hew/agent/llm/llmtest"
	"hew/agent/mcp/mcptest"
	"hew/gitops/gittest"
)

// mcpUserConfig writes a user config with this test binary as the stdio MCP server "t" (see
// mcptest) plus extra, and returns the environment that points hew at it and at srv.
func mcpUserConfig(t *testing.T, srv *llmtest.OpenAIServer, server, extra string) map[string]string {
	t.Helper()
	home := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("[mcp_servers.t]\ncommand = %q\ntool_timeout = \"1s\"\n%s\n[mcp_servers.t.env]\n%s = \"stdio\"\nHEW_TEST_VISIBLE = \"$MCP_TOKEN\"\n%s", exe, server, mcptest.ServerEnv, extra)
	gittest.WriteFile(t, filepath.Join(home, "config", "hew", "config.toml"), cfg)
	env := fakeServerEnv(srv.URL())
	env["HOME"], env["XDG_CONFIG_HOME"] = home, filepath.Join(home, "config")
	env["MCP_TOKEN"] = "tok-visible-12345"
	env["OTHER_SECRET_TOKEN"] = "never-passed-9876"
	return env
}

// toolResults are the tool_finished events of a JSONL stream, by call id.
func toolResults(t *testing.T, jsonl string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if ev["type"] == "tool_finished" {
			out[ev["id"].(string)] = ev
		}
	}
	return out
}

// TestExecCallsMCPToolsThroughTheSession drives hew exec against a real stdio MCP server in the
// sandbox: a call, a tool error, a timeout, a call the config does not allow (denied: exec cannot
// ask), and a server that crashes mid-session; the session goes on and the model is told each
// time.
func TestExecCallsMCPToolsThroughTheSession(t *testing.T) {
	dir := gittest.NewRepo(t, map[string]string{"README.md": "# r\n"})
	call := func(id, name string, args any) llmtest.Turn {
		c := toolCall(name, args)
		c.ID = id
		return llmtest.Turn{ToolCalls: []llmtest.ToolCall{c}}
	}
	srv := llmtest.NewOpenAIServer(t,
		call("c1", "mcp__t__echo", map[string]string{"text": "hello"}),
		call("c2", "mcp__t__fail", map[string]string{}),
		call("c3", "mcp__t__sleep", map[string]float64{"seconds": 30}),
		call("c4", "mcp__t__env", map[string]string{}),
		call("c5", "mcp__t__crash", map[string]string{}),
		call("c6", "mcp__t__echo", map[string]string{"text": "are you there"}),
		llmtest.Turn{Text: "done with the tools"},
	)
	env := mcpUserConfig(t, srv, `allowed_tools = ["echo", "fail", "sleep", "crash"]`, "")
	began := time.Now()
	stdout, stderr, code, state := runHewEnv(t, dir, env, "", "exec", "--json", "--accept", "never", "use the tools")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if time.Since(began) > 20*time.Second {
		t.Errorf("took %s", time.Since(began))
	}
	res := toolResults(t, stdout)
	want := map[string]string{
		"c1": "echo: hello",
		"c2": "failed on purpose",
		"c3": "timed out after 1s",
		"c4": `allowed_tools = ["env"] under [mcp_servers.t]`,
		"c5": "dying on purpose",
		"c6": "stopped during this session",
	}
	for id, w := range want {
		out, _ := res[id]["output"].(string)
		if !strings.Contains(out, w) {
			t.Errorf("%s: output %q lacks %q", id, out, w)
		}
		if isErr, _ := res[id]["is_error"].(bool); isErr != (id != "c1") {
			t.Errorf("%s: is_error %v", id, isErr)
		}
	}
	if out, _ := res["c6"]["output"].(string); !strings.Contains(out, "dying on purpose") {
		t.Errorf("the crash's stderr is not reported: %q", out)
	}
	if !strings.Contains(stdout, `"mcp: server t stopped`) {
		t.Errorf("no notice of the crash:\n%s", stdout)
	}
	// The model saw every result, and the last answer ended the session normally.
	reqs := srv.Requests()
	if len(reqs) != 7 || !strings.Contains(string(reqs[6].Body), "stopped during this session") {
		t.Fatalf("%d requests", len(reqs))
	}
	// The tool was offered with its schema, namespaced.
	if body := string(reqs[0].Body); !strings.Contains(body, `"mcp__t__echo"`) || !strings.Contains(body, "the text to return") {
		t.Errorf("tools offered: %.2000s", body)
	}
	if strings.Contains(stdout, "never-passed-9876") || strings.Contains(stdout, "tok-visible-12345") {
		t.Error("a secret reached the event stream")
	}
	// The session log holds the calls as it holds every tool call.
	logs, _ := filepath.Glob(filepath.Join(state, "hew", "sessions", "*.jsonl"))
	if len(logs) != 1 {
		t.Fatalf("session logs %v", logs)
	}
	if b, _ := os.ReadFile(logs[0]); !strings.Contains(string(b), `"name":"mcp__t__echo"`) || !strings.Contains(string(b), "timed out after 1s") {
		t.Errorf("the session log lacks the MCP calls:\n%.3000s", b)
	}
}

// TestExecUsesAStreamableHTTPServerWithHeadersFromTheEnvironment: the header's value comes from
// the variable the config names.
func TestExecUsesAStreamableHTTPServerWithHeadersFromTheEnvironment(t *testing.T) {
	web := mcptest.NewHTTP("Authorization: Bearer plain-value-3141592")
	defer web.Close()
	dir := gittest.NewRepo(t, map[string]string{"README.md": "# r\n"})
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("mcp__web__echo", map[string]string{"text": "over http"})}},
		llmtest.Turn{Text: "ok, plain-value-3141592"})
	// The variable's name does not look secret: it is redacted because a header takes it.
	env := mcpUserConfig(t, srv, "enabled = false", fmt.Sprintf("\n[mcp_servers.web]\nurl = %q\nallowed_tools = [\"*\"]\nheaders = { Authorization = \"Bearer $WEB_SETTING\" }\n", web.URL+"/mcp"))
	env["WEB_SETTING"] = "plain-value-3141592"
	stdout, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--json", "--accept", "never", "call it")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, r := range toolResults(t, stdout) {
		if r["output"] != "echo: over http" {
			t.Errorf("result %v", r)
		}
	}
	if strings.Contains(stdout, "plain-value-3141592") || !strings.Contains(stdout, "ok, ") {
		t.Errorf("the header's value was not redacted:\n%s", stdout)
	}
	if strings.Contains(string(srv.Requests()[0].Body), "mcp__t__") {
		t.Error("a disabled server's tools were offered")
	}
}

// TestRepositoryConfigCannotAddMCPServersUntilTrusted: an untrusted .hew/config.toml's server
// is not started, and the user is told.
func TestRepositoryConfigCannotAddMCPServersUntilTrusted(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	dir := gittest.NewRepo(t, map[string]string{"README.md": "# r\n",
		".hew/config.toml": fmt.Sprintf("[mcp_servers.evil]\ncommand = \"/bin/sh\"\nargs = [\"-c\", \"touch %s\"]\nsandbox = false\n", marker)})
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "ok"})
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--accept", "never", "hi")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the repository's MCP server ran")
	}
	if !strings.Contains(stderr, "mcp_servers.evil") || !strings.Contains(stderr, "hew trust") {
		t.Errorf("not told:\n%s", stderr)
	}
}

// TestMCPAddListRemove edits the user's config and lists the server's tools.
func TestMCPAddListRemove(t *testing.T) {
	dir := gittest.NewRepo(t, map[string]string{"README.md": "# r\n"})
	exe, _ := os.Executable()
	ios, _, _ := testIO(t, dir, nil)
	cfgPath := filepath.Join(ios.Getenv("XDG_CONFIG_HOME"), "hew", "config.toml")
	gittest.WriteFile(t, cfgPath, "# my settings\nmodel = \"gpt-5.1-codex\"\n")
	out, errOut, code := runIO(t, ios, "", "mcp", "add", "t", "--env", mcptest.ServerEnv+"=stdio", "--allow", "echo", "--", exe, "-test.run=none")
	if code != 0 {
		t.Fatalf("add: %d %s %s", code, out, errOut)
	}
	if _, _, code := runIO(t, ios, "", "mcp", "add", "t", "--", "x"); code != 2 {
		t.Errorf("adding the same name twice: exit %d", code)
	}
	if _, e, code := runIO(t, ios, "", "mcp", "add", "bad name", "--", "x"); code != 2 || !strings.Contains(e, "letters, digits") {
		t.Errorf("bad name: %d %s", code, e)
	}
	out, errOut, code = runIO(t, ios, "", "mcp", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^t +ready +stdio, sandboxed `).MatchString(out) ||
		!regexp.MustCompile(`mcp__t__echo +allowed`).MatchString(out) || !regexp.MustCompile(`mcp__t__env +asks`).MatchString(out) {
		t.Errorf("list: %d\n%s\n%s", code, out, errOut)
	}
	out, _, code = runIO(t, ios, "", "mcp", "list", "--json")
	var list []struct {
		Name, State string
		Tools       []struct {
			Offered string
			Allowed bool
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) != 1 || list[0].State != "ready" || len(list[0].Tools) != 7 {
		t.Errorf("list --json: %d %v\n%s", code, err, out)
	}
	b, _ := os.ReadFile(cfgPath)
	if !strings.HasPrefix(string(b), "# my settings\nmodel = \"gpt-5.1-codex\"\n") {
		t.Errorf("the user's file lost its content:\n%s", b)
	}
	if _, _, code := runIO(t, ios, "", "mcp", "remove", "t"); code != 0 {
		t.Errorf("remove: %d", code)
	}
	if b, _ := os.ReadFile(cfgPath); strings.TrimSpace(string(b)) != "# my settings\nmodel = \"gpt-5.1-codex\"" {
		t.Errorf("after remove:\n%q", b)
	}
	if _, _, code := runIO(t, ios, "", "mcp", "remove", "t"); code != 2 {
		t.Errorf("removing it again: %d", code)
	}
}

// TestMCPServeRunsATaskAndReviewsADiff drives `hew mcp serve` with the SDK's client: run_task
// returns the proposal as a diff with its test result, without touching the tree; review_diff
// reviews a given diff.
func TestMCPServeRunsATaskAndReviewsADiff(t *testing.T) {
	dir := goRepo(t)
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch})}},
		llmtest.Turn{Text: "Fixed Add."},
		llmtest.Turn{Text: `{"summary": "one finding", "findings": [{"title": "Subtraction", "file": "calc.go", "start_line": 5, "end_line": 5, "severity": "high", "confidence": 0.9, "explanation": "Add subtracts."}]}`},
	)
	ios, _, _ := testIO(t, dir, fakeServerEnv(srv.URL()))
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ios.In, ios.Out = inR, outW
	t.Setenv("XDG_CACHE_HOME", sharedCache(t))
	done := make(chan int, 1)
	go func() {
		done <- Main([]string{"mcp", "serve"}, ios)
		outW.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &sdk.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil || len(tools.Tools) != 2 {
		t.Fatalf("tools %v %v", tools, err)
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "run_task", Arguments: map[string]any{"prompt": "fix the test"}})
	if err != nil {
		t.Fatal(err)
	}
	var task struct {
		Diff  string
		Files []string
		Tests struct {
			Passed  bool
			Command string
		}
		Session string
	}
	b, _ := json.Marshal(res.StructuredContent)
	json.Unmarshal(b, &task)
	if res.IsError || !strings.Contains(task.Diff, "+\treturn a + b") || !task.Tests.Passed || len(task.Files) != 1 || task.Session == "" {
		t.Errorf("run_task: %s\n%+v", b, res.Content)
	}
	if text := res.Content[0].(*sdk.TextContent).Text; !strings.Contains(text, "passed on the proposal") || !strings.Contains(text, "hew resume") {
		t.Errorf("text: %s", text)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "calc.go")); !strings.Contains(string(got), "a - b") {
		t.Error("run_task wrote to the working tree")
	}
	diff := "--- a/calc.go\n+++ b/calc.go\n@@ -3,4 +3,4 @@\n // Add returns the sum of a and b.\n func Add(a, b int) int {\n-\treturn a - b\n+\treturn a - b - 0\n }\n"
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "review_diff", Arguments: map[string]any{"diff": diff}})
	if err != nil || res.IsError {
		t.Fatalf("review_diff: %v %+v", err, res)
	}
	if text := res.Content[0].(*sdk.TextContent).Text; !strings.Contains(text, "Subtraction") {
		t.Errorf("review: %s", text)
	}
	if body := string(srv.Requests()[2].Body); !strings.Contains(body, "a - b - 0") {
		t.Errorf("the review did not see the diff: %.500s", body)
	}
	res, _ = cs.CallTool(ctx, &sdk.CallToolParams{Name: "review_diff", Arguments: map[string]any{"diff": "--- a/nope.go\n+++ b/nope.go\n@@ -1 +1 @@\n-x\n+y\n"}})
	if res == nil || !res.IsError {
		t.Errorf("a diff that does not apply: %+v", res)
	}
	cs.Close()
	inW.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Error("serve did not end when the client left")
	}
}
