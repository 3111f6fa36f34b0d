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

// hostile is text a model or a command could produce to drive the user's terminal: a
// clipboard write (OSC 52), a title, a screen clear, C1 CSI and OSC, a DCS, a backspace.
const hostile = "a\x1b]52;c;cm0gLXJmIH4K\x07b\x1b]0;title\x1b\\c\x1b[2J\x1b[Hd\u009b2Je\u009d52;c;eA==\u009cf\x1bPq\x1b\\g\x08h\ri"

func noControls(t *testing.T, where, s string) {
	t.Helper()
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			t.Fatalf("%s carries control %U: %q", where, r, s)
		}
	}
}

func TestProgressCarriesNoControlSequences(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b)
	code := 1
	for _, e := range []event.Event{
		event.Message{Message: llm.Message{Role: llm.RoleAssistant, Text: hostile, ToolCalls: []llm.ToolCall{{ID: "1", Name: "run"}}}},
		event.ToolStarted{ID: "1", Name: "run", Summary: "run " + hostile},
		event.ToolFinished{ID: "1", Name: "run", Output: hostile, IsError: true, Duration: time.Millisecond},
		event.TestRun{Command: hostile, Passed: false, ExitCode: code, Output: hostile},
		event.PlanUpdated{Steps: []event.PlanStep{{Step: hostile, Status: "done"}}},
		event.Error{Message: hostile, Hint: hostile},
		event.Notice{Text: hostile},
	} {
		p.Emit(e)
	}
	noControls(t, "progress", b.String())
	if !strings.Contains(b.String(), "abcdef") {
		t.Errorf("the text itself should survive: %q", b.String())
	}
}

func TestJSONLEscapesEveryControl(t *testing.T) {
	var b bytes.Buffer
	NewJSONL(&b).Emit(event.Message{Message: llm.Message{Role: llm.RoleAssistant, Text: hostile + "\x7f"}})
	noControls(t, "JSONL", b.String())
	var m struct {
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatalf("%v: %s", err, b.String())
	}
	if m.Message.Text != hostile+"\x7f" {
		t.Fatalf("the JSON no longer carries the exact text: %q", m.Message.Text)
	}
}
