package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"hew/agent/engine"
)

// addResumeFlags adds the flags that make `hew exec` continue a saved session.
func addResumeFlags(f *pflag.FlagSet, o *execOptions) {
	f.StringVar(&o.Resume, "resume", "", "continue saved session ID (or 'last') with this prompt")
	f.BoolVar(&o.Last, "last", false, "with --resume, or alone: continue the newest session of this repository")
}

// startExecEngine starts the engine of a `hew exec` run: a new session, or the saved one that
// --resume or --last names.
func startExecEngine(ctx context.Context, ios *IO, o *execOptions, opts engine.Options) (*engine.Engine, error) {
	id, err := resumeTarget(ios, o.Resume, o.Last)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return engine.New(ctx, opts)
	}
	return engine.Resume(ctx, opts, id)
}

// resumeTarget resolves --resume ID and --last to a session id; "" means start a new session.
// "--resume --last" and "--resume last" mean the newest session of this repository.
func resumeTarget(ios *IO, id string, last bool) (string, error) {
	if id == "last" || id == "--last" {
		id, last = "", true
	}
	switch {
	case id != "" && last:
		return "", fmt.Errorf("%w: give a session id or --last, not both", engine.ErrUsage)
	case last:
		return engine.LatestSession(ios.Getenv, ios.Dir)
	}
	return id, nil
}
