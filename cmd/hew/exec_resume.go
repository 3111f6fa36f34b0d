package main

import (
	"context"

	"github.com/spf13/pflag"

	"hew/agent/engine"
)

// addResumeFlags adds the flags that make `hew exec` continue a saved session.
func addResumeFlags(f *pflag.FlagSet, o *execOptions) {
	f.StringVar(&o.Resume, "resume", "", "continue saved session ID (or 'last') with this prompt, on the session's own model unless --provider/--model switch it")
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
	opts.Choose = modelChoice(o.Session)
	return engine.Resume(ctx, opts, id)
}

// resumeFlags normalizes a session id and --last as `hew exec --resume` and `hew resume` take
// them: "--resume --last" and "--resume last" mean --last; an id and --last conflict.
func resumeFlags(id string, last bool) (string, bool, error) {
	if id == "last" || id == "--last" {
		id, last = "", true
	}
	if id != "" && last {
		return "", false, usageError("%v: give a session id or --last, not both", engine.ErrUsage)
	}
	return id, last, nil
}

// resumeTarget resolves an id and --last, as resumeFlags leaves them, to a session id; "" means
// start a new session.
func resumeTarget(ios *IO, id string, last bool) (string, error) {
	if last {
		return engine.LatestSession(ios.Getenv, ios.Dir)
	}
	return id, nil
}
