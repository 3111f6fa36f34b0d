package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"hew/agent/engine"
	"hew/agent/project"
	"hew/tui"
)

// runInteractive opens the terminal UI in the current repository, sending the arguments as the
// first prompt when there are any.
func runInteractive(cmd *cobra.Command, io *IO, args []string) error {
	if !io.InIsTerminal || !io.OutIsTerminal {
		return usageError("the interactive UI needs a terminal; for scripts and pipes use 'hew exec [prompt]'")
	}
	cfg, err := loadConfig(io)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	testCmd := cfg.TestCmd
	if testCmd == "" {
		testCmd = project.DetectTestCommand(io.Dir)
	}
	ctx := cmd.Context()
	eng, err := engine.New(ctx, engine.Options{Config: cfg, Dir: io.Dir, Env: os.Environ(), Getenv: io.Getenv})
	if err != nil {
		return engineError(err)
	}
	defer eng.Close()
	err = tui.Run(ctx, tui.Options{Engine: eng, Prompt: strings.Join(args, " "), Approval: cfg.Approval, TestCmd: testCmd})
	fmt.Fprintf(io.ErrOut, "hew: session %s saved; 'hew resume --last' brings it back\n", eng.SessionID())
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: exitInterrupted, err: ctx.Err()}
		}
		return failure(err)
	}
	return nil
}
