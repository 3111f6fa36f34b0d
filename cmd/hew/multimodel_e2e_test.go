package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// These tests run hew with several models at once, against a fake Bedrock runtime and a fake
// OpenAI server, each driven by the real SDK client: model roles, failover, best of N and the
// second opinion (README "Working with several models").

const claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

// multiEnv is the environment of a run against both fakes, with the user's config file holding
// config.
func multiEnv(t *testing.T, bedrock *llmtest.BedrockServer, openai *llmtest.OpenAIServer, config string) map[string]string {
	t.Helper()
	cfgDir := t.TempDir()
	gittest.WriteFile(t, filepath.Join(cfgDir, "hew", "config.toml"), config)
	env := awsEnv(t, map[string]string{
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.URL,
		"AWS_REGION":                       "us-east-1",
		"AWS_ACCESS_KEY_ID":                "AKIAFAKEFAKEFAKE",
		"AWS_SECRET_ACCESS_KEY":            "fakeSecretKey",
	})
	env["OPENAI_API_KEY"], env["OPENAI_BASE_URL"] = fakeKey, openai.URL()
	env["XDG_CONFIG_HOME"] = cfgDir
	env["HEW_MAX_RETRIES"] = "0" // the retry budget is spent at once: fail over without waiting
	return env
}

// jsonEvents returns the events of --json output of the given type, decoded.
func jsonEvents(t *testing.T, stdout, typ string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("stdout line is not JSON: %q: %v", line, err)
		}
		if e["type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

func bedrockTool(id, name string, args any) llmtest.BedrockToolUse {
	b, _ := json.Marshal(args)
	return llmtest.BedrockToolUse{ID: id, Name: name, Input: []string{string(b)}}
}

func TestThrottledPrimaryFailsOverMidTurnAndTheTaskSucceeds(t *testing.T) {
	dir := answerRepo(t)
	bedrock := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{Reasoning: []string{"Read answer.txt first."}, Signature: "sig-only-bedrock-reads-this",
			Tools: []llmtest.BedrockToolUse{bedrockTool("tu1", "read_file", map[string]any{"path": "answer.txt"})},
			Usage: llmtest.BedrockUsage{Input: 3000, Output: 40}},
		llmtest.BedrockTurn{ErrorType: "ThrottlingException", Status: 429, ErrorMessage: "Too many requests, please wait before trying again."},
	)
	openai := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": answerPatch(42, 0)})}, Usage: llm.Usage{InputTokens: 3500, OutputTokens: 50}},
		llmtest.Turn{Text: "Fixed Add.", Usage: llm.Usage{InputTokens: 3600, OutputTokens: 5}},
	)
	env := multiEnv(t, bedrock, openai, `provider = "bedrock"
model = "`+claude+`"
edit_tool = "both"
fallback = ["openai:gpt-5.1-codex"]
`)
	stdout, stderr, code, state := runHewEnv(t, dir, env, "", "exec", "--json", "--test-cmd", "sh check.sh", "set the answer to 42")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "answer.txt")); string(b) != "answer=42\n" {
		t.Errorf("the fix was not accepted:\n%s", b)
	}
	if n := len(bedrock.Requests()); n != 2 {
		t.Errorf("%d Bedrock requests, want 2 (the second throttled)", n)
	}
	reqs := openai.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d OpenAI requests, want 2", len(reqs))
	}
	first := string(reqs[0].Body)
	if reqs[0].JSON["model"] != "gpt-5.1-codex" || !strings.Contains(first, "answer=0") || !strings.Contains(first, "set the answer to 42") {
		t.Errorf("the conversation did not carry over to the fallback: %.1500s", first)
	}
	if strings.Contains(first, "sig-only-bedrock-reads-this") || strings.Contains(first, "Read answer.txt first.") {
		t.Error("Bedrock's signed reasoning was sent to OpenAI")
	}

	fo := jsonEvents(t, stdout, "failover")
	if len(fo) != 1 || fo[0]["from"] != "bedrock:"+claude || fo[0]["to"] != "openai:gpt-5.1-codex" ||
		fo[0]["dropped"] != "1 reasoning block" || !strings.Contains(fo[0]["reason"].(string), "rate_limit") {
		t.Errorf("failover events: %v", fo)
	}
	var models []string
	for _, u := range jsonEvents(t, stdout, "usage") {
		models = append(models, u["model"].(string)+"/"+u["role"].(string))
	}
	if strings.Join(models, ",") != claude+"/agent,gpt-5.1-codex/agent,gpt-5.1-codex/agent" {
		t.Errorf("usage by model: %v", models)
	}
	logs, _ := filepath.Glob(filepath.Join(state, "hew", "sessions", "*.jsonl"))
	if len(logs) != 1 {
		t.Fatalf("session logs: %v", logs)
	}
	if raw, _ := os.ReadFile(logs[0]); !strings.Contains(string(raw), `"type":"failover"`) {
		t.Error("the session log does not record the failover")
	}
}

