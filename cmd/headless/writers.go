// Package headless is the front end of `hew exec`: it renders the engine's events as human
// progress lines on standard error or as a JSONL stream on standard output. What happens to the
// proposal is the engine's decision (engine.RunTask), not this package's.
package headless

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/termsafe"
	"hew/sandbox/capture"
)

// JSONL writes every event as one JSON object per line (the `--json` stream, described by
// docs/events.schema.json). Deltas are included, so a consumer can show text as it streams.
type JSONL struct {
	mu sync.Mutex
	w  io.Writer
}

// NewJSONL returns a JSONL writer to w.
func NewJSONL(w io.Writer) *JSONL { return &JSONL{w: w} }

// Emit writes e; session_started carries the stream's schema_version (event.SchemaVersion).
// JSON escapes the C0 controls (ESC among them) already; the C1 controls and
// DEL, which encoding/json leaves raw, are escaped too, so a line shown on a terminal cannot
// carry a control sequence.
func (j *JSONL) Emit(e event.Event) {
	if s, ok := e.(event.SessionStarted); ok {
		s.SchemaVersion = event.SchemaVersion
		e = s
	}
	line, err := event.Encode(e)
	if err != nil {
		return
	}
	line = termsafe.JSON(line)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.w.Write(append(line, '\n'))
}

// Progress writes short human-readable progress lines: tool calls with their outcome, test
// runs, errors, acceptance and commits. The model's final answer is not written here; the
// caller prints it to standard output.
type Progress struct {
	mu      sync.Mutex
	w       io.Writer
	started map[string]string // tool call id → summary
}

// NewProgress returns a progress writer to w.
func NewProgress(w io.Writer) *Progress { return &Progress{w: w, started: map[string]string{}} }

// Emit writes the line for e, if it has one.
func (p *Progress) Emit(e event.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e := e.(type) {
	case event.SessionStarted:
		p.printf("hew %s · %s/%s · sandbox: %s\n", e.Session, e.Provider, e.Model, e.Sandbox)
	case event.Notice:
		if e.Level == "warn" {
			p.printf("warning: %s\n", e.Text)
		} else {
			p.printf("%s\n", e.Text)
		}
	case event.Message:
		if e.Message.Role == llm.RoleAssistant && len(e.Message.ToolCalls) > 0 {
			if t := strings.TrimSpace(e.Message.Text); t != "" {
				p.printf("%s\n", indent(t))
			}
		}
	case event.ToolStarted:
		p.started[e.ID] = e.Summary
	case event.ToolFinished:
		status := "ok"
		if e.ExitCode != nil {
			status = fmt.Sprintf("exit %d", *e.ExitCode)
		}
		if e.IsError && e.ExitCode == nil {
			status = "error: " + firstLine(e.Output)
		}
		p.printf("▸ %s — %s (%s)\n", p.started[e.ID], status, e.Duration.Round(time.Millisecond))
		delete(p.started, e.ID)
	case event.PlanUpdated:
		for _, s := range e.Steps {
			mark := map[string]string{"done": "✓", "in_progress": "→"}[s.Status]
			if mark == "" {
				mark = "·"
			}
			p.printf("  %s %s\n", mark, s.Step)
		}
	case event.ProposalChanged:
		if e.Cause == event.CauseAccept && len(e.Files) == 0 {
			return // the accepted line said it: everything proposed is in the tree
		}
		var parts []string
		for _, f := range e.Files {
			part := fmt.Sprintf("%s %s +%d -%d", f.Op, f.Path, f.Added, f.Removed)
			if f.Control != "" {
				part += " [control file: " + f.Control + "]"
			}
			parts = append(parts, part)
		}
		if len(parts) == 0 {
			p.printf("proposal: no changes\n")
		} else {
			p.printf("proposal: %s\n", strings.Join(parts, ", "))
		}
	case event.TestRun:
		verdict := "passed"
		if !e.Passed {
			verdict = fmt.Sprintf("FAILED (exit %d)", e.ExitCode)
		}
		p.printf("tests: %s — %s in %s\n", e.Command, verdict, e.Duration.Round(time.Millisecond))
		if !e.Passed {
			p.printf("%s\n", indent(capture.KeepLines(e.Output, 0, 40, "")))
		}
	case event.Usage:
		if e.Usage.InputTokens+e.Usage.OutputTokens == 0 {
			return
		}
		who := "" // the agent's calls are the usual ones; other roles are named
		if e.Role != "" && e.Role != event.RoleAgent {
			who = fmt.Sprintf(" (%s model %s)", e.Role, e.Model)
		}
		p.printf("  tokens%s: %d in (%d cached), %d out · $%.4f total\n", who, e.Usage.InputTokens, e.Usage.CachedTokens, e.Usage.OutputTokens, e.TotalCostUSD)
	case event.Error:
		if e.Fatal {
			return // the run ends with this error, and `hew exec` prints it last
		}
		p.printf("error: %s\n", e.Message)
		if e.Hint != "" {
			p.printf("  hint: %s\n", e.Hint)
		}
	case event.Accepted:
		p.printf("accepted into the working tree: %s\n", strings.Join(e.Files, ", "))
	case event.Rejected:
		p.printf("rejected: %s\n", strings.Join(e.Files, ", "))
	case event.Committed:
		p.printf("committed %s on %s: %s\n", short(e.Hash), e.Branch, e.Subject)
	case event.Failover:
		p.printf("warning: %s\n", e.Text())
	case event.SecondOpinion:
		p.printf("%s\n", e.Text())
	}
}

// printf writes one progress line. Everything in it that came from outside hew (the model's
// text, tool output, paths, commands) is made safe for the terminal first (see termsafe).
func (p *Progress) printf(format string, args ...any) {
	io.WriteString(p.w, termsafe.Clean(fmt.Sprintf(format, args...)))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func short(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}
