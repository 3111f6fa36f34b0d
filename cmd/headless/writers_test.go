package headless

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"hew/agent/event"
	"hew/agent/llm"
)

func TestJSONLWritesOneEventPerLine(t *testing.T) {
	var b bytes.Buffer
	j := NewJSONL(&b)
	code := 1
	for _, e := range []event.Event{
		event.TurnStarted{Turn: 1, Prompt: "fix"},
		event.TextDelta{Text: "line one\nline two"},
		event.ToolFinished{ID: "c1", Name: "run", Output: "FAIL", IsError: true, ExitCode: &code, Duration: time.Second},
	} {
		j.Emit(e)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), b.String())
	}
	for i, want := range []string{"turn_started", "text_delta", "tool_finished"} {
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil || m["type"] != want {
			t.Errorf("line %d = %s (%v)", i, lines[i], err)
		}
		if _, err := event.Decode([]byte(lines[i])); err != nil {
			t.Errorf("line %d does not decode: %v", i, err)
		}
	}
}

func TestProgressSaysWhatHappened(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b)
	code := 0
	p.Emit(event.Message{Message: llm.Message{Role: llm.RoleAssistant, Text: "Looking.", ToolCalls: []llm.ToolCall{{ID: "1"}}}})
	p.Emit(event.ToolStarted{ID: "1", Summary: "run go test ./..."})
	p.Emit(event.ToolFinished{ID: "1", ExitCode: &code, Duration: 1500 * time.Millisecond})
	p.Emit(event.TestRun{Command: "go test ./...", ExitCode: 1, Output: "--- FAIL: TestAdd\nFAIL", Duration: time.Second})
	p.Emit(event.Error{Message: "openai: rate limited", Hint: "wait"})
	p.Emit(event.Usage{}) // nothing to say about an empty usage
	want := "  Looking.\n▸ run go test ./... — exit 0 (1.5s)\ntests: go test ./... — FAILED (exit 1) in 1s\n  --- FAIL: TestAdd\n  FAIL\nerror: openai: rate limited\n  hint: wait\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestProgressCountsTheTestOutputItLeavesOut(t *testing.T) {
	var b bytes.Buffer
	out := strings.Repeat("ok\n", 58) + "--- FAIL: TestAdd\n" + strings.Repeat("x\n", 38) + "FAIL\n"
	NewProgress(&b).Emit(event.TestRun{Command: "go test ./...", ExitCode: 1, Output: out, Duration: time.Second})
	got := b.String()
	if !strings.Contains(got, "\n  [… 58 lines (174 bytes) omitted …]\n  --- FAIL: TestAdd\n") || !strings.HasSuffix(got, "  x\n  FAIL\n") {
		t.Errorf("the failed run's last 40 lines come after the count of those left out; got\n%s", got)
	}
	if n := strings.Count(got, "\n"); n != 1+1+40 {
		t.Errorf("%d lines printed, want the verdict, the marker and 40 lines:\n%s", n, got)
	}
}

func TestProgressReportsProposalChangesOnce(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b)
	p.Emit(event.ProposalChanged{Cause: event.CauseTools, Files: []event.FileStat{{Path: "a.go", Op: "M", Added: 1, Removed: 1}}})
	p.Emit(event.Accepted{Files: []string{"a.go"}})
	p.Emit(event.ProposalChanged{Cause: event.CauseAccept, Files: []event.FileStat{}}) // said by the accepted line
	p.Emit(event.ProposalChanged{Cause: event.CauseEditor, Path: "b.go", Files: []event.FileStat{}})
	want := "proposal: M a.go +1 -1\naccepted into the working tree: a.go\nproposal: no changes\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestProgressMarksControlFiles(t *testing.T) {
	var b strings.Builder
	p := NewProgress(&b)
	p.Emit(event.ProposalChanged{Files: []event.FileStat{{Path: ".github/workflows/x.yml", Op: "A", Added: 2, Control: "CI configuration"}, {Path: "a.go", Op: "M", Added: 1}}})
	if want := "proposal: A .github/workflows/x.yml +2 -0 [control file: CI configuration], M a.go +1 -0\n"; b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}
