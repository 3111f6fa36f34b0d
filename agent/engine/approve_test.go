package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hew/agent/engine"
)

func TestApprovalGate(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	e, _ := newEngine(t, dir)
	var asked []engine.ApprovalRequest
	answer, note := engine.Deny, ""
	if err := e.SetApprover("sometimes", nil); err == nil || !strings.Contains(err.Error(), "untrusted, on-request or never") {
		t.Errorf("bad mode: %v", err)
	}
	if err := e.SetApprover("", func(ctx context.Context, r engine.ApprovalRequest) (engine.Decision, string) {
		asked = append(asked, r)
		return answer, note
	}); err != nil {
		t.Fatal(err)
	}
	if e.ApprovalMode() != engine.ApproveOnRequest {
		t.Errorf("default mode %q", e.ApprovalMode())
	}
	run := func(cmd string) (string, error) {
		r, err := e.Agent.Env.Runner.Run(context.Background(), cmd, 30*time.Second)
		return r.Output, err
	}
	// on-request: a local command runs without asking.
	if out, err := run("echo local > made.txt; cat made.txt"); err != nil || !strings.Contains(out, "local") || len(asked) != 0 {
		t.Fatalf("local command: %q %v asked=%v", out, err, asked)
	}
	// A network command asks; denied with a note, it does not run and the note is returned.
	note = "no downloads please"
	_, err := run("curl -s https://example.com > page.html")
	if !errors.Is(err, engine.ErrDenied) || !strings.Contains(err.Error(), note) {
		t.Fatalf("denied: %v", err)
	}
	if len(asked) != 1 || !asked[0].Network || !strings.Contains(asked[0].Reason, "network") {
		t.Fatalf("asked: %+v", asked)
	}
	if _, err := e.Layer.ReadFile("page.html"); err == nil {
		t.Error("the denied command ran")
	}
	// untrusted: writing asks; allowed for the session, it is not asked again.
	if err := e.SetApprovalMode(engine.ApproveUntrusted); err != nil {
		t.Fatal(err)
	}
	answer, note = engine.AllowSession, ""
	for range 2 {
		if _, err := run("echo x > b.txt"); err != nil {
			t.Fatal(err)
		}
	}
	if len(asked) != 2 || asked[1].Network {
		t.Fatalf("asked %d times: %+v", len(asked), asked)
	}
	if b, err := e.Layer.ReadFile("b.txt"); err != nil || string(b) != "x\n" {
		t.Errorf("b.txt in the proposal: %q %v", b, err)
	}
	// Reading commands never ask; mode never asks nothing.
	if _, err := run("cat a.txt | wc -l"); err != nil || len(asked) != 2 {
		t.Errorf("read-only command asked: %v %d", err, len(asked))
	}
	if err := e.SetApprovalMode(engine.ApproveNever); err != nil {
		t.Fatal(err)
	}
	run("touch c.txt")
	if len(asked) != 2 {
		t.Error("mode never asked")
	}
}
