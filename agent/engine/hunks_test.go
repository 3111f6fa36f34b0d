package engine_test

import (
	"context"
	"errors"
	"fmt"
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

// testRepo makes a git repository with one commit holding files.
func testRepo(t *testing.T, files map[string]string) string { return gittest.NewRepo(t, files) }

// newEngine starts a session in dir against a fake OpenAI server answering turns, recording
// the events it emits.
func newEngine(t *testing.T, dir string, turns ...llmtest.Turn) (*engine.Engine, *[]event.Event) {
	t.Helper()
	o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t, turns...))
	var got []event.Event
	o.Sinks = []event.Sink{event.SinkFunc(func(ev event.Event) { got = append(got, ev) })}
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, &got
}

const tenLines = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\n"

// twoHunks is tenLines with its first and last lines changed: two hunks at context 3.
var twoHunks = strings.Replace(strings.Replace(tenLines, "one\n", "ONE\n", 1), "twelve\n", "TWELVE\n", 1)

func TestResolveHunksAcceptsOneHunkAndKeepsTheOtherPending(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines})
	e, events := newEngine(t, dir)
	if err := e.LayerForTest().WriteFile("a.txt", []byte(twoHunks), 0); err != nil {
		t.Fatal(err)
	}
	files, err := e.Review()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || len(files[0].Hunks) != 2 || files[0].Added != 2 || files[0].Removed != 2 {
		t.Fatalf("review: %+v", files)
	}
	res, err := e.ResolveHunks("a.txt", []int{0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accepted) != 1 || res.Remaining != 1 {
		t.Fatalf("resolution: %+v", res)
	}
	// The tree has the first hunk only, as git sees it.
	if d := gittest.Git(t, dir, "diff", "--numstat"); d != "1\t1\ta.txt" {
		t.Errorf("git diff --numstat = %q", d)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "a.txt"))
	if !strings.HasPrefix(string(b), "ONE\n") || !strings.HasSuffix(string(b), "twelve\n") {
		t.Errorf("tree content:\n%s", b)
	}
	// The proposal holds the second hunk, relative to the new tree.
	files, _ = e.Review()
	if len(files) != 1 || len(files[0].Hunks) != 1 || files[0].Hunks[0].Lines[len(files[0].Hunks[0].Lines)-1].Text != "TWELVE" {
		t.Fatalf("pending after accept: %+v", files)
	}
	var sawAccepted bool
	for _, ev := range *events {
		if a, ok := ev.(event.Accepted); ok && a.Files[0] == "a.txt" {
			sawAccepted = true
		}
	}
	if !sawAccepted {
		t.Error("no accepted event")
	}

	// Rejecting the last hunk empties the proposal and leaves the tree alone.
	res, err = e.ResolveHunks("a.txt", nil, []int{0})
	if err != nil || len(res.Rejected) != 1 || res.Remaining != 0 {
		t.Fatalf("reject: %+v %v", res, err)
	}
	if files, _ := e.Review(); len(files) != 0 {
		t.Errorf("proposal not empty: %+v", files)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "a.txt"))
	if string(after) != string(b) {
		t.Error("rejecting changed the tree")
	}
	note, err := engine.RejectionNote([]engine.Resolution{res}, "keep twelve lowercase")
	if err != nil || !strings.Contains(note, "+TWELVE") || !strings.Contains(note, "keep twelve lowercase") || !strings.Contains(note, "a.txt") {
		t.Errorf("note %q, %v", note, err)
	}
}

