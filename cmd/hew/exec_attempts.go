package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"hew/agent/attempts"
	"hew/agent/config"
	"hew/agent/engine"
	"hew/agent/llm/provider"
)

// maxAttempts caps --try and --best-of: each attempt is a model session and a test run.
const maxAttempts = 8

// validateAttempts checks --try and --best-of without the configuration.
func (o *execOptions) validateAttempts() error {
	if o.Try == "" && o.BestOf == 0 {
		return nil
	}
	switch {
	case o.Try != "" && o.BestOf != 0:
		return usageError("give --try MODELS or --best-of N, not both")
	case o.BestOf < 0 || o.BestOf == 1 || o.BestOf > maxAttempts:
		return usageError("--best-of %d: give 2 to %d attempts", o.BestOf, maxAttempts)
	case o.Resume != "" || o.Last:
		return usageError("--try and --best-of start new sessions: they cannot continue one (--resume, --last)")
	}
	if o.Try != "" {
		n := len(strings.Split(o.Try, ","))
		if n > maxAttempts {
			return usageError("--try lists %d models: give at most %d", n, maxAttempts)
		}
	}
	return nil
}

// attemptRefs lists the models of the attempts: --try's, or --best-of copies of the configured
// model.
func attemptRefs(cfg config.Config, o *execOptions) ([]provider.Ref, error) {
	if o.Try != "" {
		refs, err := provider.ParseRefs(cfg, o.Try)
		if err != nil {
			return nil, usageError("--try: %v", err)
		}
		return refs, nil
	}
	refs := make([]provider.Ref, o.BestOf)
	for i := range refs {
		refs[i] = provider.Ref{Provider: cfg.Provider, ID: cfg.ModelOrDefault()}
	}
	return refs, nil
}

// runAttempts runs the task as attempts side by side (see package attempts), prints the table
// of attempts on stderr and returns the picked attempt's outcome.
func runAttempts(ctx context.Context, o *execOptions, opts engine.Options, stderr io.Writer) (engine.Outcome, error) {
	refs, err := attemptRefs(opts.Config, o)
	if err != nil {
		return engine.Outcome{}, err
	}
	res := attempts.Run(ctx, attempts.Options{Engine: opts, Models: refs, Task: o.task(),
		Report: func(r attempts.Result) { writeAttemptTable(stderr, r) }})
	return res.Outcome, nil
}

// writeAttemptTable prints one row per attempt, the picked one marked with *.
func writeAttemptTable(w io.Writer, res attempts.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\n \tattempt\tmodel\ttests\tfiles\tlines\tcost\ttime\tsession")
	for _, a := range res.Attempts {
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
	if res.Dir != "" {
		fmt.Fprintf(w, "policy: tests pass, then a change, then the smallest change, then the lowest cost. Patches of every attempt: %s; 'hew resume SESSION' reviews an attempt's proposal.\n", res.Dir)
	}
}

// clipLine is s on one line, at most n runes.
func clipLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