// answerPatch sets answer.txt to answer=n, and adds junk.txt with extra lines when extra > 0.
func answerPatch(n, extra int) string {
	p := "*** Begin Patch\n*** Update File: answer.txt\n@@\n-answer=0\n+answer=" + strconv.Itoa(n) + "\n"
	if extra > 0 {
		p += "*** Add File: junk.txt\n"
		for i := range extra {
			p += "+filler line " + strconv.Itoa(i) + "\n"
		}
	}
	return p + "*** End Patch"
}

func TestBestOfThreeAcceptsTheSmallestPassingAttemptAndReportsAll(t *testing.T) {
	dir := answerRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	const pause = 2 // seconds each attempt spends in a command
	sleep := toolCall("run", map[string]any{"command": "sleep " + strconv.Itoa(pause)})
	bedrock := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{Tools: []llmtest.BedrockToolUse{bedrockTool("s1", "run", map[string]any{"command": "sleep " + strconv.Itoa(pause)})}},
		llmtest.BedrockTurn{Tools: []llmtest.BedrockToolUse{bedrockTool("p1", "apply_patch", map[string]any{"patch": answerPatch(41, 0)})}},
		llmtest.BedrockTurn{Text: []string{"Set the answer."}},
	)
	openai := llmtest.NewOpenAIServer(t)
	scripts := map[string][]llmtest.Turn{
		"gpt-5.1-codex": {{ToolCalls: []llmtest.ToolCall{sleep}}, {ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": answerPatch(42, 30)})}}, {Text: "Set the answer, with notes."}},
		"gpt-5-mini":    {{ToolCalls: []llmtest.ToolCall{sleep}}, {ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": answerPatch(42, 0)})}}, {Text: "Set the answer."}},
	}
	openai.Respond(func(r llmtest.RecordedRequest) llmtest.Turn {
		m, _ := r.JSON["model"].(string)
		if len(scripts[m]) == 0 {
			return llmtest.Turn{Status: 400, ErrorBody: "unexpected request for " + m}
		}
		turn := scripts[m][0]
		scripts[m] = scripts[m][1:]
		return turn
	})
	env := multiEnv(t, bedrock, openai, "edit_tool = \"both\"\n")
	start := time.Now()
	stdout, stderr, code, state := runHewEnv(t, dir, env, "", "exec", "--json", "--test-cmd", "sh check.sh",
		"--try", "bedrock:"+claude+",openai:gpt-5.1-codex,openai:gpt-5-mini", "set the answer to 42")
	wall := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "answer.txt")); string(b) != "answer=42\n" {
		t.Errorf("answer.txt = %q, want the small attempt's", b)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "M answer.txt" || gittest.Git(t, dir, "rev-parse", "HEAD") != head {
		t.Errorf("git status %q: want only the small attempt's change, uncommitted", st)
	}

	atts := jsonEvents(t, stdout, "attempt")
	if len(atts) != 3 {
		t.Fatalf("%d attempt events, want 3:\n%s", len(atts), stdout)
	}
	want := []struct {
		model, tests string
		chosen       bool
	}{{"bedrock:" + claude, "failed", false}, {"openai:gpt-5.1-codex", "passed", false}, {"openai:gpt-5-mini", "passed", true}}
	var sum time.Duration
	for i, a := range atts {
		chosen, _ := a["chosen"].(bool)
		if a["model"] != want[i].model || a["tests"] != want[i].tests || chosen != want[i].chosen {
			t.Errorf("attempt %d: %v, want %+v", i+1, a, want[i])
		}
		if p, _ := a["patch"].(string); p == "" || !strings.HasPrefix(p, filepath.Join(state, "hew", "attempts")) {
			t.Errorf("attempt %d: patch %q not kept under the state directory", i+1, p)
		} else if b, err := os.ReadFile(p); err != nil || !strings.Contains(string(b), "answer.txt") {
			t.Errorf("attempt %d: patch %s: %v\n%s", i+1, p, err, b)
		}
		sum += time.Duration(a["duration_ns"].(float64))
	}
	if big, small := atts[1]["added"].(float64), atts[2]["added"].(float64); big <= small {
		t.Errorf("sizes: the large attempt added %v lines, the small one %v", big, small)
	}
	// Side by side: the run takes about one attempt's time, not the sum of the three.
	if sum < 3*pause*time.Second || wall > sum*3/4 {
		t.Errorf("wall time %s for attempts taking %s in all: they did not run in parallel", wall, sum)
	}
	for _, s := range []string{"gpt-5-mini", "gpt-5.1-codex", claude, "passed", "failed", "policy: tests pass"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("the attempt table on stderr lacks %q:\n%s", s, stderr)
		}
	}
	t.Logf("3 attempts: wall %s, sum of attempts %s\n%s", wall.Round(time.Millisecond), sum.Round(time.Millisecond), stderr)
}

// answerRepo is a repository whose test passes once answer.txt says answer=42.
func answerRepo(t *testing.T) string {
	return gittest.NewRepo(t, map[string]string{
		"answer.txt": "answer=0\n",
		"check.sh":   "grep -qx 'answer=42' answer.txt\n",
	})
}

const highFinding = `{"summary": "The change hard-codes the answer.", "findings": [{"title": "Hard-coded answer bypasses the computation", "file": "answer.txt", "start_line": 1, "severity": "high", "confidence": 0.9, "explanation": "The value should be derived."}]}`

func TestBlockingSecondOpinionStopsAcceptance(t *testing.T) {
	dir := answerRepo(t)
	bedrock := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{highFinding}, Usage: llmtest.BedrockUsage{Input: 2000, Output: 80}})
	openai := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": answerPatch(42, 0)})}},
		llmtest.Turn{Text: "Set the answer."},
	)
	env := multiEnv(t, bedrock, openai, "model = \"gpt-5.1-codex\"\n")
	stdout, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--test-cmd", "sh check.sh", "--accept", "tests",
		"--review-with", "bedrock:"+claude, "set the answer to 42")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "answer.txt")); string(b) != "answer=0\n" {
		t.Errorf("answer.txt = %q: a blocked proposal reached the tree", b)
	}
	for _, s := range []string{"tests: sh check.sh — passed", "second opinion from bedrock:" + claude, "HIGH", "answer.txt:1",
		"Hard-coded answer bypasses the computation", "blocks acceptance"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	reqs := bedrock.Requests()
	if len(reqs) != 1 || reqs[0].Model != claude || !strings.Contains(string(reqs[0].Raw), "answer=42") {
		t.Fatalf("the review request did not carry the proposal's diff to %s: %d requests", claude, len(reqs))
	}

	// review_blocks = none reports the findings and accepts.
	dir = answerRepo(t)
	bedrock = llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{highFinding}})
	openai = llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": answerPatch(42, 0)})}},
		llmtest.Turn{Text: "Set the answer."},
	)
	env = multiEnv(t, bedrock, openai, "model = \"gpt-5.1-codex\"\nreview_model = \"bedrock:"+claude+"\"\nsecond_opinion = true\nreview_blocks = \"none\"\n")
	stdout, stderr, code, _ = runHewEnv(t, dir, env, "", "exec", "--test-cmd", "sh check.sh", "set the answer to 42")
	if code != 0 || !strings.Contains(stderr, "does not block acceptance") {
		t.Fatalf("review_blocks = none: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "answer.txt")); string(b) != "answer=42\n" {
		t.Errorf("answer.txt = %q: the proposal was not accepted", b)
	}
}

