package main

import (
	"encoding/json"
	"path/filepath"
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
	if rep.Version != 1 || rep.Target != "uncommitted changes" || strings.Join(rep.Files, ",") != "NOTES.md,calc.go,helper.go" {
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
	srv = llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "no"}, llmtest.Turn{Text: `{"findings":[{"title":"x","file":"calc.go","severity":"urgent"}]}`})
	_, stderr, code, _ = runHew(t, dir, srv.URL(), "", "review", "--commit", "HEAD")
	if code != 1 || !strings.Contains(stderr, "not valid JSON (asked twice") || !strings.Contains(stderr, `severity "urgent"`) {
		t.Errorf("malformed twice: exit %d\n%s", code, stderr)
	}

	// A commit that does not exist is a usage error (the flag checks are in TestReviewFlags).
	if _, stderr, code, _ := runHew(t, dir, srv.URL(), "", "review", "--commit", "nope"); code != exitUsage {
		t.Errorf("--commit nope: exit %d, want 2\n%s", code, stderr)
	}
}
