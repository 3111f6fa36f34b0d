package main

import "github.com/spf13/cobra"

func runInteractive(cmd *cobra.Command, io *IO, args []string) error {
	return usageError("the interactive UI is not built yet; use 'hew exec'")
}
