package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"hew/cmd/hew/internal/sandboxcli"
	"hew/sandbox"
)

// sandboxOptions are the flags and arguments of `hew sandbox`.
type sandboxOptions struct {
	IO *IO
	sandboxcli.Options
}

func newSandboxCmd(ios *IO, runF func(*sandboxOptions) error) *cobra.Command {
	o := &sandboxOptions{IO: ios}
	var policy string
	cmd := &cobra.Command{
		Use:   "sandbox [--network] [--timeout S] [--policy P] [--backend B] -- CMD...",
		Short: "Run a command in the sandbox, as the agent would",
		Long: `Run a command contained as the agent's commands are: the current directory is the workspace
and the only writable place besides a private temp dir and a scratch HOME; .git is read-only;
credential files are unreadable; API keys and tokens are removed from the environment; the
network is off unless --network. hew exits with the command's status.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Policy, err = sandbox.ParsePolicy(policy); err != nil {
				return usageError("%v", err)
			}
			if o.Timeout <= 0 {
				return usageError("--timeout must be positive, e.g. --timeout 30s")
			}
			o.Command = sandboxcli.ShellCommand(args)
			if runF != nil {
				return runF(o)
			}
			return runSandbox(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Network, "network", false, "allow network access")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", sandboxcli.DefaultTimeout, "kill the command and everything it started after this long (e.g. 30s)")
	cmd.Flags().StringVar(&policy, "policy", string(sandbox.PolicyWorkspaceWrite), "read-only, workspace-write or full-access")
	cmd.Flags().StringVar(&o.Backend, "backend", sandbox.BackendAuto, "auto, bwrap, namespaces, landlock, sandbox-exec or none")
	return cmd
}

// runSandbox runs the command with package sandboxcli, which also runs plain `hew sandbox`
// command lines before the rest of hew initializes.
func runSandbox(ctx context.Context, o *sandboxOptions) error {
	ios := o.IO
	err := sandboxcli.Run(ctx, o.Options, sandboxcli.IO{Dir: ios.Dir, Env: ios.Env, In: ios.In, Out: ios.Out, ErrOut: ios.ErrOut})
	var e *sandboxcli.Error
	if errors.As(err, &e) {
		return &exitError{code: e.Code, err: e.Err}
	}
	return err
}
