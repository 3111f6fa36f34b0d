package main

import "github.com/spf13/cobra"

func newUndoCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "undo",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew undo is not built yet")
		},
	}
}
