package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

const correctCalc = `package calc

// Add returns the sum of a and b.
func Add(a, b int) int {
	return a + b
}
`

// reviewRepo is goRepo with calc.go fixed and committed, then the bug planted again
// (uncommitted), an untracked file and an ignored one added.
func reviewRepo(t *testing.T) string {
	t.Helper()
	dir := goRepo(t)
	gittest.WriteFile(t, filepath.Join(dir, "calc.go"), correctCalc)
	gittest.WriteFile(t, filepath.Join(dir, ".gitignore"), "*.log\n")
	gittest.Git(t, dir, "add", "calc.go", ".gitignore")
	gittest.Git(t, dir, "commit", "-q", "-m", "fix Add")
	gittest.WriteFile(t, filepath.Join(dir, "calc.go"), buggyCalc)
	gittest.WriteFile(t, filepath.Join(dir, "helper.go"), "package calc\n\nfunc UNTRACKED_HELPER() {}\n")
	gittest.WriteFile(t, filepath.Join(dir, "debug.log"), "IGNORED_LOG\n")
	return dir
}

const plantedFinding = `{"summary":"Add now subtracts.","findings":[{"title":"Add subtracts instead of adding","file":"calc.go","start_line":5,"end_line":5,"severity":"high","confidence":0.95,"explanation":"return a - b computes the difference.","suggested_fix":"--- a/calc.go\n+++ b/calc.go\n@@ -5 +5 @@\n-\treturn a - b\n+\treturn a + b\n"}]}`

func TestReviewJSONReportsThePlantedBug(t *testing.T) {
	dir := reviewRepo(t)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "Here is my review:\n```json\n" + plantedFinding + "\n```"})
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "review", "--uncommitted", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var rep struct {
		Version  int      `json:"version"`
		Target   string   `json:"target"`
		Files    []string `json:"files"`
		Findings []struct {
			Title        string  `json:"title"`
			File         string  `json:"file"`
			StartLine    int     `json:"start_line"`
			EndLine      int     `json:"end_line"`
			Severity     string  `json:"severity"`
			Confidence   float64 `json:"confidence"`
			SuggestedFix string  `json:"suggested_fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
	}
	if rep.Version != 2 || rep.Target != "uncommitted changes" || strings.Join(rep.Files, ",") != "NOTES.md,calc.go,helper.go" {
		t.Errorf("report header: %+v", rep)
	}
	if len(rep.Findings) != 1 {
		t.Fatalf("findings: %+v", rep.Findings)
	}
	f := rep.Findings[0]
	if f.File != "calc.go" || f.StartLine != 5 || f.EndLine != 5 || f.Severity != "high" || f.Confidence != 0.95 || !strings.Contains(f.SuggestedFix, "+\treturn a + b") {
		t.Errorf("finding: %+v", f)
	}

	// The model got the diff, the numbered code around it and the untracked file, not the
	// ignored one, with the review prompt and no tools.
	body := string(srv.Requests()[0].Body)
	for _, want := range []string{`-\treturn a + b`, `+\treturn a - b`, `    5  \treturn a - b`, "UNTRACKED_HELPER", "careful senior engineer"} {
		if !strings.Contains(body, want) {
			t.Errorf("the review request lacks %q", want)
		}
	}
	if strings.Contains(body, "IGNORED_LOG") || strings.Contains(body, `"tools"`) {
		t.Error("the request holds an ignored file or offers tools")
	}

	// --fail-on high makes the same review exit 1; markdown is a PR comment.
	srv2 := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: plantedFinding})
	stdout, _, code, _ = runHew(t, dir, srv2.URL(), "", "review", "--format", "markdown", "--fail-on", "high")
	if code != 1 || !strings.Contains(stdout, "| high | `calc.go:5` | Add subtracts instead of adding |") || !strings.Contains(stdout, "```diff") {
		t.Errorf("markdown with --fail-on high: exit %d\n%s", code, stdout)
	}
}

