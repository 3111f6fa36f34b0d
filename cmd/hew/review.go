package main

import "github.com/spf13/cobra"

func newReviewCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "review",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew review is not built yet")
		},
	}
}
