package main

import "github.com/spf13/cobra"

func newPatchCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "patch",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew patch is not built yet")
		},
	}
}
