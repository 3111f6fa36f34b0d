package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/agent/engine"
	"hew/agent/engine/enginetest"
	"hew/agent/event"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// TestTestCommitRunsOnExactlyWhatWillBeCommitted: the tests before a commit see HEAD with the
// accepted hunk only — not the rejected or pending hunks, not the user's own edits, not an
// untracked file — and the last result goes stale at every decision.
func TestTestCommitRunsOnExactlyWhatWillBeCommitted(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines, "b.txt": tenLines, "notes.md": "mine\n"})
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t))
	// The "test suite" prints what it sees.
	o.Config.TestCmd = "head -1 a.txt; sed -n 6p a.txt; tail -1 a.txt; head -1 b.txt; cat notes.md; ls"
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	gittest.WriteFile(t, filepath.Join(dir, "notes.md"), "my edit\n")
	// The user's own edit in a.txt, which the proposal keeps and the commit leaves out.
	mine := strings.Replace(tenLines, "six\n", "SIX (mine)\n", 1)
	gittest.WriteFile(t, filepath.Join(dir, "a.txt"), mine)
	gittest.WriteFile(t, filepath.Join(dir, "scratch.txt"), "untracked\n")
	if err := e.LayerForTest().WriteFile("a.txt", []byte(strings.Replace(twoHunks, "six\n", "SIX (mine)\n", 1)), 0); err != nil {
		t.Fatal(err)
	}
	if err := e.LayerForTest().WriteFile("b.txt", []byte(twoHunks), 0); err != nil {
		t.Fatal(err)
	}
	tr, err := e.RunTests(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if st := e.TestStatus(); st.Run == nil || st.Stale || st.On != engine.TestedProposal {
		t.Fatalf("after a run on the proposal: %+v", st)
	}
	if !strings.Contains(tr.Output, "TWELVE") {
		t.Errorf("the proposal's run did not see the proposal:\n%s", tr.Output)
	}
	if _, err := e.ResolveHunks("a.txt", []int{0}, []int{1}); err != nil {
		t.Fatal(err)
	}
	if st := e.TestStatus(); !st.Stale {
		t.Fatalf("the result is not stale after a decision: %+v", st)
	}
	tr, cached, err := e.TestCommit(context.Background(), 0)
	if err != nil || cached {
		t.Fatalf("TestCommit: cached %v, %v", cached, err)
	}
	if want := "ONE\nsix\ntwelve\none\nmine\na.txt\nb.txt\nnotes.md\n"; tr.Output != want {
		t.Errorf("the tests saw:\n%s\nwant (HEAD with the accepted hunk only):\n%s", tr.Output, want)
	}
	if st := e.TestStatus(); st.Stale || st.On != engine.TestedCommit {
		t.Errorf("after TestCommit: %+v", st)
	}
	if _, cached, _ := e.TestCommit(context.Background(), 0); !cached {
		t.Error("nothing changed, yet the tests ran again")
	}
	// Nothing of the user's was touched, and the proposal keeps b.txt.
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != strings.Replace(mine, "one\n", "ONE\n", 1) {
		t.Errorf("a.txt %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.md")); string(b) != "my edit\n" {
		t.Errorf("notes.md %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "scratch.txt")); err != nil {
		t.Error(err)
	}
	if ch, _ := e.Changes(); len(ch) != 1 || ch[0].Path != "b.txt" {
		t.Errorf("the proposal after TestCommit: %+v", ch)
	}
	// What was tested is what is committed.
	if _, err := e.Commit(context.Background(), nil, "x", ""); err != nil {
		t.Fatal(err)
	}
	if got := gittest.Git(t, dir, "show", "HEAD:a.txt") + "\n"; got != twoHunksFirstOnly {
		t.Errorf("committed a.txt:\n%s", got)
	}
}

// twoHunksFirstOnly is tenLines with the first hunk of twoHunks.
var twoHunksFirstOnly = strings.Replace(tenLines, "one\n", "ONE\n", 1)

// TestCommitMessageListsOnlyWhatWasAccepted and undo gives the change back as a proposal.
func TestCommitMessageAndUndoToProposal(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines})
	e, events := newEngine(t, dir)
	if err := e.LayerForTest().WriteFile("a.txt", []byte(twoHunks), 0); err != nil {
		t.Fatal(err)
	}
	if err := e.LayerForTest().WriteFile("new.txt", []byte("x\ny\n"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ResolveHunks("a.txt", []int{1}, []int{0}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accept([]string{"new.txt"}); err != nil {
		t.Fatal(err)
	}
	msg := e.CommitMessage(context.Background(), "make the last word loud.\nAnd more.")
	// A hunk was rejected: the task does not describe the commit, so the subject names files.
	want := "Update a.txt, new.txt\n\nChanges:\n- a.txt: modified, line 12 (+1 -1)\n- new.txt: added (+2)\n\n" +
		"Part of the task (other changes proposed for it were rejected or are still pending): make the last word loud.\nAnd more."
	if msg != want {
		t.Errorf("message:\n%s\nwant:\n%s", msg, want)
	}
	// A writer of its own (the seam for a model) is used; its failure falls back.
	e.SetCommitMessageWriter(func(_ context.Context, d engine.CommitDraft) (string, error) {
		return "custom: " + d.Changes[0].Path, nil
	})
	if got := e.CommitMessage(context.Background(), "x"); got != "custom: a.txt" {
		t.Errorf("writer's message %q", got)
	}
	e.SetCommitMessageWriter(nil)

	// Without a rejection, the task is the subject.
	whole := engine.DescribeCommit(engine.CommitDraft{Task: "make the last word loud.", Changes: []engine.CommitChange{{Path: "a.txt", Op: "modified", Added: 1, Removed: 1, Hunks: []string{"12"}}}})
	if want := "Make the last word loud\n\nChanges:\n- a.txt: modified, line 12 (+1 -1)\n\nTask: make the last word loud."; whole != want {
		t.Errorf("message:\n%s\nwant:\n%s", whole, want)
	}

	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	if _, err := e.Commit(context.Background(), nil, msg, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Undo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := gittest.Git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Fatalf("HEAD after undo %s", got)
	}
	files, err := e.Review()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Change.Path != "a.txt" || len(files[0].Hunks) != 1 || files[0].Hunks[0].Lines[len(files[0].Hunks[0].Lines)-1].Text != "TWELVE" ||
		files[1].Change.Path != "new.txt" || string(files[1].Change.New) != "x\ny\n" {
		t.Fatalf("the review after undo: %+v", files)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status after undo %q", st)
	}
	last := (*events)[len(*events)-1]
	found := false
	for _, ev := range *events {
		if pc, ok := ev.(event.ProposalChanged); ok && pc.Cause == event.CauseUndo {
			found = true
		}
	}
	if !found {
		t.Errorf("no proposal_changed with cause undo; last event %#v", last)
	}
}

// TestCommitReusesTheRunOfTheSameFiles: when every hunk of a tested proposal is accepted, what
// will be committed is the tree the tests saw (equal tree hashes), and the result stands; when
// the trees differ — here by the user's own uncommitted edit, which the proposal's run saw and
// the commit leaves out — the tests run again.
func TestCommitReusesTheRunOfTheSameFiles(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines, "notes.md": "mine\n"})
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t))
	o.Config.TestCmd = "cat a.txt new.txt notes.md; date +%s%N" // a run's output is its own
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.LayerForTest().WriteFile("a.txt", []byte(twoHunks), 0); err != nil {
		t.Fatal(err)
	}
	if err := e.LayerForTest().WriteFile("new.txt", []byte("new\n"), 0); err != nil {
		t.Fatal(err)
	}
	tested, err := e.RunTests(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ResolveHunks("a.txt", []int{0}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ResolveHunks("a.txt", []int{0}, nil); err != nil { // the second, now first
		t.Fatal(err)
	}
	if _, err := e.Accept([]string{"new.txt"}); err != nil {
		t.Fatal(err)
	}
	tr, cached, err := e.TestCommit(context.Background(), 0)
	if err != nil || !cached || tr.Output != tested.Output {
		t.Fatalf("all accepted: cached %v, %v; output\n%s\nwant the tested run's\n%s", cached, err, tr.Output, tested.Output)
	}
	if st := e.TestStatus(); st.Stale || st.On != engine.TestedCommit {
		t.Errorf("the reused result is not of what will be committed: %+v", st)
	}
	if _, err := e.Commit(context.Background(), nil, "x", ""); err != nil {
		t.Fatal(err)
	}

	// The user's own edit is in the proposal's run, not in the commit: the tests run again.
	gittest.WriteFile(t, filepath.Join(dir, "notes.md"), "my edit\n")
	if err := e.LayerForTest().WriteFile("new.txt", []byte("newer\n"), 0); err != nil {
		t.Fatal(err)
	}
	tested, err = e.RunTests(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accept([]string{"new.txt"}); err != nil {
		t.Fatal(err)
	}
	tr, cached, err = e.TestCommit(context.Background(), 0)
	if err != nil || cached || tr.Output == tested.Output || !strings.Contains(tr.Output, "newer\nmine\n") {
		t.Errorf("with an edit the commit leaves out: cached %v, %v; output\n%s", cached, err, tr.Output)
	}
}