func TestReviewCommitAndBaseAndMalformedAnswers(t *testing.T) {
	dir := reviewRepo(t)
	gittest.Git(t, dir, "checkout", "-q", "-b", "feature")
	gittest.Git(t, dir, "add", "calc.go")
	gittest.Git(t, dir, "commit", "-q", "-m", "break Add")

	// A malformed first answer is asked again once.
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "I think it's fine {not json"}, llmtest.Turn{Text: plantedFinding})
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "review", "--base", "main")
	if code != 0 || !strings.Contains(stdout, "HIGH   calc.go:5  Add subtracts instead of adding") || !strings.Contains(stdout, "main...HEAD (1 file)") {
		t.Errorf("--base main: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if reqs := srv.Requests(); len(reqs) != 2 || !strings.Contains(string(reqs[1].Body), "could not be used") || strings.Contains(string(reqs[0].Body), "UNTRACKED_HELPER") {
		t.Errorf("the retry did not say what was wrong, or --base sent uncommitted files")
	}

	// Malformed twice: exit 1 with a clear message.
	// The report is still printed, valid JSON, naming the file that was not reviewed.
	srv = llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "no"}, llmtest.Turn{Text: `{"findings":[{"file":"calc.go","severity":"urgent"}]}`})
	stdout, stderr, code, _ = runHew(t, dir, srv.URL(), "", "review", "--commit", "HEAD", "--format", "json")
	if code != 1 || !strings.Contains(stderr, "not valid JSON (asked twice") || !strings.Contains(stderr, "has no title or file") {
		t.Errorf("malformed twice: exit %d\n%s", code, stderr)
	}
	var failed struct {
		Files   []string `json:"files"`
		Skipped []struct{ Path, Reason string }
		Error   string `json:"error"`
	}
	if err := json.Unmarshal([]byte(stdout), &failed); err != nil || len(failed.Files) != 0 || len(failed.Skipped) != 1 ||
		failed.Skipped[0].Path != "calc.go" || failed.Skipped[0].Reason != "failed" || failed.Error == "" {
		t.Errorf("the failed review's report: %v %+v\n%s", err, failed, stdout)
	}

	// A commit that does not exist is a usage error (the flag checks are in TestReviewFlags).
	if _, stderr, code, _ := runHew(t, dir, srv.URL(), "", "review", "--commit", "nope"); code != exitUsage {
		t.Errorf("--commit nope: exit %d, want 2\n%s", code, stderr)
	}
}

// reviewedFile matches the heading each file of a review request has.
var reviewedFile = regexp.MustCompile(`## (\S+) \(`)

// largeChangeRepo is a repository of n Go files over nine packages, each then changed in three
// places (uncommitted).
func largeChangeRepo(t *testing.T, n int) string {
	t.Helper()
	body := func(i int, changed bool) string {
		var b strings.Builder
		fmt.Fprintf(&b, "package p%d\n\n", i%9)
		for l := range 60 {
			if changed && l%20 == 5 {
				fmt.Fprintf(&b, "var changed%d_%d = %d // CHANGED\n", i, l, l*i)
			} else {
				fmt.Fprintf(&b, "var v%d_%d = %d\n", i, l, l)
			}
		}
		return b.String()
	}
	files := map[string]string{"go.mod": "module example.com/big\n\ngo 1.21\n"}
	for i := range n {
		files[fmt.Sprintf("p%d/f%03d.go", i%9, i)] = body(i, false)
	}
	dir := gittest.NewRepo(t, files)
	for i := range n {
		gittest.WriteFile(t, filepath.Join(dir, fmt.Sprintf("p%d/f%03d.go", i%9, i)), body(i, true))
	}
	return dir
}

// findingPerFile answers a review request with a finding on line 1 of each file it shows.
func findingPerFile(r llmtest.RecordedRequest) llmtest.Turn {
	var findings []string
	for _, m := range reviewedFile.FindAllStringSubmatch(string(r.Body), -1) {
		findings = append(findings, fmt.Sprintf(`{"title":"Suspicious change","file":%q,"start_line":1,"severity":"low","confidence":0.5,"explanation":"x"}`, m[1]))
	}
	return llmtest.Turn{Text: `{"summary":"ok","findings":[` + strings.Join(findings, ",") + `]}`}
}

