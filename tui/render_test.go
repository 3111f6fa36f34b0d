package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hew/agent/event"
	"hew/agent/llm/llmtest"
)

// sgrBefore reports whether the line of view holding text starts, before text, with an SGR
// sequence setting the 256-colour foreground colour.
func coloured(view, text, colour string) bool {
	re := regexp.MustCompile(`\x1b\[[0-9;]*38;5;` + colour + `[0-9;]*m[^\x1b]*` + regexp.QuoteMeta(text))
	return re.MatchString(view)
}

func TestDiffCommandIsColoured(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "old line\nsame\n"}, "never")
	if err := h.m.eng.EditProposed("a.txt", []byte("new line\nsame\n")); err != nil {
		t.Fatal(err)
	}
	h.command("/diff")
	v := h.m.View().Content
	if !coloured(v, "+new line", "78") || !coloured(v, "-old line", "203") || !coloured(v, "@@ -1,2 +1,2 @@", "75") {
		t.Errorf("/diff is not coloured:\n%q", v)
	}
	if !strings.Contains(stripANSI(v), " same") {
		t.Errorf("/diff lacks the context line:\n%s", stripANSI(v))
	}
}

// A paste longer than the input, with tabs, goes in as a placeholder and is sent whole, tabs and
// all; the transcript shows all of it.
func TestPasteKeepsTabsAndEveryLine(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never", llmtest.Turn{Text: "Read it."})
	code := "func f() {\n\tif x {\n\t\treturn\n\t}\n\tFIRST := 1\n\t_ = FIRST\n\tLAST := 2\n}\n"
	h.typeText("explain ")
	h.m.Update(tea.PasteMsg{Content: code})
	if got := h.m.input.Value(); got != "explain [pasted 8 lines #1]" {
		t.Fatalf("input after the paste: %q", got)
	}
	h.typeText(" please")
	h.finish(h.start(h.key("enter")))
	body := string(h.srv.Requests()[0].Body)
	if want := `explain func f() {\n\tif x {\n\t\treturn\n\t}\n\tFIRST := 1\n\t_ = FIRST\n\tLAST := 2\n}\n please`; !strings.Contains(body, want) {
		t.Errorf("the model did not get the paste as it was:\n%s", body)
	}
	scr := h.screen()
	for _, want := range []string{"func f() {", "FIRST := 1", "LAST := 2"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, scr)
		}
	}
	// A short paste without tabs goes in as it is.
	h.m.Update(tea.PasteMsg{Content: "two\nlines"})
	if got := h.m.input.Value(); got != "two\nlines" {
		t.Errorf("a short paste: %q", got)
	}
}

// A failed test run shows in the transcript with its output open; ctrl+o on it closes it, and
// a passing run shows as one line.
func TestFailedTestOutputCanBeRead(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	out := "--- FAIL: TestAdd (0.00s)\n    calc_test.go:6: Add(2, 3) = -1, want 5\nFAIL\nFAIL\texample.com/calc\t0.002s\n"
	h.m.Update(eventMsg{gen: h.m.gen, e: event.TestRun{Command: "go test ./...", ExitCode: 1, Output: out, Duration: 1500 * time.Millisecond}})
	scr := h.screen()
	for _, want := range []string{"✗ tests fail on the proposal: go test ./... exit 1 1.5s", "│ --- FAIL: TestAdd", "│     calc_test.go:6: Add(2, 3) = -1, want 5"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the screen lacks %q:\n%s", want, scr)
		}
	}
	h.key("alt+up")
	h.key("ctrl+o")
	if strings.Contains(h.screen(), "│ --- FAIL") {
		t.Errorf("ctrl+o did not close the output:\n%s", h.screen())
	}
	h.key("ctrl+o")
	if !strings.Contains(h.screen(), "│ --- FAIL") {
		t.Errorf("ctrl+o did not open the output again:\n%s", h.screen())
	}
	h.key("esc")
	h.m.Update(eventMsg{gen: h.m.gen, e: event.TestRun{Command: "go test ./...", Passed: true, Output: "ok\texample.com/calc\t0.002s\n", Duration: time.Second}})
	if scr := h.screen(); !strings.Contains(scr, "✓ tests pass on the proposal: go test ./... exit 0 1s") || strings.Contains(scr, "│ ok") {
		t.Errorf("a passing run:\n%s", scr)
	}
}

