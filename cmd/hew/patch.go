package main

import (
	"errors"

	"github.com/spf13/cobra"

	"hew/cmd/hew/internal/patchcli"
)

func newPatchCmd(ios *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "patch",
		Short: "Apply patches to the working tree",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newPatchApplyCmd(ios, nil))
	return cmd
}

// patchApplyOptions are the flags and arguments of "hew patch apply".
type patchApplyOptions struct {
	IO *IO
	patchcli.Options
}

func newPatchApplyCmd(ios *IO, runF func(*patchApplyOptions) error) *cobra.Command {
	opts := &patchApplyOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "apply [FILE|-]",
		Short: "Apply a patch (apply_patch format or unified diff) atomically",
		Long: `Apply a patch in the apply_patch format ("*** Begin Patch" ... "*** End Patch") or a unified
diff (as "git diff" writes it), read from FILE or, when FILE is absent or "-", standard input.
Every hunk is checked before any file is written: the patch applies whole or not at all.
Prints one "A path", "M path" or "D path" line per changed file.

Refused, as git apply refuses them: adding a file that exists, moving or renaming onto one
(delete it first in the same patch to replace it), a hunk found in more than one place (an @@
line narrows the search to its block, and hunks come in file order, but they must leave one
place), a hunk that only adds lines
where nothing certain says where (right after its @@ line, at the end of the file, or at a
unified diff's stated line), and a patch whose change is already in the files (applied before).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.File = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runPatchApply(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Check, "check", false, "only check that the patch applies; change nothing")
	cmd.Flags().StringVarP(&opts.Dir, "directory", "C", "", "apply in `DIR` instead of the current directory")
	return cmd
}

func runPatchApply(opts *patchApplyOptions) error {
	ios := opts.IO
	err := patchcli.Run(opts.Options, ios.Dir, ios.In, ios.Out)
	var e *patchcli.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e) && e.Usage:
		return usageError("%v", e.Err)
	}
	return failure(err)
}
