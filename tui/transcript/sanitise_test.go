package transcript

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"hew/agent/event"
)

const hostile = "a\x1b]52;c;cm0gLXJmIH4K\x07b\x1b]0;title\x1b\\c\x1b[2J\x1b[Hd\u009b2Je\u009d52;c;eA==\u009cf\x1bPq\x1b\\g\x08h\ri"

// sgr matches hew's own styling: Select Graphic Rendition sequences and nothing else.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// The model's text and tool output reach the screen without their control sequences; hew's
// own colours remain.
func TestViewCarriesNoControlSequenceButHewsStyling(t *testing.T) {
	tr := New()
	code := 1
	tr.Add(&Entry{Kind: User, Text: hostile})
	tr.AppendText(Assistant, "**bold** "+hostile)
	tr.AppendText(Reasoning, hostile)
	tr.Add(&Entry{Kind: Tool, ToolID: "1", Text: "run " + hostile})
	tr.FinishTool(event.ToolFinished{ID: "1", Output: hostile + "\n" + hostile, ExitCode: &code, Duration: time.Second})
	tr.Add(&Entry{Kind: Plan, Steps: []event.PlanStep{{Step: hostile, Status: "done"}}})
	tr.Add(&Entry{Kind: Error, Text: hostile, Hint: hostile})
	tr.Add(&Entry{Kind: Notice, Text: hostile})
	tr.Add(&Entry{Kind: Info, Text: "+" + hostile}) // /diff shows the proposal as it is
	tr.ToggleExpanded()
	tr.SetWidth(200)
	v := tr.View(200)
	rest := sgr.ReplaceAllString(v, "")
	for _, r := range rest {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			t.Fatalf("the view carries control %U:\n%q", r, v)
		}
	}
	if strings.Count(rest, "abcd") < 7 {
		t.Errorf("the text should survive without its controls:\n%s", rest)
	}
}
