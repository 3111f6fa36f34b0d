package main

import "github.com/spf13/cobra"

func newModelsCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "models",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew models is not built yet")
		},
	}
}
