package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

func stripANSI(s string) string { return ansi.Strip(s) }

const twelve = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\n"

var bothEnds = strings.Replace(strings.Replace(twelve, "one\n", "ONE\n", 1), "twelve\n", "TWELVE\n", 1)

// reviewHarness has two proposed files: a.txt (two hunks) and b.txt (two hunks), in review.
func reviewHarness(t *testing.T, turns ...llmtest.Turn) *harness {
	h := newHarness(t, map[string]string{"a.txt": twelve, "b.txt": twelve}, "never", turns...)
	for _, f := range []string{"a.txt", "b.txt"} {
		if err := h.m.eng.EditProposed(f, []byte(bothEnds)); err != nil {
			t.Fatal(err)
		}
	}
	h.run(h.m.openReview())
	if h.m.view != viewReview {
		t.Fatal("the review did not open")
	}
	return h
}

func (h *harness) pos() (string, int) { return h.m.rv.Position() }

func (h *harness) file(name string) string {
	b, err := os.ReadFile(filepath.Join(h.dir, name))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func TestReviewNavigationKeys(t *testing.T) {
	h := reviewHarness(t)
	if p, i := h.pos(); p != "a.txt" || i != 0 {
		t.Fatalf("start at %s#%d", p, i)
	}
	h.run(h.key("j"))
	if _, i := h.pos(); i != 1 {
		t.Errorf("j: hunk %d", i)
	}
	h.run(h.key("j")) // stays on the last hunk
	h.run(h.key("k"))
	if _, i := h.pos(); i != 0 {
		t.Errorf("k: hunk %d", i)
	}
	h.run(h.key("tab"))
	if p, _ := h.pos(); p != "b.txt" {
		t.Errorf("tab: %s", p)
	}
	h.run(h.key("tab")) // wraps around
	if p, _ := h.pos(); p != "a.txt" {
		t.Errorf("tab wrap: %s", p)
	}
	h.run(h.key("shift+tab"))
	if p, _ := h.pos(); p != "b.txt" {
		t.Errorf("shift+tab: %s", p)
	}
	if h.m.rv.Split() {
		t.Error("split at width 100")
	}
	h.run(h.key("s"))
	if !h.m.rv.Split() || !strings.Contains(h.screen(), "│") {
		t.Error("s did not split the view")
	}
	h.run(h.key("s"))
	if h.m.rv.Split() {
		t.Error("s did not unsplit")
	}
	h.m.SetSize(160, 40)
	if h.m.rv.Split() {
		t.Error("the width overrode the user's choice")
	}
	h.run(h.key("esc"))
	if h.m.view != viewTranscript {
		t.Error("esc did not go back to the transcript")
	}
	h.run(h.key("ctrl+r"))
	if h.m.view != viewReview {
		t.Error("ctrl+r did not open the review")
	}
}

func TestReviewAcceptRejectAndCommitKeys(t *testing.T) {
	h := reviewHarness(t, llmtest.Turn{Text: "Understood."})
	// y writes the first hunk of a.txt into the tree; the second stays proposed.
	h.run(h.key("y"))
	if got := h.file("a.txt"); !strings.HasPrefix(got, "ONE\n") || !strings.HasSuffix(got, "twelve\n") {
		t.Fatalf("a.txt after y:\n%s", got)
	}
	if p, i := h.pos(); p != "a.txt" || i != 0 || len(h.m.rv.Files()[0].Hunks) != 1 {
		t.Fatalf("after y at %s#%d with %+v", p, i, h.m.rv.Files()[0].Hunks)
	}
	// n drops the remaining hunk from the proposal; the tree keeps the accepted one.
	h.run(h.key("n"))
	if got := h.file("a.txt"); !strings.HasSuffix(got, "twelve\n") {
		t.Errorf("n changed the tree: %s", got)
	}
	if fs := h.m.rv.Files(); len(fs) != 1 || fs[0].Change.Path != "b.txt" {
		t.Fatalf("after n: %+v", fs)
	}
	if len(h.m.rejected) != 1 {
		t.Errorf("rejections to tell the model: %d", len(h.m.rejected))
	}
	// c shows the message, built from what was accepted; enter commits exactly that.
	h.run(h.key("c"))
	if h.m.commitDlg == nil || !strings.Contains(h.screen(), "Commit message") {
		t.Fatalf("c did not show the commit dialog:\n%s", h.screen())
	}
	h.run(h.key("enter"))
	if files := gittest.Git(t, h.dir, "show", "--name-only", "--format=", "HEAD"); files != "a.txt" {
		t.Errorf("commit holds %q", files)
	}
	if c := gittest.Git(t, h.dir, "show", "HEAD:a.txt"); !strings.HasPrefix(c, "ONE") || !strings.HasSuffix(c, "twelve") {
		t.Errorf("committed a.txt:\n%s", c)
	}
	if !strings.Contains(h.screen(), "committed") {
		t.Errorf("no commit message on screen:\n%s", h.screen())
	}
	// Y accepts all of b.txt.
	h.run(h.key("Y"))
	if got := h.file("b.txt"); got != bothEnds {
		t.Errorf("b.txt after Y:\n%s", got)
	}
	if !h.m.rv.Empty() {
		t.Error("the proposal is not empty")
	}
	// The next message tells the model about the rejected hunk.
	h.run(h.key("esc"))
	h.typeText("thanks")
	ch := h.start(h.key("enter"))
	h.finish(ch)
	body := string(h.srv.Requests()[0].Body)
	if !strings.Contains(body, "rejected") || !strings.Contains(body, "+TWELVE") || !strings.Contains(body, "thanks") {
		t.Errorf("the model was not told of the rejection: %s", body)
	}
}

func TestReviewRejectFileAndFeedbackKeys(t *testing.T) {
	h := reviewHarness(t, llmtest.Turn{Text: "I will keep them lower case."})
	h.run(h.key("N"))
	if fs := h.m.rv.Files(); len(fs) != 1 || fs[0].Change.Path != "b.txt" {
		t.Fatalf("after N: %+v", fs)
	}
	if h.file("a.txt") != twelve {
		t.Error("N changed the tree")
	}
	// f takes a note; enter rejects the hunk and keeps the note: no turn starts.
	h.run(h.key("f"))
	if !h.m.rv.Noting() {
		t.Fatal("f did not ask for a note")
	}
	h.typeText("keep lower case")
	h.run(h.key("backspace"))
	h.typeText("e")
	h.run(h.key("enter"))
	if h.m.busy || h.m.view != viewReview || len(h.srv.Requests()) != 0 {
		t.Fatal("the note started a turn")
	}
	if !strings.Contains(h.screen(), "(note kept) · F tells the model now") || !strings.Contains(h.statusLine(), "note for the model waiting") {
		t.Errorf("the review does not say the note waits:\n%s", h.screen())
	}
	// f again edits the batch's one note.
	h.run(h.key("f"))
	if !strings.Contains(h.screen(), "keep lower case█") {
		t.Errorf("f does not show the batch's note to edit:\n%s", h.screen())
	}
	h.typeText(", please")
	h.run(h.key("enter"))
	// F sends the batch: one message, one note, every rejected hunk.
	turn := h.key("F")
	if h.m.view != viewTranscript || !h.m.busy {
		t.Fatal("F did not start a turn")
	}
	h.finish(h.start(turn))
	if n := len(h.srv.Requests()); n != 1 {
		t.Fatalf("%d requests, want one message for the batch", n)
	}
	body := string(h.srv.Requests()[0].Body)
	for _, want := range []string{"keep lower case, please", "a.txt", "b.txt", "+ONE", "+TWELVE"} {
		if !strings.Contains(body, want) {
			t.Errorf("the feedback lacks %q: %s", want, body)
		}
	}
	if n := strings.Count(body, "keep lower case"); n != 1 {
		t.Errorf("the note is sent %d times", n)
	}
	if len(h.m.rejected) != 0 || h.m.pendingNote != "" {
		t.Error("the batch is still waiting after it was sent")
	}
	h.run(h.key("esc"))
	if !strings.Contains(h.screen(), "I will keep them lower case.") {
		t.Errorf("the answer is not on screen:\n%s", h.screen())
	}
}

func TestReviewEditKeyOpensTheEditor(t *testing.T) {
	h := reviewHarness(t)
	t.Setenv("VISUAL", "")
	editor := filepath.Join(t.TempDir(), "editor")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\n# $1 is +LINE\ntest \"$1\" = +1 || exit 3\nsed -i s/ONE/One/ \"$2\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", editor)
	// tea.ExecProcess needs a running program; run the editor as it would, without the terminal.
	var edited string
	h.m.execProcess = func(c *exec.Cmd, done tea.ExecCallback) tea.Cmd {
		edited = c.Args[len(c.Args)-1]
		return func() tea.Msg { return done(c.Run()) }
	}
	h.run(h.key("e"))
	got, err := h.m.eng.ProposedFile("a.txt")
	if err != nil || !strings.HasPrefix(string(got), "One\n") {
		t.Errorf("the edit did not reach the proposal: %q %v", got, err)
	}
	if !strings.Contains(h.screen(), "edited a.txt") || h.m.op != "" {
		t.Errorf("op %q after the edit; screen:\n%s", h.m.op, h.screen())
	}
	if _, err := os.Stat(filepath.Dir(edited)); !os.IsNotExist(err) {
		t.Errorf("the temporary copy %s is left: %v", edited, err)
	}
}

func TestApprovalAllowOnceAndDenyWithNote(t *testing.T) {
	curl := toolCall("run", map[string]any{"command": "curl -s http://127.0.0.1:1/ || echo offline"})
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "on-request",
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{curl}},
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{curl}},
		llmtest.Turn{Text: "done"},
	)
	h.typeText("fetch it")
	ch := h.start(h.key("enter"))
	h.waitApproval()
	if !strings.Contains(h.screen(), "Run curl") || !strings.Contains(h.screen(), "network") {
		t.Errorf("the question is not on screen:\n%s", h.screen())
	}
	h.run(h.key("a")) // allow once
	h.waitApproval()  // asked again: allowing once is not for the session
	h.run(h.key("n"))
	h.typeText("no network")
	h.run(h.key("enter"))
	h.finish(ch)
	reqs := h.srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	if b := string(reqs[1].Body); !strings.Contains(b, "offline") && !strings.Contains(b, "exit code") {
		t.Errorf("the allowed command did not run: %s", b)
	}
	if b := string(reqs[2].Body); !strings.Contains(b, "denied") || !strings.Contains(b, "no network") {
		t.Errorf("the denial did not reach the model: %s", b)
	}
	scr := h.screen()
	if !strings.Contains(scr, "allowed once") || !strings.Contains(scr, "denied: curl") {
		t.Errorf("the decisions are not in the transcript:\n%s", scr)
	}
}

