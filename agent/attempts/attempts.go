// Package attempts runs one task as several attempts side by side — each its own session,
// with its own proposal layer and sandbox, on its own model — tests each proposal, picks one
// by a fixed policy and concludes the task with it (`hew exec --try` and `--best-of`).
//
// The policy, in order: an attempt whose turn finished and whose tests pass (every finished
// attempt, when there is no test command); then one that changes something; then the smallest
// change (lines added plus removed); then the lowest cost; then the earliest. The attempts
// not picked keep their proposals in their sessions (`hew resume SESSION` reviews one), and
// every attempt's proposal is saved as a patch under the state directory.
package attempts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"hew/agent/config"
	"hew/agent/engine"
	"hew/agent/event"
	"hew/agent/exitcode"
	"hew/agent/llm"
	"hew/agent/llm/provider"
)

// Options say how to run the attempts.
type Options struct {
	// Engine is the session the attempts start from; each gets a copy with its own model.
	// Its Sinks receive what the attempts report (see Run), not each attempt's own events.
	Engine engine.Options
	// Models are model references ("openai:ID", "bedrock:ID@REGION", an id), one per attempt.
	Models []string
	Task   engine.Task
	// Report, if set, is called with the attempts' results once they are all in, before the
	// picked one is concluded (Outcome is not set yet).
	Report func(Result)
}

// Result is what Run did.
type Result struct {
	Attempts []event.Attempt
	// Chosen is the index of the attempt picked, or -1 when none could be.
	Chosen  int
	Outcome engine.Outcome
	// Dir holds the attempts' patches.
	Dir string
}

// run is one attempt under way.
type run struct {
	ref     provider.Ref
	eng     *engine.Engine
	err     error // starting the session failed
	attempt engine.Attempt
}

// Max is the most attempts Run starts: each is a model session and a test run.
const Max = 8

// Run starts one session per model, runs the task's prompt in all of them at once, tests each
// proposal and concludes the task with the one the policy picks: its acceptance, second
// opinion and commit are the winning session's, as `hew exec` does with one model. The sinks
// of o.Engine receive a Notice as each attempt ends, an event.Attempt per attempt at the end,
// then the picked attempt's test run and its session's events from its conclusion on.
func Run(ctx context.Context, o Options) Result {
	emit := func(e event.Event) {
		for _, s := range o.Engine.Sinks {
			s.Emit(e)
		}
	}
	if n := len(o.Models); n > Max {
		return Result{Chosen: -1, Outcome: engine.Outcome{ExitCode: exitcode.Usage, Reason: fmt.Sprintf("%d attempts asked for: give at most %d models", n, Max)}}
	}
	refs := make([]provider.Ref, len(o.Models))
	for i, m := range o.Models {
		r, err := provider.ParseRef(o.Engine.Config, m)
		if err != nil {
			return Result{Chosen: -1, Outcome: engine.Outcome{ExitCode: exitcode.Usage, Reason: fmt.Sprintf("attempt %d: %v", i+1, err)}}
		}
		refs[i] = r
	}
	runs := make([]*run, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		runs[i] = &run{ref: ref}
		wg.Add(1)
		go func(r *run, n int) {
			defer wg.Done()
			eo := o.Engine
			eo.Config = provider.WithRef(o.Engine.Config, r.ref)
			eo.Sinks = nil // each attempt's events go to its own session log
			start := time.Now()
			if r.eng, r.err = engine.New(ctx, eo); r.err != nil {
				r.attempt = engine.Attempt{Err: r.err, Duration: time.Since(start)}
			} else {
				r.attempt = r.eng.RunAttempt(ctx, o.Task)
			}
			emit(event.Notice{Text: fmt.Sprintf("attempt %d (%s) finished: %s", n+1, r.ref, verdict(r.attempt))})
		}(runs[i], i)
	}
	wg.Wait()
	defer func() {
		for _, r := range runs {
			if r.eng != nil {
				r.eng.Close()
			}
		}
	}()

	if err := startFailure(runs); err != nil {
		code := exitcode.Failed
		if errors.Is(err, engine.ErrUsage) || llm.KindOf(err) == llm.ErrConfig {
			code = exitcode.Usage
		}
		return Result{Chosen: -1, Outcome: engine.Outcome{ExitCode: code, Reason: fmt.Sprintf("no attempt could start: %v", err)}}
	}
	res := Result{Chosen: pick(runs)}
	res.Dir = filepath.Join(config.StateDir(o.Engine.Getenv), "attempts", time.Now().UTC().Format("20060102-150405.000"))
	for i, r := range runs {
		a := report(i, r)
		a.Chosen = i == res.Chosen
		if r.eng != nil {
			if p, err := savePatch(res.Dir, i, r); err == nil {
				a.Patch = p
			} else {
				emit(event.Notice{Level: "warn", Text: fmt.Sprintf("attempt %d: save its patch: %v", i+1, err)})
			}
		}
		res.Attempts = append(res.Attempts, a)
		emit(a)
	}
	if o.Report != nil {
		o.Report(res)
	}
	if ctx.Err() != nil {
		res.Outcome = engine.Outcome{ExitCode: exitcode.Interrupted, Reason: "interrupted; nothing was written to your tree (each attempt's proposal is kept: see the table)"}
		return res
	}
	if res.Chosen < 0 {
		res.Outcome = engine.Outcome{ExitCode: exitcode.Failed, Reason: "no attempt finished with passing tests; nothing was written to your tree (each attempt's proposal is kept: see the table)"}
		return res
	}
	w := runs[res.Chosen]
	emit(event.Notice{Text: fmt.Sprintf("picked attempt %d (%s); its session is %s", res.Chosen+1, w.ref, w.eng.SessionID())})
	for _, s := range o.Engine.Sinks {
		w.eng.Subscribe(s)
	}
	if w.attempt.Tests != nil {
		emit(*w.attempt.Tests) // the test run the acceptance goes by
	}
	res.Outcome = w.eng.Conclude(ctx, o.Task, w.attempt)
	return res
}

