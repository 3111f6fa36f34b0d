package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
	"hew/tui/transcript"
)

// turn types prompt, sends it and waits for the turn to end.
func (h *harness) turn(prompt string) {
	h.t.Helper()
	h.typeText(prompt)
	h.finish(h.start(h.key("enter")))
}

// command runs a / command line and everything it starts, to the end.
func (h *harness) command(line string) {
	h.t.Helper()
	h.m.input.SetValue(line)
	cmd := h.key("enter")
	if h.m.busy {
		h.finish(h.start(cmd))
		return
	}
	h.run(cmd)
}

func TestRewindListsCheckpointsAndRestoresOneAfterConfirming(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never", llmtest.Turn{Text: "Nothing to do."})
	h.turn("look around")
	if err := h.m.eng.EditProposed("a.txt", []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	h.command("/accept")
	if h.file("a.txt") != "b\n" {
		t.Fatal("/accept did not write a.txt")
	}
	h.command("/rewind")
	scr := h.screen()
	for _, want := range []string{"1  ", "before accepting a.txt", "2  ", "before: look around"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the list lacks %q:\n%s", want, scr)
		}
	}
	// Asked first; another key than y cancels.
	h.command("/rewind 1")
	if h.m.asking == nil || !strings.Contains(h.screen(), "Rewind the working tree to checkpoint") {
		t.Fatalf("no confirmation asked:\n%s", h.screen())
	}
	h.run(h.key("n"))
	if h.file("a.txt") != "b\n" || !strings.Contains(h.screen(), "Cancelled.") {
		t.Errorf("n did not cancel: a.txt %q", h.file("a.txt"))
	}
	h.command("/rewind 1")
	h.run(h.key("y"))
	if h.file("a.txt") != "a\n" {
		t.Errorf("a.txt after the rewind: %q", h.file("a.txt"))
	}
	if st := gittest.Git(t, h.dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status %q", st)
	}
	if acc := h.m.eng.Accepted(); len(acc) != 0 {
		t.Errorf("the rewound change is still accepted for commit: %v", acc)
	}
	// The rewind saved the state before it, so it can be rewound in turn.
	h.command("/rewind 1")
	h.run(h.key("enter"))
	if h.file("a.txt") != "b\n" {
		t.Errorf("rewinding the rewind: a.txt %q", h.file("a.txt"))
	}
	h.command("/rewind 99")
	if !strings.Contains(h.screen(), `no checkpoint "99"`) {
		t.Errorf("a bad number:\n%s", h.screen())
	}
}

