package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"hew/agent/engine"
)

// resumeOptions are the flags and arguments of `hew resume`.
type resumeOptions struct {
	IO   *IO
	ID   string // "" with Last
	Last bool
	Fork bool
	// Session holds the model flags given, which switch the session to another model.
	Session sessionFlags
}

func newResumeCmd(ios *IO, runF func(*resumeOptions) error) *cobra.Command {
	o := &resumeOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "resume [ID | --last] [--fork]",
		Short: "Continue a saved session",
		Long: `Continue a saved session with its conversation, plan and pending proposal. ID is a session id
from 'hew sessions' or a unique prefix of one; --last takes the newest session of this
repository. --fork continues a copy under a new id and leaves the original as it was.

The session continues on the provider and model it last ran on (a Bedrock session with its
region and profile), whatever the configuration names; --provider, --model, --region and
--profile switch it, and the transcript says so. /model switches later.

Headless, 'hew exec --resume ID "next prompt"' continues a session with one more task.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.ID = args[0]
			}
			o.Session = givenSessionFlags(cmd.Flags())
			if o.ID == "" && !o.Last {
				return usageError("name the session to resume (see 'hew sessions') or pass --last")
			}
			var err error
			if o.ID, o.Last, err = resumeFlags(o.ID, o.Last); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return runResume(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Last, "last", false, "resume the newest session of this repository")
	cmd.Flags().BoolVar(&o.Fork, "fork", false, "continue a copy of the session under a new id")
	addModelFlags(cmd.Flags())
	return cmd
}

// runResume opens the session o names in the interactive UI, or a fork of it.
func runResume(ctx context.Context, o *resumeOptions) error {
	ios := o.IO
	id, err := resumeTarget(ios, o.ID, o.Last)
	if err != nil {
		return engineError(err)
	}
	if o.Fork {
		if id, err = engine.ForkSession(ios.Getenv, id); err != nil {
			return engineError(err)
		}
		fmt.Fprintf(ios.ErrOut, "forked as session %s\n", id)
	}
	return runInteractiveSession(ctx, ios, o.Session, id, "")
}
