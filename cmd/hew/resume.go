package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"hew/agent/engine"
)

type resumeOptions struct {
	last bool
	fork bool
}

func newResumeCmd(ios *IO) *cobra.Command {
	var o resumeOptions
	cmd := &cobra.Command{
		Use:   "resume [ID | --last] [--fork]",
		Short: "Continue a saved session",
		Long: `Continue a saved session with its conversation, plan and pending proposal. ID is a session id
from 'hew sessions' or a unique prefix of one; --last takes the newest session of this
repository. --fork continues a copy under a new id and leaves the original as it was.

Headless, 'hew exec --resume ID "next prompt"' continues a session with one more task.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			if id == "" && !o.last {
				return usageError("name the session to resume (see 'hew sessions') or pass --last")
			}
			id, err := resumeTarget(ios, id, o.last)
			if err != nil {
				return engineError(err)
			}
			if o.fork {
				if id, err = engine.ForkSession(ios.Getenv, id); err != nil {
					return engineError(err)
				}
				fmt.Fprintf(ios.ErrOut, "forked as session %s\n", id)
			}
			return resumeInteractive(cmd, ios, id)
		},
	}
	cmd.Flags().BoolVar(&o.last, "last", false, "resume the newest session of this repository")
	cmd.Flags().BoolVar(&o.fork, "fork", false, "continue a copy of the session under a new id")
	return cmd
}

// resumeInteractive opens session id in the interactive UI.
func resumeInteractive(cmd *cobra.Command, ios *IO, id string) error {
	return runInteractiveSession(cmd, ios, id, "")
}