// startFailure returns the first attempt's error when no attempt's session could start, as
// happens with a configuration mistake they all share.
func startFailure(runs []*run) error {
	for _, r := range runs {
		if r.eng != nil {
			return nil
		}
	}
	return runs[0].err
}

// Table writes the attempts as a table for people, one row per attempt, the picked one marked
// with *, followed by the policy and where the patches are.
func (r Result) Table() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, " \tattempt\tmodel\ttests\tfiles\tlines\tcost\ttime\tsession")
	for _, a := range r.Attempts {
		mark := " "
		if a.Chosen {
			mark = "*"
		}
		tests := a.Tests
		if a.Error != "" {
			tests = "error: " + clipLine(a.Error, 60)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t+%d -%d\t$%.4f\t%s\t%s\n", mark, a.Index, a.Model, tests, a.Files, a.Added, a.Removed,
			a.CostUSD, a.Duration.Round(100*time.Millisecond), a.Session)
	}
	tw.Flush()
	b.WriteString("policy: tests pass, then a change, then the smallest change, then the lowest cost.")
	if r.Dir != "" {
		fmt.Fprintf(&b, " Patches of every attempt: %s; 'hew resume SESSION' reviews an attempt's proposal.", r.Dir)
	}
	return b.String()
}

// clipLine is s on one line, at most n runes.
func clipLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// eligible reports whether the policy may pick an attempt: its turn finished, and its tests
// pass or there is no test command.
func eligible(a engine.Attempt) bool {
	return a.Err == nil && (a.Tests == nil || a.Tests.Passed)
}

// pick returns the index of the attempt the policy picks, or -1.
func pick(runs []*run) int {
	var idx []int
	for i, r := range runs {
		if eligible(r.attempt) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return -1
	}
	sort.SliceStable(idx, func(x, y int) bool {
		a, b := runs[idx[x]].attempt, runs[idx[y]].attempt
		if (a.Files > 0) != (b.Files > 0) {
			return a.Files > 0
		}
		if sa, sb := a.Added+a.Removed, b.Added+b.Removed; sa != sb {
			return sa < sb
		}
		return a.CostUSD < b.CostUSD
	})
	return idx[0]
}

// verdict says in a few words how an attempt ended.
func verdict(a engine.Attempt) string {
	switch {
	case a.Err != nil:
		return "failed: " + a.Err.Error()
	case a.Tests == nil:
		return fmt.Sprintf("done (no test command), %d file(s) +%d -%d", a.Files, a.Added, a.Removed)
	case a.Tests.Passed:
		return fmt.Sprintf("tests pass, %d file(s) +%d -%d", a.Files, a.Added, a.Removed)
	}
	return fmt.Sprintf("tests FAIL (exit %d), %d file(s) +%d -%d", a.Tests.ExitCode, a.Files, a.Added, a.Removed)
}

// report describes attempt i as an event.
func report(i int, r *run) event.Attempt {
	a := r.attempt
	ev := event.Attempt{Index: i + 1, Model: r.ref.String(), Files: a.Files, Added: a.Added, Removed: a.Removed,
		CostUSD: a.CostUSD, Duration: a.Duration, Tests: "not run"}
	if r.eng != nil {
		ev.Session = r.eng.SessionID()
	}
	switch {
	case a.Err != nil:
		ev.Error = a.Err.Error()
	case a.Tests == nil:
		ev.Tests = "none"
	case a.Tests.Passed:
		ev.Tests = "passed"
	default:
		ev.Tests = "failed"
	}
	return ev
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// savePatch writes attempt i's proposal as a unified diff under dir and returns its path.
func savePatch(dir string, i int, r *run) (string, error) {
	p, err := r.eng.Patch()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("attempt-%d-%s.patch", i+1, unsafeName.ReplaceAllString(r.ref.String(), "_")))
	if err := os.WriteFile(path, []byte(p), 0o600); err != nil {
		return "", err
	}
	return path, nil
}
