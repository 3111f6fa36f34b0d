package main

import "github.com/spf13/cobra"

func newDoctorCmd(io *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("hew doctor is not built yet")
		},
	}
}