func TestUndoCommandRevertsHewsCommit(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	head := gittest.Git(t, h.dir, "rev-parse", "HEAD")
	if err := h.m.eng.EditProposed("a.txt", []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	h.command("/accept")
	h.command("/commit change a")
	h.run(h.key("enter")) // the message, as typed
	if gittest.Git(t, h.dir, "rev-parse", "HEAD~1") != head {
		t.Fatal("no commit")
	}
	h.run(h.key("esc"))
	h.command("/undo")
	if got := gittest.Git(t, h.dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD after /undo is %s, want %s", got, head)
	}
	if !strings.Contains(h.screen(), "Review") || h.file("a.txt") != "a\n" {
		t.Errorf("a.txt %q; screen:\n%s", h.file("a.txt"), h.screen())
	}
	// The undone change is back in the review as a proposal, not lost.
	if fs := h.m.rv.Files(); len(fs) != 1 || fs[0].Change.Path != "a.txt" || string(fs[0].Change.New) != "b\n" {
		t.Fatalf("the review after /undo: %+v", fs)
	}
	h.run(h.key("esc"))
	if !strings.Contains(h.screen(), "Undid commit") || !strings.Contains(h.screen(), "proposed again") {
		t.Errorf("the undo is not reported:\n%s", h.screen())
	}
	h.command("/undo")
	if !strings.Contains(h.screen(), "nothing undone") {
		t.Errorf("a second /undo:\n%s", h.screen())
	}
	// Accepted and committed again, the change lands as before.
	h.command("/accept")
	h.command("/commit change a again")
	h.run(h.key("enter"))
	if got := gittest.Git(t, h.dir, "show", "HEAD:a.txt"); got != "b" {
		t.Errorf("committed again: a.txt %q", got)
	}
}

func TestCompactAndCostCommands(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never",
		llmtest.Turn{Text: "First answer.", Usage: usage(1000, 100)},
		llmtest.Turn{Text: "Second answer.", Usage: usage(2000, 200)},
		llmtest.Turn{Text: "SUMMARY: the user asked twice.", Usage: usage(500, 50)},
	)
	h.turn("first question")
	h.turn("second question")
	h.command("/compact")
	if h.m.busy {
		t.Fatal("still busy after /compact")
	}
	hist := h.m.eng.Conversation()
	joined := ""
	for _, m := range hist {
		joined += m.Text + "\n"
	}
	if !strings.Contains(joined, "SUMMARY: the user asked twice.") || strings.Contains(joined, "First answer.") {
		t.Errorf("history after /compact:\n%s", joined)
	}
	if !strings.Contains(h.screen(), "compacted the conversation (manual)") {
		t.Errorf("no notice of the compaction:\n%s", h.screen())
	}
	h.command("/cost")
	scr := h.screen()
	for _, want := range []string{"3.5k tokens in", "350 out", "first question", "second question", "/compact", "2.0k in"} {
		if !strings.Contains(scr, want) {
			t.Errorf("/cost lacks %q:\n%s", want, scr)
		}
	}
}

func TestSessionsNewAndResumeSwitchTheSession(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never",
		llmtest.Turn{Text: "Noted: the colour is teal."},
		llmtest.Turn{Text: "Fresh start."},
		llmtest.Turn{Text: "It was teal."},
	)
	h.turn("remember the colour teal")
	first := h.m.Engine().SessionID()
	old := h.m.Engine()
	h.command("/new")
	second := h.m.Engine().SessionID()
	if second == first || strings.Contains(h.screen(), "remember the colour") {
		t.Fatalf("/new kept session %s or its transcript:\n%s", first, h.screen())
	}
	old.Notify("", "from the replaced engine")
	h.drain()
	if strings.Contains(h.screen(), "from the replaced engine") {
		t.Error("an event of the replaced engine reached the screen")
	}
	h.turn("hello")
	if body := string(h.srv.Requests()[1].Body); strings.Contains(body, "teal") {
		t.Errorf("the new session carried the old conversation: %s", body)
	}
	h.command("/sessions")
	scr := h.screen()
	if !strings.Contains(scr, first) || !strings.Contains(scr, "▶ "+second) {
		t.Errorf("/sessions:\n%s", scr)
	}
	h.command("/resume " + first[:len(first)-2])
	if h.m.Engine().SessionID() != first {
		t.Fatalf("resumed %s, want %s", h.m.Engine().SessionID(), first)
	}
	if scr := h.screen(); !strings.Contains(scr, "remember the colour teal") || !strings.Contains(scr, "Noted: the colour is teal.") {
		t.Errorf("the resumed conversation is not shown:\n%s", scr)
	}
	h.turn("which colour?")
	if body := string(h.srv.Requests()[2].Body); !strings.Contains(body, "remember the colour teal") || strings.Contains(body, "hello") {
		t.Errorf("the resumed turn did not continue the first session: %s", body)
	}
	h.command("/resume nosuchsession")
	if !strings.Contains(h.screen(), "/sessions lists") || h.m.Engine().SessionID() != first {
		t.Errorf("a bad id:\n%s", h.screen())
	}
}