func TestApprovalForSession(t *testing.T) {
	curl := toolCall("run", map[string]any{"command": "curl -s http://127.0.0.1:1/ || true"})
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "on-request",
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{curl}},
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{curl}},
		llmtest.Turn{Text: "done"},
	)
	h.typeText("fetch twice")
	ch := h.start(h.key("enter"))
	h.waitApproval()
	h.run(h.key("s"))
	h.finish(ch) // the second run was not asked about
	if n := len(h.srv.Requests()); n != 3 {
		t.Errorf("%d requests", n)
	}
}

func TestEscInterruptsTheTurnAndCtrlCTwiceQuits(t *testing.T) {
	sleep := toolCall("run", map[string]any{"command": "sleep 30"})
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never",
		llmtest.Turn{Text: "Let me wait.", ToolCalls: []llmtest.ToolCall{sleep}},
	)
	h.typeText("wait")
	ch := h.start(h.key("enter"))
	// Wait for the command to start, then interrupt.
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(h.screen(), "sleep 30"); {
		if time.Now().After(deadline) {
			t.Fatalf("the tool never started:\n%s", h.screen())
		}
		time.Sleep(10 * time.Millisecond)
		h.drain()
	}
	start := time.Now()
	h.run(h.key("esc"))
	h.finish(ch)
	if time.Since(start) > 10*time.Second || h.m.busy {
		t.Errorf("esc did not stop the turn quickly (%s)", time.Since(start))
	}
	scr := h.screen()
	if !strings.Contains(scr, "Let me wait.") || !strings.Contains(scr, "interrupted") {
		t.Errorf("partial text or the interruption missing:\n%s", scr)
	}
	// ctrl+c once warns, another key disarms, twice quits.
	if cmd := h.key("ctrl+c"); cmd != nil {
		t.Error("one ctrl+c quit")
	}
	h.key("x")
	if cmd := h.key("ctrl+c"); cmd != nil {
		t.Error("ctrl+c after another key quit")
	}
	cmd := h.key("ctrl+c")
	if cmd == nil {
		t.Fatal("ctrl+c twice did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("ctrl+c twice did not return tea.Quit")
	}
}