func TestRolesSendEachKindOfRequestToItsModel(t *testing.T) {
	dir := answerRepo(t)
	const nova = "amazon.nova-micro-v1:0"
	bedrock := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"Summary: the model looked around and found answer.txt."},
		Usage: llmtest.BedrockUsage{Input: 9000, Output: 60}})
	openai := llmtest.NewOpenAIServer(t)
	// Four long steps, the last reporting a nearly full window, make the agent compact before
	// its fifth: the summary is the small model's to write.
	filler := strings.Repeat("Thinking about where the answer lives. ", 150)
	step := func(tokens int64) llmtest.Turn {
		return llmtest.Turn{Text: filler, ToolCalls: []llmtest.ToolCall{toolCall("run", map[string]any{"command": "true"})},
			Usage: llm.Usage{InputTokens: tokens, OutputTokens: 1500}}
	}
	scripts := map[string][]llmtest.Turn{
		"gpt-5.1-codex": {step(4000), step(6000), step(8000), step(13000),
			{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": answerPatch(42, 0)})}, Usage: llm.Usage{InputTokens: 7000, OutputTokens: 50}},
			{Text: "Set the answer.", Usage: llm.Usage{InputTokens: 7100, OutputTokens: 5}}},
		"gpt-5-mini": {
			{Text: `{"summary": "Fine.", "findings": [{"title": "Consider a comment", "file": "answer.txt", "start_line": 1, "severity": "low", "confidence": 0.4, "explanation": "Say why 42."}]}`, Usage: llm.Usage{InputTokens: 1200, OutputTokens: 40}},
			{Text: `{"summary": "Fine.", "findings": []}`, Usage: llm.Usage{InputTokens: 1100, OutputTokens: 10}}},
	}
	var order []string
	openai.Respond(func(r llmtest.RecordedRequest) llmtest.Turn {
		m, _ := r.JSON["model"].(string)
		order = append(order, m)
		if len(scripts[m]) == 0 {
			return llmtest.Turn{Status: 400, ErrorBody: "unexpected request for " + m}
		}
		turn := scripts[m][0]
		scripts[m] = scripts[m][1:]
		return turn
	})
	env := multiEnv(t, bedrock, openai, `model = "gpt-5.1-codex"
small_model = "bedrock:`+nova+`"
review_model = "openai:gpt-5-mini"
second_opinion = true

[[models]]
provider = "openai"
id = "gpt-5.1-codex"
context = 16000
`)
	stdout, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--json", "--test-cmd", "sh check.sh", "set the answer to 42")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := strings.Join(order, ","); got != "gpt-5.1-codex,gpt-5.1-codex,gpt-5.1-codex,gpt-5.1-codex,gpt-5.1-codex,gpt-5.1-codex,gpt-5-mini" {
		t.Errorf("OpenAI requests by model: %s", got)
	}
	reqs := bedrock.Requests()
	if len(reqs) != 1 || reqs[0].Model != nova || !strings.Contains(string(reqs[0].Raw), "Thinking about where the answer lives") {
		t.Fatalf("the compaction summary was not the small model's (%s) to write: %d Bedrock requests", nova, len(reqs))
	}
	if len(jsonEvents(t, stdout, "compacted")) != 1 {
		t.Errorf("the conversation was not compacted:\n%s", stdout)
	}
	roles := map[string]string{}
	var last map[string]any
	for _, u := range jsonEvents(t, stdout, "usage") {
		roles[u["role"].(string)] = u["model"].(string)
		last = u
	}
	if roles["agent"] != "gpt-5.1-codex" || roles["small"] != nova || roles["review"] != "gpt-5-mini" {
		t.Errorf("usage by role: %v", roles)
	}
	byRole, _ := last["role_cost_usd"].(map[string]any)
	total := 0.0
	for _, v := range byRole {
		total += v.(float64)
	}
	if len(byRole) != 3 || !near(total, last["total_cost_usd"].(float64)) || byRole["small"].(float64) <= 0 {
		t.Errorf("cost by role %v does not add up to the total %v", byRole, last["total_cost_usd"])
	}

	// hew review asks the review model too.
	gittest.WriteFile(t, filepath.Join(dir, "answer.txt"), "answer=43\n")
	stdout, stderr, code, _ = runHewEnv(t, dir, env, "", "review")
	if code != 0 || !strings.Contains(stderr, "with gpt-5-mini") {
		t.Fatalf("hew review: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if order[len(order)-1] != "gpt-5-mini" {
		t.Errorf("hew review asked %s", order[len(order)-1])
	}
}