func TestModelCommandSwitchesTheNextTurn(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never", llmtest.Turn{Text: "hi"})
	h.command("/model gpt-4.1")
	if !strings.Contains(h.screen(), "The next turn uses openai/gpt-4.1 (context window") || !strings.Contains(h.statusLine(), "gpt-4.1") {
		t.Errorf("/model gpt-4.1:\n%s", h.screen())
	}
	h.command("/model gpt-4.1-mimi")
	if scr := h.screen(); !strings.Contains(scr, "gpt-4.1-mimi is not in the catalogue") || !strings.Contains(scr, "did you mean gpt-4.1-mini") {
		t.Errorf("an unknown id is not warned about:\n%s", scr)
	}
	// The meter measures against the window the loop compacts to, not an unknown 0.
	if _, w := h.m.eng.ContextUsed(); w != 32768 || h.m.usage.ContextLimit != w || !strings.Contains(h.statusLine(), "context left") {
		t.Errorf("an unknown model: engine window %d, meter %d, status %q", w, h.m.usage.ContextLimit, h.statusLine())
	}
	h.turn("hello")
	if body := string(h.srv.Requests()[0].Body); !strings.Contains(body, `"model":"gpt-4.1-mimi"`) {
		t.Errorf("the turn did not use the new model: %s", body)
	}
}

func usage(in, out int64) llm.Usage { return llm.Usage{InputTokens: in, OutputTokens: out} }

func (h *harness) statusLine() string { return stripANSI(h.m.statusLine()) }

func TestCopySelectedMessageAndExpandOneToolCall(t *testing.T) {
	echo := toolCall("run", map[string]any{"command": "echo tool-output-line"})
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never",
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{echo}},
		llmtest.Turn{Text: "First **answer**."},
		llmtest.Turn{Text: "Second answer."},
	)
	h.turn("run echo")
	h.turn("again")
	// Nothing selected: ctrl+y copies the last answer.
	if got, want := h.key("ctrl+y")(), tea.SetClipboard("Second answer.")(); got != want {
		t.Errorf("ctrl+y copied %v, want %v", got, want)
	}
	// alt+up walks up from the bottom, past notices, the answer and the prompt.
	for i := 0; i < 10 && (h.m.tr.Selected() == nil || h.m.tr.Selected().Kind != transcript.Assistant || h.m.tr.Selected().Text != "First **answer**."); i++ {
		h.key("alt+up")
	}
	if e := h.m.tr.Selected(); e == nil || e.Text != "First **answer**." {
		t.Fatalf("selected %+v", e)
	}
	if got, want := h.key("ctrl+y")(), tea.SetClipboard("First **answer**.")(); got != want {
		t.Errorf("ctrl+y copied %v, want %v", got, want)
	}
	if !strings.Contains(h.screen(), "copied the selected message") {
		t.Errorf("no notice:\n%s", h.screen())
	}
	// Up once more is the tool call: ctrl+o expands it alone.
	h.key("alt+up")
	if e := h.m.tr.Selected(); e == nil || e.Kind != transcript.Tool {
		t.Fatalf("selected %+v", e)
	}
	if strings.Contains(h.screen(), "│ tool-output-line") {
		t.Fatal("the output shows before expanding")
	}
	h.key("ctrl+o")
	if !strings.Contains(h.screen(), "│ tool-output-line") || h.m.tr.Expanded() {
		t.Errorf("ctrl+o on the selected tool call (all expanded: %v):\n%s", h.m.tr.Expanded(), h.screen())
	}
	// esc unselects (no turn runs); ctrl+o then toggles every tool call.
	h.key("esc")
	if h.m.tr.Selected() != nil {
		t.Error("esc kept the selection")
	}
	h.key("ctrl+o")
	if !h.m.tr.Expanded() {
		t.Error("ctrl+o with nothing selected did not expand all")
	}
}

