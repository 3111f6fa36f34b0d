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

// A resumed session commits exactly the hunks it accepted before it closed: not the hunk it left
// pending, not the user's edits to other files, and not a file the user changed after accepting.
func TestResumedSessionCommitsWhatItAcceptedBefore(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines, "b.txt": tenLines, "mine.txt": "mine\n"})
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "ok"}))
	ctx := context.Background()
	e, err := engine.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Send(ctx, "change a and b"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"a.txt", "b.txt"} {
		if err := e.LayerForTest().WriteFile(f, []byte(twoHunks), 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Review(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ResolveHunks("a.txt", []int{0}, nil); err != nil { // the first hunk only
		t.Fatal(err)
	}
	if _, err := e.Accept([]string{"b.txt"}); err != nil {
		t.Fatal(err)
	}
	id := e.SessionID()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// Meanwhile the user edits a file of their own and the accepted b.txt.
	os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("my edit\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte(twoHunks+"user line\n"), 0o644)

	var got []event.Event
	o.Sinks = []event.Sink{event.SinkFunc(func(ev event.Event) { got = append(got, ev) })}
	r, err := engine.Resume(ctx, o, id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if acc := r.Accepted(); len(acc) != 1 || acc[0] != "a.txt" {
		t.Fatalf("accepted after resume = %v, want [a.txt]", acc)
	}
	var warned bool
	for _, ev := range got {
		if n, ok := ev.(event.Notice); ok && strings.Contains(n.Text, "b.txt") && n.Level == "warn" {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no notice names b.txt, changed since it was accepted: %v", got)
	}
	if _, err := r.Commit(ctx, nil, "Capitalise one", ""); err != nil {
		t.Fatal(err)
	}
	if files := gittest.Git(t, dir, "show", "--name-only", "--format=", "HEAD"); files != "a.txt" {
		t.Errorf("the commit holds %q, want a.txt only", files)
	}
	want := strings.Replace(tenLines, "one\n", "ONE\n", 1)
	if got := gittest.Git(t, dir, "show", "HEAD:a.txt"); got+"\n" != want {
		t.Errorf("committed a.txt:\n%s\nwant:\n%s", got, want)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); !strings.Contains(st, "M b.txt") || !strings.Contains(st, "M mine.txt") || strings.Contains(st, "a.txt") {
		t.Errorf("git status after the commit:\n%s", st)
	}
	// Committed: a later resume has nothing left to commit.
	r.Close()
	r2, err := engine.Resume(ctx, o, id)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if acc := r2.Accepted(); len(acc) != 0 {
		t.Errorf("accepted after the commit and a resume = %v", acc)
	}
}

// A session closed before anything was asked (hew started and quit, or /new at once) is not
// kept: it is neither listed nor left in the sessions index.
func TestASessionWithNothingAskedIsNotKept(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines})
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "ok"}))
	ctx := context.Background()
	asked, err := engine.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asked.Send(ctx, "hello"); err != nil {
		t.Fatal(err)
	}
	asked.Close()
	empty, err := engine.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if infos, _ := empty.Sessions(); len(infos) != 2 { // the running one is listed
		t.Errorf("sessions while the empty one runs: %d, want 2", len(infos))
	}
	if err := empty.Close(); err != nil {
		t.Fatal(err)
	}
	infos, err := empty.Sessions()
	if err != nil || len(infos) != 1 || infos[0].ID != asked.SessionID() {
		t.Fatalf("sessions after closing the empty one: %+v %v, want only %s", infos, err, asked.SessionID())
	}
	index, err := os.ReadFile(filepath.Join(filepath.Dir(infos[0].Path), "index.json"))
	if err != nil || strings.Contains(string(index), empty.SessionID()) || !strings.Contains(string(index), asked.SessionID()) {
		t.Errorf("the sessions index still names the empty session or lost the other (%v):\n%s", err, index)
	}
}
