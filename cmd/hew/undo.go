package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"hew/gitops"
)

// undoOptions are the flags of `hew undo`.
type undoOptions struct {
	IO           *IO
	ToCheckpoint string
	List         bool
}

func newUndoCmd(ios *IO, runF func(*undoOptions) error) *cobra.Command {
	o := &undoOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "undo",
		Short: "Revert the last commit hew made, or restore the files of a checkpoint",
		Long: `Revert the last commit hew made, if that is safe: it must still be HEAD, must not have
been pushed (the branch's upstream does not contain it), and its files must not have changed
since. The branch moves back to the commit's parent and the committed files lose the commit's
change; your other work stays as it was. When any condition fails, hew says why and changes
nothing (exit 1).

--to-checkpoint ID instead restores the working tree as a checkpoint recorded it (hew takes
one before each agent turn); the current state is saved as a checkpoint first. --list shows
the checkpoints.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.List && o.ToCheckpoint != "" {
				return usageError("--list and --to-checkpoint cannot be used together")
			}
			if runF != nil {
				return runF(o)
			}
			return runUndo(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.ToCheckpoint, "to-checkpoint", "", "restore the working tree from checkpoint `ID` (a prefix of 4 or more characters will do)")
	cmd.Flags().BoolVar(&o.List, "list", false, "list the checkpoints, newest first")
	return cmd
}

func runUndo(ctx context.Context, o *undoOptions) error {
	ios := o.IO
	repo, err := gitops.OpenWith(ios.Dir, gitops.Options{Getenv: ios.Getenv})
	if err != nil {
		return usageError("%v", err)
	}
	switch {
	case o.List:
		cps, err := repo.Checkpoints()
		if err != nil {
			return failure(err)
		}
		if len(cps) == 0 {
			fmt.Fprintln(ios.Out, "no checkpoints yet")
		}
		for _, c := range cps {
			fmt.Fprintf(ios.Out, "%s  %s  %s\n", c.ID[:12], c.Time.Local().Format("2006-01-02 15:04:05"), c.Label)
		}
		return nil
	case o.ToCheckpoint != "":
		if err := repo.RestoreCheckpoint(ctx, o.ToCheckpoint); err != nil {
			return failure(err)
		}
		fmt.Fprintf(ios.Out, "restored the working tree from checkpoint %s (the state before is saved as a checkpoint; see 'hew undo --list')\n", o.ToCheckpoint)
		return nil
	}
	res, err := repo.Undo(ctx)
	var refused *gitops.RefusedError
	if errors.As(err, &refused) {
		return failure(err)
	}
	if err != nil {
		return failure(fmt.Errorf("undo: %w", err))
	}
	where := "HEAD"
	if res.Branch != "" {
		where = res.Branch
	}
	fmt.Fprintf(ios.Out, "undid commit %s: %s is back at %s\n", res.Commit[:12], where, res.Parent[:12])
	for _, f := range res.Files {
		fmt.Fprintf(ios.Out, "  restored %s\n", f)
	}
	return nil
}