func TestNewAsksFirstWhenAcceptedChangesAreUncommitted(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	if err := h.m.eng.EditProposed("a.txt", []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	h.command("/accept")
	first := h.m.Engine().SessionID()
	h.command("/new")
	if h.m.asking == nil || !strings.Contains(h.screen(), "1 accepted file not committed yet (a.txt)") {
		t.Fatalf("/new did not ask:\n%s", h.screen())
	}
	h.run(h.key("n"))
	if h.m.Engine().SessionID() != first {
		t.Fatal("n did not keep the session")
	}
	h.command("/new")
	h.run(h.key("y"))
	if h.m.Engine().SessionID() == first || h.file("a.txt") != "b\n" {
		t.Errorf("y: session %s, a.txt %q", h.m.Engine().SessionID(), h.file("a.txt"))
	}
}

func TestModelPickerListsWhatTheServerOffersAndSwitches(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never", llmtest.Turn{Text: "hi"})
	h.srv.SetModels(map[string]any{"id": "gpt-4.1"}, map[string]any{"id": "qwen-local", "max_model_len": 8192})
	h.command("/model")
	// The model in use is the catalogue's; the server does not list it.
	if scr := h.screen(); !strings.Contains(scr, "› gpt-5-mini (in use)") || !strings.Contains(scr, "400k tokens  not listed;  catalogue: $0.25/$2.00") {
		t.Errorf("the picker does not start on the model in use, marked as not listed:\n%s", scr)
	}
	for range 5 {
		h.run(h.key("pgup"))
	}
	scr := h.screen()
	// The listed models come first, those the catalogue knows before the others.
	for _, want := range []string{"Model now: openai/gpt-5-mini", "Models your credentials can use now, then the catalogue's:",
		"› gpt-4.1 ", "1.0M tokens  catalogue: $2.00/$8.00 per M in/out\n", "qwen-local", "8.2k tokens  not in the catalogue (no price)\n", "1 of "} {
		if !strings.Contains(scr, want) {
			t.Errorf("the picker lacks %q:\n%s", want, scr)
		}
	}
	if strings.Index(scr, "gpt-4.1 ") > strings.Index(scr, "qwen-local") || strings.Index(scr, "qwen-local") > strings.Index(scr, "gpt-5.1") {
		t.Errorf("not listed-known, listed-unknown, catalogue order:\n%s", scr)
	}
	// Typing narrows the list; backspace widens it again.
	h.typeText("qwenx")
	if scr := h.screen(); !strings.Contains(scr, `no model id holds "qwenx"`) {
		t.Errorf("a filter nothing matches:\n%s", scr)
	}
	h.run(h.key("backspace"))
	if scr := h.screen(); !strings.Contains(scr, "› qwen-local") || strings.Contains(scr, "gpt-4.1") || !strings.Contains(scr, "1 of 1") {
		t.Errorf("typing qwen did not narrow the list to qwen-local:\n%s", scr)
	}
	h.run(h.key("enter"))
	if h.m.picker != nil || !strings.Contains(h.statusLine(), "qwen-local") {
		t.Fatalf("enter did not switch:\n%s", h.screen())
	}
	// The meter uses the context the server listed, which the loop compacts to.
	if _, w := h.m.eng.ContextUsed(); h.m.usage.ContextLimit != 8192 || w != 8192 {
		t.Errorf("context limit %d, engine %d; want 8192", h.m.usage.ContextLimit, w)
	}
	h.turn("hello")
	if body := string(h.srv.Requests()[0].Body); !strings.Contains(body, `"model":"qwen-local"`) {
		t.Errorf("the turn did not use the picked model: %s", body)
	}
	if h.m.usage.ContextLimit != 8192 {
		t.Errorf("after a turn the meter's limit is %d, want 8192", h.m.usage.ContextLimit)
	}
}

func TestModelPickerEscClosesAndALateListIsDropped(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	h.srv.SetModels(map[string]any{"id": "gpt-4.1"})
	h.m.input.SetValue("/models")
	cmd := h.key("enter")
	if !strings.Contains(h.screen(), "asking openai which models") {
		t.Errorf("no word that the server is being asked:\n%s", h.screen())
	}
	h.run(h.key("esc"))
	h.run(cmd) // the answer arrives after the picker closed
	if h.m.picker != nil || strings.Contains(h.screen(), "gpt-4.1") || !strings.Contains(h.statusLine(), "gpt-5-mini") {
		t.Errorf("esc did not close the picker, or the late list reopened it:\n%s", h.screen())
	}
}

func TestModelPickerFallsBackToTheCatalogue(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	h.command("/model") // the server lists nothing
	scr := h.screen()
	if !strings.Contains(scr, "openai lists no models for these credentials. The picker shows the catalogue's models instead.") ||
		!strings.Contains(scr, "Models in the catalogue") || !strings.Contains(scr, "› gpt-5-mini (in use)") {
		t.Errorf("an empty list:\n%s", scr)
	}
	h.run(h.key("esc"))

	h.srv.Close() // the server is unreachable now
	h.command("/models")
	scr = h.screen()
	if !strings.Contains(scr, "could not ask openai which models your credentials can use") || !strings.Contains(scr, "Models in the catalogue") {
		t.Errorf("an unreachable server:\n%s", scr)
	}
	h.run(h.key("up"))
	h.run(h.key("enter"))
	if h.m.picker != nil || strings.Contains(h.statusLine(), "gpt-5-mini") {
		t.Errorf("enter did not switch to the catalogue model above:\n%s", h.screen())
	}
}

// The model is told of rejected hunks before what the user typed, but the transcript, live and
// resumed, shows what the user typed, and the commit message's task after resume is that too.
func TestResumedTurnShowsWhatWasTypedNotTheRejectionNote(t *testing.T) {
	h := reviewHarness(t, llmtest.Turn{Text: "ANSWER-ONE"}, llmtest.Turn{Text: "ANSWER-TWO"})
	h.run(h.key("y"))
	h.run(h.key("f"))
	h.typeText("NOTE-ONE")
	h.run(h.key("enter"))
	h.run(h.key("esc"))
	h.typeText("TYPED-TASK")
	h.finish(h.start(h.key("enter")))
	if body := string(h.srv.Requests()[0].Body); !strings.Contains(body, "NOTE-ONE") || !strings.Contains(body, "TYPED-TASK") {
		t.Fatalf("the model was not sent the note and the text: %s", body)
	}
	// A rejection sent alone with F shows as the note.
	h.run(h.m.openReview())
	h.run(h.key("n"))
	h.finish(h.start(h.key("F")))
	if h.m.view == viewReview {
		h.run(h.key("esc"))
	}
	live := h.screen()
	first := h.m.Engine().SessionID()
	h.command("/new")
	h.run(h.key("y")) // the accepted a.txt stays uncommitted
	h.command("/resume " + first)
	scr := h.screen()
	for _, s := range []string{live, scr} {
		if !strings.Contains(s, "› TYPED-TASK") || !strings.Contains(s, "› (review) 1 rejected hunk for the model") {
			t.Errorf("the user's messages are not shown as typed:\n%s", s)
		}
		if strings.Contains(s, "NOTE-ONE") || strings.Contains(s, "rejected the hunks") {
			t.Errorf("the rejection note shows as the user's message:\n%s", s)
		}
	}
	if h.m.lastTask != "TYPED-TASK" {
		t.Errorf("the commit message's task after resume is %q", h.m.lastTask)
	}
}

// A question is read whole at any width: it wraps instead of losing its end.
func TestConfirmQuestionWrapsAtNarrowWidths(t *testing.T) {
	h := reviewHarness(t)
	h.run(h.key("Y"))
	h.run(h.key("esc"))
	h.m.SetSize(60, 24)
	h.command("/new")
	scr := h.screen()
	if !strings.Contains(scr, "uncommitted by hew.") || strings.Contains(scr, "…") {
		t.Errorf("the question lost its end at 60 columns:\n%s", scr)
	}
	for _, l := range strings.Split(scr, "\n") {
		if w := len([]rune(strings.TrimRight(l, " "))); w > 60 {
			t.Errorf("a line of %d columns: %q", w, l)
		}
	}
}