var sigV4Region = regexp.MustCompile(`Credential=AKIAFAKEFAKEFAKE/\d{8}/([a-z0-9-]+)/bedrock/aws4_request`)

func TestRegionDownFailsOverToAnotherRegion(t *testing.T) {
	dir := answerRepo(t)
	bedrock := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{ErrorType: "ServiceUnavailableException", Status: 503, ErrorMessage: "Bedrock is unavailable in this region."},
		llmtest.BedrockTurn{Text: []string{"Nothing to change."}},
	)
	openai := llmtest.NewOpenAIServer(t) // fails the test if anything reaches it
	env := multiEnv(t, bedrock, openai, `provider = "bedrock"
model = "`+claude+`"
fallback = ["bedrock:`+claude+`@us-west-2", "openai:gpt-5.1-codex"]
`)
	stdout, stderr, code, _ := runHewEnv(t, dir, env, "", "exec", "--accept", "never", "is anything wrong?")
	if code != 0 || !strings.Contains(stdout, "Nothing to change.") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var regions []string
	for _, r := range bedrock.Requests() {
		m := sigV4Region.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil || r.Model != claude {
			t.Fatalf("request for %s signed %q", r.Model, r.Header.Get("Authorization"))
		}
		regions = append(regions, m[1])
	}
	if strings.Join(regions, ",") != "us-east-1,us-west-2" {
		t.Errorf("requests signed for %v, want us-east-1 then us-west-2", regions)
	}
	if !strings.Contains(stderr, "the turn continues on bedrock:"+claude+"@us-west-2") {
		t.Errorf("the switch was not announced:\n%s", stderr)
	}
}