func TestResolveHunksWholeFilesAndErrors(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines, "gone.txt": "bye\n"})
	e, _ := newEngine(t, dir)
	if err := e.LayerForTest().Remove("gone.txt"); err != nil {
		t.Fatal(err)
	}
	if err := e.LayerForTest().WriteFile("new.txt", []byte("hello\n"), 0); err != nil {
		t.Fatal(err)
	}
	if err := e.LayerForTest().WriteFile("a.txt", []byte(twoHunks), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ResolveHunks("a.txt", []int{5}, nil); err == nil || !strings.Contains(err.Error(), "no hunk 6") {
		t.Errorf("bad index: %v", err)
	}
	if _, err := e.ResolveHunks("a.txt", []int{0}, []int{0}); err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("both: %v", err)
	}
	if _, err := e.ResolveHunks("nope.txt", []int{0}, nil); err == nil || !strings.Contains(err.Error(), "not in the proposal") {
		t.Errorf("missing: %v", err)
	}
	files, _ := e.Review()
	if len(files) != 3 || !files[1].Whole || files[1].Change.Path != "gone.txt" {
		t.Fatalf("review: %+v", files)
	}
	if _, err := e.ResolveHunks("gone.txt", []int{0}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ResolveHunks("new.txt", []int{0}, nil); err != nil {
		t.Fatal(err)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "D gone.txt\n?? new.txt" {
		t.Errorf("git status = %q", st)
	}
	got, err := e.Reject(nil)
	if err != nil || len(got) != 1 || got[0] != "a.txt" {
		t.Fatalf("reject all: %v %v", got, err)
	}
	if files, _ := e.Review(); len(files) != 0 {
		t.Errorf("proposal not empty: %+v", files)
	}
	if _, err := engine.RejectionNote(nil, ""); !errors.Is(err, engine.ErrNoRejections) {
		t.Errorf("empty note: %v", err)
	}
}

func TestReviewWithCacheReusesHunksOfUnchangedFilesOnly(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines, "b.txt": tenLines})
	e, _ := newEngine(t, dir)
	for _, f := range []string{"a.txt", "b.txt"} {
		if err := e.LayerForTest().WriteFile(f, []byte(twoHunks), 0); err != nil {
			t.Fatal(err)
		}
	}
	var c engine.ReviewCache
	first, err := e.ReviewWith(&c)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := e.Review()
	if len(first) != 2 || len(plain) != 2 || first[0].Added != plain[0].Added || len(first[1].Hunks) != len(plain[1].Hunks) {
		t.Fatalf("cached review %+v differs from %+v", first, plain)
	}
	// b.txt changes in the proposal, a.txt in the working tree; only an untouched file is reused.
	if err := e.LayerForTest().WriteFile("b.txt", []byte(strings.Replace(twoHunks, "five", "FIVE", 1)), 0); err != nil {
		t.Fatal(err)
	}
	again, err := e.ReviewWith(&c)
	if err != nil {
		t.Fatal(err)
	}
	if &again[0].Hunks[0] != &first[0].Hunks[0] {
		t.Error("a.txt was diffed again though nothing changed")
	}
	if len(again[1].Hunks) != 1 || again[1].Added != 3 {
		t.Errorf("b.txt's new content was not diffed: %+v", again[1])
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(strings.Replace(tenLines, "one\n", "ONE\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := e.ReviewWith(&c)
	if err != nil {
		t.Fatal(err)
	}
	if len(third[0].Hunks) != 1 || third[0].Added != 1 {
		t.Errorf("a.txt after the user's edit: %+v", third[0])
	}
}

// The session's defaults come from the repository root, whichever subdirectory the session
// starts in.
func TestDefaultsComeFromTheRepositoryRoot(t *testing.T) {
	dir := testRepo(t, map[string]string{"go.mod": "module x\n", "pkg/deep/a.go": "package deep\n"})
	o := enginetest.Options(t, filepath.Join(dir, "pkg", "deep"), llmtest.NewOpenAIServer(t))
	e, err := engine.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if d := e.Defaults(); d.TestCmd != "go test ./..." || !d.TestCmdDetected || d.Accept != engine.AcceptTests {
		t.Errorf("defaults from a subdirectory: %+v", d)
	}
	o.Config.Accept = engine.AcceptTests
	o.Dir = testRepo(t, map[string]string{"README.md": "no tests here\n"})
	if _, err := engine.New(context.Background(), o); !errors.Is(err, engine.ErrUsage) || !strings.Contains(err.Error(), "test_cmd") {
		t.Errorf("accept = tests without a test command: %v", err)
	}
}

// Every change to the proposal made through the engine's verbs is reported, with its cause,
// and lands in the session log.
func TestProposalChangesAreReportedAndLogged(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": tenLines, "b.txt": tenLines})
	e, got := newEngine(t, dir)
	if err := e.EditProposed("a.txt", []byte(twoHunks)); err != nil {
		t.Fatal(err)
	}
	if err := e.EditProposed("b.txt", []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reject([]string{"b.txt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accept([]string{"a.txt"}); err != nil {
		t.Fatal(err)
	}
	var causes []string
	for _, ev := range *got {
		if pc, ok := ev.(event.ProposalChanged); ok {
			causes = append(causes, pc.Cause+":"+pc.Path)
		}
	}
	if want := "editor:a.txt editor:b.txt reject: accept:"; strings.Join(causes, " ") != want {
		t.Errorf("proposal changes reported: %q, want %q", strings.Join(causes, " "), want)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	infos, err := e.Sessions()
	if err != nil || len(infos) != 1 {
		t.Fatalf("sessions: %v %v", infos, err)
	}
	raw, err := os.ReadFile(infos[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"cause":"editor","path":"a.txt"`, `"cause":"reject"`, `"cause":"accept"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the session log lacks %s", want)
		}
	}
}

// After the user rejects the model's change, the model making the same change again is
// reported again: the engine tells the loop what it reported.
func TestAChangeMadeAgainAfterARejectIsReported(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "alpha\n"})
	edit := llmtest.ToolCall{Name: "apply_patch", Arguments: `{"patch":"*** Begin Patch\n*** Update File: a.txt\n@@\n-alpha\n+ALPHA\n*** End Patch"}`}
	e, got := newEngine(t, dir,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{edit}}, llmtest.Turn{Text: "edited"},
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{edit}}, llmtest.Turn{Text: "edited again"})
	if _, err := e.Send(context.Background(), "edit"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reject(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Send(context.Background(), "edit it again"); err != nil {
		t.Fatal(err)
	}
	var causes []string
	for _, ev := range *got {
		if pc, ok := ev.(event.ProposalChanged); ok {
			causes = append(causes, fmt.Sprintf("%s:%d", pc.Cause, len(pc.Files)))
		}
	}
	if want := "tools:1 reject:0 tools:1"; strings.Join(causes, " ") != want {
		t.Errorf("proposal reports %q, want %q", strings.Join(causes, " "), want)
	}
}
