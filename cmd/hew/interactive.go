package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"hew/agent/engine"
	"hew/tui"
)

// runInteractive opens the terminal UI in the current repository, sending the arguments as the
// first prompt when there are any.
func runInteractive(cmd *cobra.Command, ios *IO, args []string) error {
	return runInteractiveSession(cmd, ios, "", strings.Join(args, " "))
}

// runInteractiveSession opens the terminal UI on a new session (resumeID empty) or on saved
// session resumeID (an id or a unique prefix, as engine.Resume takes it), sending prompt first
// when it is not empty. `hew resume ID|--last` calls it with the id it resolved.
func runInteractiveSession(cmd *cobra.Command, ios *IO, resumeID, prompt string) error {
	if !ios.InIsTerminal || !ios.OutIsTerminal {
		if resumeID != "" {
			return usageError("the interactive UI needs a terminal; continue the session headless with: hew exec --resume %s \"next prompt\"", resumeID)
		}
		return usageError("the interactive UI needs a terminal; for scripts and pipes use 'hew exec [prompt]'")
	}
	cfg, err := loadConfig(ios, cmd.Flags())
	if err != nil {
		return err
	}
	open := func(ctx context.Context, id string) (*engine.Engine, error) {
		o := engine.Options{Config: cfg, Dir: ios.Dir, Env: os.Environ(), Getenv: ios.Getenv}
		if id == "" {
			return engine.New(ctx, o)
		}
		return engine.Resume(ctx, o, id)
	}
	ctx := cmd.Context()
	eng, err := open(ctx, resumeID)
	if err != nil {
		return engineError(err)
	}
	eng, err = tui.Run(ctx, tui.Options{Engine: eng, Prompt: prompt, Approval: cfg.Approval, Open: open})
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
