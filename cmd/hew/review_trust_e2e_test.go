package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// TestTUIReviewNeverMisleads drives the built binary in tmux through the review's promises:
// the test badge goes stale after a decision, c tests exactly what will be committed and will
// not commit a failing tree without an explicit yes, the message is built from what was
// accepted and edited before committing, and /undo returns the commit's change to the review.
func TestTUIReviewNeverMisleads(t *testing.T) {
	t.Parallel()
	dir := gittest.NewRepo(t, map[string]string{
		"words.txt": twelveLines,
		// The "tests" pass only while the first word is upper case: the first hunk is the fix.
		"check.sh": "grep -qx ONE words.txt || { echo 'FAIL: the first word is not ONE'; exit 1; }\n",
	})
	head := gittest.Git(t, dir, "rev-parse", "HEAD")

	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": endsPatch})}},
		llmtest.Turn{Text: "## Done\n\nBoth ends are upper case now:\n\n```text\nONE\nTWELVE\n```"},
	)
	home := t.TempDir()
	gittest.WriteFile(t, filepath.Join(home, "config", "hew", "config.toml"), "test_cmd = \"sh check.sh\"\n")
	env := binaryEnv(t, home, "TERM=xterm-256color", "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+srv.URL())
	s := startTmux(t, dir, env, 100, 30)
	s.waitFor("Ask for a change")
	s.keys("-l", "capitalise the ends")
	s.keys("Enter")
	s.waitFor("Review", "hunk 1/2", "tests ✓ passed on the proposal")

	// Rejecting the fix makes the result stale; the badge says so.
	s.keys("n")
	scr := s.waitFor("rejected 1 hunk of words.txt", "tests: stale")
	if strings.Contains(scr, "tests ✓ passed") {
		t.Errorf("the badge still says passed after a reject:\n%s", scr)
	}
	s.keys("y")
	s.waitFor("accepted 1 hunk into words.txt")

	// c tests what will be committed (HEAD with TWELVE alone), which fails: no silent commit.
	s.keys("c")
	scr = s.waitFor("tests FAIL on exactly what will be committed", "y commit anyway")
	if !strings.Contains(scr, "FAIL: the first word is not ONE") {
		t.Errorf("the failing output is not shown:\n%s", scr)
	}
	s.keys("Escape")
	s.waitFor("not committed: c commits when you are ready")
	if got := gittest.Git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Fatalf("esc committed: HEAD %s", got)
	}

	// Saying yes shows the message, built from what was accepted, to edit.
	s.keys("c")
	s.waitFor("y commit anyway")
	s.keys("y")
	// The fix was rejected: the subject names the file rather than claim the task was done.
	scr = s.waitFor("Commit message", "Update words.txt", "words.txt: modified, line 12 (+1 -1)")
	if strings.Contains(scr, "Both ends are upper case") || strings.Contains(scr, "```") {
		t.Errorf("the message holds the model's answer:\n%s", scr)
	}
	s.keys("-l", "WIP: ")
	s.keys("Enter")
	s.waitFor("✓ committed")
	msg := gittest.Git(t, dir, "log", "-1", "--format=%B")
	for _, want := range []string{"WIP: Update words.txt\n", "- words.txt: modified, line 12 (+1 -1)", "were rejected or are still pending): capitalise the ends"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the commit message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "Both ends") || strings.Contains(msg, "```") || strings.Contains(msg, "line 1 ") {
		t.Errorf("the commit message claims more than was accepted:\n%s", msg)
	}
	if got := gittest.Git(t, dir, "show", "HEAD:words.txt"); !strings.HasPrefix(got, "one\n") || !strings.HasSuffix(got, "TWELVE") {
		t.Errorf("committed words.txt:\n%s", got)
	}

	// /undo takes the commit back and offers its change for review again.
	s.keys("Escape")
	s.waitFor("Ask for a change")
	s.keys("-l", "/undo")
	s.keys("Enter")
	s.waitFor("Review", "words.txt", "+TWELVE", "hunk 1/1")
	if got := gittest.Git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD after /undo %s, want %s", got, head)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "words.txt")); string(b) != twelveLines {
		t.Errorf("words.txt after /undo:\n%s", b)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status after /undo %q", st)
	}
	// Accepted again, it is committed again, and the tests, which fail on it, say so again:
	// these very files were tested before the undo (equal trees), so the result is reused.
	s.keys("y")
	s.waitFor("accepted 1 hunk into words.txt")
	s.keys("c")
	s.waitFor("tests FAIL on exactly what will be committed", "not run again: these very files were tested already")
}

// TestExecQuestionRunsNoTests: a question proposes nothing, so there is nothing to test, even
// in a repository whose tests fail: exit 0, and say so.
func TestExecQuestionRunsNoTests(t *testing.T) {
	t.Parallel()
	dir := goRepo(t) // its test fails
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "Add returns a - b, which is a bug."})
	stdout, stderr, code, state := runHewBinary(t, dir, srv.URL(), "", "exec", "what does Add return?")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "the model proposed no changes: nothing to test or accept, so the tests were not run") {
		t.Errorf("stderr does not say why nothing was tested:\n%s", stderr)
	}
	files, _ := filepath.Glob(filepath.Join(state, "hew", "sessions", "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("session files: %v", files)
	}
	if raw, _ := os.ReadFile(files[0]); strings.Contains(string(raw), `"type":"test_run"`) {
		t.Error("the tests ran on an empty proposal")
	}
}