// A session resumed in the UI shows its tool calls by their summaries with their run times,
// and its plan, as they showed live.
func TestResumedTranscriptLooksAsItDidLive(t *testing.T) {
	plan := toolCall("update_plan", map[string]any{"steps": []map[string]string{{"step": "STEP-A look", "status": "in_progress"}}})
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never",
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{plan}},
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("run", map[string]any{"command": "sleep 0.2; echo SLEPT"})}},
		llmtest.Turn{Text: "ANSWER-ONE"},
	)
	h.turn("look around")
	live := lineWith(h.screen(), "run sleep 0.2")
	first := h.m.Engine().SessionID()
	h.command("/new")
	h.command("/resume " + first)
	scr := h.screen()
	for _, want := range []string{"› look around", "STEP-A look", "ANSWER-ONE", "run sleep 0.2; echo SLEPT"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the resumed transcript lacks %q:\n%s", want, scr)
		}
	}
	if strings.Contains(scr, `{"command"`) || strings.Contains(scr, `"steps"`) {
		t.Errorf("raw tool arguments:\n%s", scr)
	}
	resumed := lineWith(scr, "run sleep 0.2")
	m := regexp.MustCompile(`exit 0 (\S+)`).FindStringSubmatch(resumed)
	if resumed != live || m == nil {
		t.Fatalf("resumed tool line %q, live %q", resumed, live)
	}
	if d, err := time.ParseDuration(m[1]); err != nil || d < 200*time.Millisecond {
		t.Errorf("the resumed run time %q is not the real one (≥ 200ms)", m[1])
	}
}

func lineWith(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// A session switched with /model resumes on the model it was switched to, and its transcript
// says where the switch happened.
func TestResumeContinuesOnTheModelSwitchedTo(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never",
		llmtest.Turn{Text: "on mini"}, llmtest.Turn{Text: "on 4.1"}, llmtest.Turn{Text: "still 4.1"})
	h.turn("first")
	h.command("/model gpt-4.1")
	h.turn("second")
	first := h.m.Engine().SessionID()
	h.command("/new")
	h.command("/resume " + first)
	if scr := h.screen(); !strings.Contains(scr, "model: gpt-4.1 from here on (was gpt-5-mini)") ||
		!strings.Contains(scr, "resumed on the session's own openai model gpt-4.1") {
		t.Errorf("the resumed transcript:\n%s", scr)
	}
	h.turn("third")
	var models []string
	for _, r := range h.srv.Requests() {
		models = append(models, r.JSON["model"].(string))
	}
	if got := strings.Join(models, " "); got != "gpt-5-mini gpt-4.1 gpt-4.1" {
		t.Errorf("models asked: %s", got)
	}
}

// The review's "tests failed" message is of one test run on one proposal: a new run, or a
// change to the proposal, takes it down, and the badge says a run is going.
func TestFailedTestsMessageGoesWithItsRun(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	if err := h.m.eng.EditProposed("a.txt", []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	h.run(h.key("ctrl+r"))
	failed := event.TestRun{Command: "go test ./...", ExitCode: 1, Output: "FAIL\n", Duration: time.Second}
	h.m.Update(eventMsg{gen: h.m.gen, e: failed})
	if !strings.Contains(h.screen(), "✗ the tests failed") {
		t.Fatalf("no failure message in the review:\n%s", h.screen())
	}
	_ = h.m.runTests() // a new run starts (its command is not run here)
	scr := h.screen()
	if strings.Contains(scr, "✗ the tests failed") || !strings.Contains(scr, "tests: running on the proposal…") {
		t.Errorf("while the tests run again the review shows:\n%s", scr)
	}
	h.m.Update(testDoneMsg{tr: failed})
	h.m.Update(eventMsg{gen: h.m.gen, e: failed})
	h.m.Update(eventMsg{gen: h.m.gen, e: event.ProposalChanged{Cause: event.CauseTools, Files: []event.FileStat{{Path: "a.txt", Op: "M"}}}})
	if scr := h.screen(); strings.Contains(scr, "✗ the tests failed") || strings.Contains(scr, "running on the proposal") {
		t.Errorf("after the proposal changed the review shows:\n%s", scr)
	}
}

// The commit dialog's end of a failed run's output says how many lines it leaves out.
func TestCommitDialogCountsTheOutputItLeavesOut(t *testing.T) {
	out := "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\n"
	got := strings.Join(lastLines(out, 4), "|")
	if want := "[… 7 lines (21 bytes) omitted …]|l8|l9|l10"; got != want {
		t.Errorf("lastLines(4) = %q, want %q", got, want)
	}
	if got := strings.Join(lastLines("a\nb\n", 4), "|"); got != "a|b" {
		t.Errorf("short output: %q", got)
	}
}
