package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"hew/cmd/hew/internal/versioncli"
)

// `hew --version` and `hew version` are answered by package versioncli as it initializes, before
// the rest of hew does; the command and the flag here answer the same for command lines it
// leaves to cobra (`hew --version --model x`) and for in-process callers such as the tests.

func newVersionCmd(ios *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hew's version, commit and Go toolchain",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(ios.Out, versioncli.Line())
			return err
		},
	}
}
