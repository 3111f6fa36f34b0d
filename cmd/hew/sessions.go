package main

import "github.com/spf13/cobra"

func newSessionsCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "sessions",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew sessions is not built yet")
		},
	}
}
