package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hew/sandbox"
)

type sandboxOptions struct {
	network bool
	timeout time.Duration
	policy  string
	backend string
}

func newSandboxCmd(ios *IO) *cobra.Command {
	var o sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox [--network] [--timeout S] [--policy P] [--backend B] -- CMD...",
		Short: "Run a command in the sandbox, as the agent would",
		Long: `Run a command contained as the agent's commands are: the current directory is the workspace
and the only writable place besides a private temp dir and a scratch HOME; .git is read-only;
credential files are unreadable; API keys and tokens are removed from the environment; the
network is off unless --network. hew exits with the command's status.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSandbox(cmd, ios, &o, args)
		},
	}
	cmd.Flags().BoolVar(&o.network, "network", false, "allow network access")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "kill the command and everything it started after this long (e.g. 30s)")
	cmd.Flags().StringVar(&o.policy, "policy", string(sandbox.PolicyWorkspaceWrite), "read-only, workspace-write or full-access")
	cmd.Flags().StringVar(&o.backend, "backend", sandbox.BackendAuto, "auto, bwrap, namespaces, landlock, sandbox-exec or none")
	return cmd
}

func runSandbox(cmd *cobra.Command, ios *IO, o *sandboxOptions, args []string) error {
	policy, err := sandbox.ParsePolicy(o.policy)
	if err != nil {
		return usageError("%v", err)
	}
	if o.timeout <= 0 {
		return usageError("--timeout must be positive, e.g. --timeout 30s")
	}
	sb, err := sandbox.New(sandbox.Options{Backend: o.backend})
	if err != nil {
		return usageError("%v", err)
	}
	spec := sandbox.Spec{
		Command:     shellCommand(args),
		Workspace:   ios.Dir,
		Policy:      policy,
		Network:     o.network,
		Env:         os.Environ(),
		Timeout:     o.timeout,
		OutputLimit: 1 << 20,
		Stdin:       ios.In,
	}
	res, err := sb.Run(cmd.Context(), spec)
	if res.Backend != "" {
		network := "off"
		if o.network {
			network = "on"
		}
		fmt.Fprintf(ios.ErrOut, "hew sandbox: %s, %s, network %s\n", res.Backend, policy, network)
	}
	fmt.Fprint(ios.Out, res.Output)
	switch {
	case errors.Is(err, sandbox.ErrNoContainment):
		return failure(err)
	case err != nil:
		return err
	case res.TimedOut:
		return failure(fmt.Errorf("the command timed out after %v; it and everything it started were killed", o.timeout))
	case res.ExitCode != 0:
		return silentExit(res.ExitCode)
	}
	return nil
}

// shellCommand turns arguments into one /bin/sh command: a single argument is taken as shell
// text, several are quoted word by word.
func shellCommand(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}