func TestSlashCommandsAndCompletion(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	h.typeText("/rev")
	if !strings.Contains(h.screen(), "/review") {
		t.Errorf("no completion shown:\n%s", h.screen())
	}
	h.key("tab")
	if v := h.m.input.Value(); v != "/review " {
		t.Errorf("tab completed to %q", v)
	}
	h.m.SetSize(100, 120) // room for the whole of /help
	h.m.input.SetValue("/help")
	h.run(h.key("enter"))
	if scr := h.screen(); !strings.Contains(scr, "/compact") || !strings.Contains(scr, "/rewind [N|ID]") || strings.Contains(scr, "not available") ||
		!strings.Contains(scr, "ctrl+y  ") || !strings.Contains(scr, "pgup/ctrl+u  ") {
		t.Errorf("/help:\n%s", scr)
	}
	h.m.SetSize(100, 30)
	if err := h.m.eng.EditProposed("a.txt", []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ line, want string }{
		{"/diff", "+b"},
		{"/sandbox", "Sandbox:"},
		{"/cost", "Cost: $"},
		{"/model gpt-5-mini", "The next turn uses openai/gpt-5-mini"},
		{"/approvals untrusted", "Approval mode: untrusted"},
		{"/mcp", "No MCP servers are configured"},
		{"/bogus", "unknown command /bogus"},
		{"/accept", "Accepted 1 file"},
	} {
		h.m.input.SetValue(c.line)
		h.run(h.key("enter"))
		if !strings.Contains(h.screen(), c.want) {
			t.Errorf("%s: screen lacks %q:\n%s", c.line, c.want, h.screen())
		}
	}
	if h.file("a.txt") != "b\n" {
		t.Error("/accept did not write the file")
	}
	h.m.input.SetValue("/commit accept b")
	h.run(h.key("enter"))
	if h.m.commitDlg == nil || h.m.commitDlg.msg.Value() != "accept b" {
		t.Fatalf("/commit MESSAGE did not show its message to confirm:\n%s", h.screen())
	}
	h.run(h.key("enter"))
	h.run(h.key("esc"))
	if s := gittest.Git(t, h.dir, "log", "-1", "--format=%s"); s != "accept b" {
		t.Errorf("/commit: subject %q", s)
	}
	// History: up brings back the last line.
	h.key("up")
	if v := h.m.input.Value(); v != "/commit accept b" {
		t.Errorf("history: %q", v)
	}
	h.m.input.SetValue("/quit")
	if cmd := h.key("enter"); cmd == nil {
		t.Error("/quit did not quit")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("/quit did not return tea.Quit")
	}
}

