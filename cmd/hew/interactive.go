package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hew/agent/config"
	"hew/agent/engine"
	"hew/tui"
)

// runInteractive opens the terminal UI in the current repository, sending the prompt first when
// there is one.
func runInteractive(ctx context.Context, o *rootOptions) error {
	return runInteractiveSession(ctx, o.IO, o.Session, "", o.Prompt)
}

// runInteractiveSession opens the terminal UI on a new session (resumeID empty) or on saved
// session resumeID (an id or a unique prefix, as engine.Resume takes it), sending prompt first
// when it is not empty, with the session flags given laid over the configuration. `hew resume
// ID|--last` calls it with the id it resolved.
func runInteractiveSession(ctx context.Context, ios *IO, flags sessionFlags, resumeID, prompt string) error {
	if !ios.InIsTerminal || !ios.OutIsTerminal {
		if resumeID != "" {
			return usageError("the interactive UI needs a terminal; continue the session headless with: hew exec --resume %s \"next prompt\"", resumeID)
		}
		return usageError("the interactive UI needs a terminal; for scripts and pipes use 'hew exec [prompt]'")
	}
	cfg, err := loadConfig(ios, flags)
	if err != nil {
		return err
	}
	// A session resumed continues on its own provider and model, but for the one this command
	// resumes with model flags given: those switch it.
	openWith := func(ctx context.Context, id string, choose func(*config.Config)) (*engine.Engine, error) {
		o := engine.Options{Config: cfg, Dir: ios.Dir, Env: ios.Env, Getenv: ios.Getenv, Choose: choose}
		if id == "" {
			return engine.New(ctx, o)
		}
		return engine.Resume(ctx, o, id)
	}
	open := func(ctx context.Context, id string) (*engine.Engine, error) { return openWith(ctx, id, nil) }
	eng, err := openWith(ctx, resumeID, modelChoice(flags))
	notice := ""
	if err != nil && needsSetup(cfg, err) {
		saved, serr := setUpProvider(ctx, ios, cfg, err)
		if serr != nil {
			return serr
		}
		if saved == "" {
			return usageError("no model provider was set up (%s): run hew again to set one up, or see 'hew doctor'", setupReason(err))
		}
		notice = "saved the provider to " + tilde(ios, saved) + "; 'hew doctor' checks it, /model switches models"
		if cfg, err = loadConfig(ios, flags); err != nil {
			return err
		}
		eng, err = openWith(ctx, resumeID, modelChoice(flags))
	}
	if err != nil {
		return engineError(err)
	}
	eng, err = tui.Run(ctx, tui.Options{Engine: eng, Prompt: prompt, Approval: cfg.Approval, Open: open, Getenv: ios.Getenv,
		Untrusted: untrustedConfig(ios, flags, &cfg, open), Notice: notice})
	if cerr := eng.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("save session %s: %w", eng.SessionID(), cerr)
	}
	fmt.Fprintf(ios.ErrOut, "hew: session %s saved; 'hew resume --last' brings it back\n", eng.SessionID())
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: exitInterrupted, err: ctx.Err()}
		}
		return failure(err)
	}
	return nil
}

// untrustedConfig is what the UI asks about when the repository's config file is not trusted
// and settings in it were ignored; nil when there is nothing to ask. Trusting records the
// content that was read, loads the configuration again and restarts the session with it
// (the same session: it has just started); *cfg becomes the new configuration, which /new uses.
func untrustedConfig(ios *IO, flags sessionFlags, cfg *config.Config, open func(context.Context, string) (*engine.Engine, error)) *tui.UntrustedConfig {
	p := cfg.Project
	if p.Trusted || len(p.Ignored) == 0 {
		return nil
	}
	settings := make([]string, len(p.Ignored))
	for i, s := range p.Ignored {
		settings[i] = s.Key + " = " + printable(s.Value)
	}
	trust := func(ctx context.Context, cur *engine.Engine) (*engine.Engine, string, error) {
		if err := config.TrustProject(ios.Getenv, p.Root, p.SHA256, time.Now()); err != nil {
			return cur, "", err
		}
		next, err := loadConfig(ios, flags)
		if err != nil {
			return cur, "", err
		}
		if !next.Project.Trusted {
			return cur, "", errors.New(p.Path + " changed after hew read it, so the version you saw is trusted but this one is not: run 'hew trust' to see it")
		}
		id := cur.SessionID()
		if err := cur.CloseToResume(); err != nil {
			return cur, "", fmt.Errorf("save session %s: %w", id, err)
		}
		*cfg = next
		eng, err := open(ctx, id)
		if err != nil {
			eng, err = open(ctx, "")
		}
		return eng, next.Approval, err
	}
	return &tui.UntrustedConfig{Path: p.Path, Settings: settings, Trust: trust}
}
