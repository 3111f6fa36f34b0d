package main

import "github.com/spf13/cobra"

func newResumeCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "resume",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew resume is not built yet")
		},
	}
}