func TestIdleUISchedulesNothing(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	// Typing schedules no cursor blink; a stray spinner tick is not renewed when no turn runs.
	for _, k := range []string{"h", "i", "backspace"} {
		if cmd := h.key(k); cmd != nil {
			if msg := cmd(); msg != nil {
				t.Errorf("key %s scheduled %T", k, msg)
			}
		}
	}
	if _, cmd := h.m.Update(h.m.spin.Tick()); cmd != nil {
		t.Error("a spinner tick with no turn running scheduled another")
	}
}

// TestReviewCommitAfterAcceptingTheOnlyHunk is the lead's sequence: one proposed hunk, y
// accepts it and empties the proposal, and c must still commit it.
func TestReviewCommitAfterAcceptingTheOnlyHunk(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": twelve}, "never")
	head := gittest.Git(t, h.dir, "rev-parse", "HEAD")
	one := strings.Replace(twelve, "one\n", "ONE\n", 1)
	if err := h.m.eng.EditProposed("a.txt", []byte(one)); err != nil {
		t.Fatal(err)
	}
	h.run(h.m.openReview())
	if h.m.view != viewReview || len(h.m.rv.Files()) != 1 || len(h.m.rv.Files()[0].Hunks) != 1 {
		t.Fatalf("review of one hunk: view %d, %+v", h.m.view, h.m.rv.Files())
	}
	h.run(h.key("y"))
	if !h.m.rv.Empty() || h.file("a.txt") != one {
		t.Fatalf("after y: empty %v, a.txt %q", h.m.rv.Empty(), h.file("a.txt"))
	}
	if scr := h.screen(); !strings.Contains(scr, "1 file accepted and not committed: c commits") {
		t.Errorf("the emptied review does not offer the commit:\n%s", scr)
	}
	h.run(h.key("c"))
	h.run(h.key("enter"))
	if got := gittest.Git(t, h.dir, "rev-parse", "HEAD~1"); got != head {
		t.Fatalf("c made no commit on top of %s (HEAD~1 is %s)", head, got)
	}
	if files := gittest.Git(t, h.dir, "show", "--name-only", "--format=", "HEAD"); files != "a.txt" {
		t.Errorf("commit holds %q", files)
	}
	if c := gittest.Git(t, h.dir, "show", "HEAD:a.txt"); c+"\n" != one {
		t.Errorf("committed a.txt:\n%s", c)
	}
	if st := gittest.Git(t, h.dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status %q after the commit", st)
	}
	if len(h.m.eng.Accepted()) != 0 || !strings.Contains(h.screen(), "✓ committed") {
		t.Errorf("accepted %v after the commit; screen:\n%s", h.m.eng.Accepted(), h.screen())
	}
	// With nothing accepted any more, the review no longer opens on an empty proposal.
	h.run(h.key("esc"))
	h.run(h.key("ctrl+r"))
	if h.m.view != viewTranscript || !strings.Contains(h.screen(), "nothing to review") {
		t.Errorf("ctrl+r on an empty proposal: view %d\n%s", h.m.view, h.screen())
	}
}
