package main

import "github.com/spf13/cobra"

func newExecCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "exec",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew exec is not built yet")
		},
	}
}
