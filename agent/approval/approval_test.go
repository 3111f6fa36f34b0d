package approval_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hew/agent/approval"
	"hew/agent/tools"
)

// ran records the commands the gate let through, with the network setting they ran with.
type ran struct {
	commands []string
	network  []bool
}

func (r *ran) run(_ context.Context, command string, _ time.Duration, network bool) (tools.RunResult, error) {
	r.commands = append(r.commands, command)
	r.network = append(r.network, network)
	return tools.RunResult{Output: "ran " + command}, nil
}

func TestGate(t *testing.T) {
	if _, err := approval.NewGate(nil, false, "sometimes", nil); err == nil || !strings.Contains(err.Error(), "untrusted, on-request or never") {
		t.Errorf("bad mode: %v", err)
	}
	var asked []approval.Request
	answer, note := approval.Deny, ""
	r := &ran{}
	g, err := approval.NewGate(r.run, false, "", func(ctx context.Context, req approval.Request) (approval.Decision, string) {
		asked = append(asked, req)
		return answer, note
	})
	if err != nil {
		t.Fatal(err)
	}
	if g.Mode() != approval.OnRequest {
		t.Errorf("default mode %q", g.Mode())
	}
	run := func(cmd string) error {
		_, err := g.Run(context.Background(), cmd, time.Second)
		return err
	}
	// on-request: a local command runs without asking, with the network off.
	if err := run("echo local > made.txt"); err != nil || len(asked) != 0 || len(r.commands) != 1 || r.network[0] {
		t.Fatalf("local command: %v asked=%v ran=%+v", err, asked, r)
	}
	// A network command asks; denied with a note, it does not run and the note is returned.
	note = "no downloads please"
	err = run("curl -s https://example.com > page.html")
	if !errors.Is(err, approval.ErrDenied) || !strings.Contains(err.Error(), note) {
		t.Fatalf("denied: %v", err)
	}
	if len(asked) != 1 || !asked[0].Network || !strings.Contains(asked[0].Reason, "network") {
		t.Fatalf("asked: %+v", asked)
	}
	if len(r.commands) != 1 {
		t.Fatalf("the denied command ran: %v", r.commands)
	}
	// Allowed once, the network command runs with the network on, and asks again next time.
	answer, note = approval.AllowOnce, ""
	for range 2 {
		if err := run("git fetch origin"); err != nil {
			t.Fatal(err)
		}
	}
	if len(asked) != 3 || len(r.commands) != 3 || !r.network[1] || !r.network[2] {
		t.Fatalf("allow once: asked %d, ran %+v", len(asked), r)
	}
	// untrusted: writing asks; allowed for the session, it is not asked again.
	if err := g.SetMode(approval.Untrusted); err != nil {
		t.Fatal(err)
	}
	answer = approval.AllowSession
	for range 2 {
		if err := run("echo x > b.txt"); err != nil {
			t.Fatal(err)
		}
	}
	if len(asked) != 4 || asked[3].Network || len(r.commands) != 5 {
		t.Fatalf("allow for the session: asked %d times, ran %v", len(asked), r.commands)
	}
	// Reading commands never ask, even untrusted; mode never asks nothing.
	if err := run("cat a.txt | wc -l"); err != nil || len(asked) != 4 {
		t.Errorf("read-only command asked: %v %d", err, len(asked))
	}
	for _, cmd := range []string{"cat a > b", "ls $(rm -rf x)", "ls; rm x", "find . -exec touch pwned {} +",
		"rg --pre ./evil x", "GIT_EXTERNAL_DIFF=./evil git diff", "git --output=pwned diff", "git diff --output=pwned"} {
		answer = approval.Deny
		if err := run(cmd); !errors.Is(err, approval.ErrDenied) {
			t.Errorf("%q is not read-only, yet ran without asking: %v", cmd, err)
		}
	}
	if err := g.SetMode(approval.Never); err != nil {
		t.Fatal(err)
	}
	n := len(asked)
	if err := run("curl example.com"); err != nil || len(asked) != n || r.network[len(r.network)-1] {
		t.Errorf("mode never: asked %d→%d, network %v, %v", n, len(asked), r.network, err)
	}
	if err := g.SetMode("bogus"); err == nil {
		t.Error("SetMode accepted a bad mode")
	}
}

func TestInterruptedAskDoesNotRun(t *testing.T) {
	r := &ran{}
	ctx, cancel := context.WithCancel(context.Background())
	g, err := approval.NewGate(r.run, false, approval.Untrusted, func(context.Context, approval.Request) (approval.Decision, string) {
		cancel()
		return approval.AllowOnce, ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Run(ctx, "touch x", time.Second); !errors.Is(err, context.Canceled) || len(r.commands) != 0 {
		t.Errorf("interrupted ask: %v, ran %v", err, r.commands)
	}
}

func TestCheckToolAsksOnceForTheSessionAndRemembersAlways(t *testing.T) {
	var asked []approval.Request
	answers := []approval.Decision{approval.AllowOnce, approval.Deny, approval.AllowSession, approval.AllowAlways}
	g, err := approval.NewGate(nil, false, approval.OnRequest, func(_ context.Context, r approval.Request) (approval.Decision, string) {
		asked = append(asked, r)
		d := answers[0]
		answers = answers[1:]
		return d, "not now"
	})
	if err != nil {
		t.Fatal(err)
	}
	var remembered []string
	g.SetRemember(func(tool string) error {
		remembered = append(remembered, tool)
		return nil
	})
	ctx := context.Background()
	if err := g.CheckTool(ctx, "mcp__a__x", "mcp__a__x {}"); err != nil {
		t.Errorf("once: %v", err)
	}
	if err := g.CheckTool(ctx, "mcp__a__x", "mcp__a__x {}"); !errors.Is(err, approval.ErrDenied) || !strings.Contains(err.Error(), "not now") {
		t.Errorf("deny: %v", err)
	}
	g.CheckTool(ctx, "mcp__a__x", "mcp__a__x {}") // for the session
	if err := g.CheckTool(ctx, "mcp__a__x", "mcp__a__x {}"); err != nil || len(asked) != 3 {
		t.Errorf("session: %v, asked %d times", err, len(asked))
	}
	if err := g.CheckTool(ctx, "mcp__a__y", "mcp__a__y {}"); err != nil || len(remembered) != 1 || remembered[0] != "mcp__a__y" {
		t.Errorf("always: %v %v", err, remembered)
	}
	if asked[0].Tool != "mcp__a__x" || asked[0].Command != "mcp__a__x {}" || asked[0].Reason == "" {
		t.Errorf("request %+v", asked[0])
	}
	// Mode never, or no asker: nobody to ask.
	g.SetMode(approval.Never)
	if err := g.CheckTool(ctx, "mcp__a__z", ""); !errors.Is(err, approval.ErrCannotAsk) {
		t.Errorf("never: %v", err)
	}
	g.SetRemember(func(string) error { return errors.New("disk full") })
	g.SetMode(approval.OnRequest)
	answers = []approval.Decision{approval.AllowAlways}
	var re *approval.RememberError
	if err := g.CheckTool(ctx, "mcp__a__w", ""); !errors.As(err, &re) {
		t.Errorf("remember failure: %v", err)
	}
}