// A 200-file change against a server with a 16K window: no request is over the window, every
// file is reported (reviewed, or not with the reason), and findings from the several requests
// are merged — a finding repeated for each part of a split file is reported once.
func TestReviewOfALargeChangeFitsTheWindow(t *testing.T) {
	dir := largeChangeRepo(t, 200)
	var big strings.Builder
	for l := range 2500 {
		fmt.Fprintf(&big, "var big%d = %d\n", l, l)
	}
	gittest.WriteFile(t, filepath.Join(dir, "big/big.go"), "package big\n\n"+big.String())
	gittest.WriteFile(t, filepath.Join(dir, "img/logo.png"), "\x89PNG\r\n\x1a\n\x00\x00\x00binary")

	const window = 16000
	srv := llmtest.NewOpenAIServer(t)
	srv.Window(window, llmtest.StyleOpenAI)
	// The catalogue gives gpt-5.1-codex a far larger window; the server's list says what it serves.
	srv.SetModels(map[string]any{"id": "gpt-5.1-codex", "max_model_len": window})
	srv.Respond(findingPerFile)
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "review", "--model", "gpt-5.1-codex", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	reqs := srv.Requests()
	if len(reqs) < 5 {
		t.Errorf("%d requests: the change was not split", len(reqs))
	}
	for i, r := range reqs {
		if r.Refused || r.Tokens > window {
			t.Errorf("request %d: %d tokens (refused %v), over the window of %d", i+1, r.Tokens, r.Refused, window)
		}
	}
	var rep struct {
		Files    []string `json:"files"`
		Skipped  []struct{ Path, Reason, Detail string }
		Findings []struct{ File string }
		Requests int `json:"requests"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	reported := map[string]int{}
	for _, f := range rep.Files {
		reported[f]++
	}
	for _, s := range rep.Skipped {
		reported[s.Path]++
		if s.Path != "img/logo.png" || s.Reason != "binary" {
			t.Errorf("skipped %+v", s)
		}
	}
	if len(reported) != 202 || len(rep.Files) != 201 {
		t.Errorf("%d files reported (%d reviewed), want 202", len(reported), len(rep.Files))
	}
	for f, n := range reported {
		if n != 1 {
			t.Errorf("%s reported %d times", f, n)
		}
	}
	if len(rep.Findings) != 201 || rep.Requests > len(reqs) || rep.Requests < len(reqs)-2 {
		t.Errorf("%d findings (want one per reviewed file, big/big.go's parts merged), %d requests reported, %d sent", len(rep.Findings), rep.Requests, len(reqs))
	}
	if !strings.Contains(stderr, "not reviewed: 1 file") {
		t.Errorf("stderr does not say a file was not reviewed:\n%s", stderr)
	}
}

// A server with a smaller window than hew assumed (an unknown model: 32K) refuses the first
// requests naming its window; their files are planned again for it, and every file is reviewed
// (a refused request's files would otherwise be listed as failed).
func TestReviewLearnsTheWindowFromARefusal(t *testing.T) {
	dir := largeChangeRepo(t, 60)
	const window = 9000
	srv := llmtest.NewOpenAIServer(t)
	srv.Window(window, llmtest.StyleVLLM)
	srv.Respond(findingPerFile)
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "review", "--model", "local-coder", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stderr, stdout)
	}
	var rep struct {
		Files    []string `json:"files"`
		Skipped  []any    `json:"skipped"`
		Findings []any    `json:"findings"`
		Requests int      `json:"requests"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	// (A request the client sent again after a network error is one request to the report.)
	if rep.Requests > len(srv.Requests()) || rep.Requests < len(srv.Requests())-2 {
		t.Errorf("the report counts %d requests; the server got %d", rep.Requests, len(srv.Requests()))
	}
	refused := 0
	for _, r := range srv.Requests() {
		if r.Refused {
			refused++
		}
	}
	if refused == 0 || len(rep.Files) != 60 || len(rep.Skipped) != 0 || len(rep.Findings) != 60 {
		t.Errorf("%d refused, %d files reviewed, %d skipped, %d findings", refused, len(rep.Files), len(rep.Skipped), len(rep.Findings))
	}
}
