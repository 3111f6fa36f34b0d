package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"hew/agent/attempts"
	"hew/agent/config"
	"hew/agent/engine"
	"hew/agent/llm/provider"
)

// validateAttempts checks --try and --best-of without the configuration.
func (o *execOptions) validateAttempts() error {
	if o.Try == "" && o.BestOf == 0 {
		return nil
	}
	switch {
	case o.Try != "" && o.BestOf != 0:
		return usageError("give --try MODELS or --best-of N, not both")
	case o.BestOf < 0 || o.BestOf == 1 || o.BestOf > attempts.Max:
		return usageError("--best-of %d: give 2 to %d attempts", o.BestOf, attempts.Max)
	case o.Resume != "" || o.Last:
		return usageError("--try and --best-of start new sessions: they cannot continue one (--resume, --last)")
	}
	if o.Try != "" {
		n := len(strings.Split(o.Try, ","))
		if n > attempts.Max {
			return usageError("--try lists %d models: give at most %d", n, attempts.Max)
		}
	}
	return nil
}

// attemptModels lists the models of the attempts: --try's, or --best-of copies of the
// configured model.
func attemptModels(cfg config.Config, o *execOptions) ([]string, error) {
	if o.Try != "" {
		if _, err := provider.ParseRefs(cfg, o.Try); err != nil {
			return nil, usageError("--try: %v", err)
		}
		return strings.Split(o.Try, ","), nil
	}
	models := make([]string, o.BestOf)
	for i := range models {
		models[i] = provider.Ref{Provider: cfg.Provider, ID: cfg.ModelOrDefault()}.String()
	}
	return models, nil
}

// runAttempts runs the task as attempts side by side (see package attempts), prints the table
// of attempts on stderr and returns the picked attempt's outcome.
func runAttempts(ctx context.Context, o *execOptions, opts engine.Options, stderr io.Writer) (engine.Outcome, error) {
	models, err := attemptModels(opts.Config, o)
	if err != nil {
		return engine.Outcome{}, err
	}
	res := attempts.Run(ctx, attempts.Options{Engine: opts, Models: models, Task: o.task(),
		Report: func(r attempts.Result) { fmt.Fprintf(stderr, "\n%s\n", r.Table()) }})
	return res.Outcome, nil
}
