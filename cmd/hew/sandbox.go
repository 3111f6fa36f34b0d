package main

import "github.com/spf13/cobra"

func newSandboxCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "sandbox",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew sandbox is not built yet")
		},
	}
}
