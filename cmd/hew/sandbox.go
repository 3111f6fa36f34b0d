package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hew/sandbox"
)

// sandboxOptions are the flags and arguments of `hew sandbox`.
type sandboxOptions struct {
	IO      *IO
	Command string // the arguments as one shell command (see shellCommand)
	Network bool
	Timeout time.Duration
	Policy  sandbox.Policy
	Backend string
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
			o.Command = shellCommand(args)
			if runF != nil {
				return runF(o)
			}
			return runSandbox(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Network, "network", false, "allow network access")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 10*time.Minute, "kill the command and everything it started after this long (e.g. 30s)")
	cmd.Flags().StringVar(&policy, "policy", string(sandbox.PolicyWorkspaceWrite), "read-only, workspace-write or full-access")
	cmd.Flags().StringVar(&o.Backend, "backend", sandbox.BackendAuto, "auto, bwrap, namespaces, landlock, sandbox-exec or none")
	return cmd
}

func runSandbox(ctx context.Context, o *sandboxOptions) error {
	ios := o.IO
	sb, err := sandbox.New(sandbox.Options{Backend: o.Backend, VerdictFile: bwrapVerdictFile(ios)})
	if err != nil {
		return usageError("%v", err)
	}
	spec := sandbox.Spec{
		Command:     o.Command,
		Workspace:   ios.Dir,
		Policy:      o.Policy,
		Network:     o.Network,
		Env:         ios.Env,
		Timeout:     o.Timeout,
		OutputLimit: 1 << 20,
		Stdin:       ios.In,
	}
	res, err := sb.Run(ctx, spec)
	if res.Backend != "" {
		network := "off"
		if o.Network {
			network = "on"
		}
		fmt.Fprintf(ios.ErrOut, "hew sandbox: %s, %s, network %s\n", res.Backend, o.Policy, network)
	}
	for _, n := range res.Notices {
		fmt.Fprintf(ios.ErrOut, "hew sandbox: %s\n", n)
	}
	fmt.Fprint(ios.Out, res.Output)
	if res.Stopped != "" {
		fmt.Fprintf(ios.ErrOut, "hew sandbox: %s\n", res.Stopped)
	}
	switch {
	case errors.Is(err, sandbox.ErrNoContainment):
		return failure(err)
	case err != nil:
		return err
	case res.TimedOut:
		return failure(fmt.Errorf("the command timed out after %v; it and everything it started were killed", o.Timeout))
	case res.ExitCode != 0:
		return silentExit(res.ExitCode)
	}
	return nil
}

// bwrapVerdictFile is where hew remembers that bubblewrap works on this machine, so that each
// `hew sandbox` need not start it twice: $XDG_CACHE_HOME/hew/bwrap-verdict, else under
// ~/.cache; "" (check every time) without either.
func bwrapVerdictFile(ios *IO) string {
	dir := ios.Getenv("XDG_CACHE_HOME")
	if !filepath.IsAbs(dir) {
		home := ios.Getenv("HOME")
		if !filepath.IsAbs(home) {
			return ""
		}
		dir = filepath.Join(home, ".cache")
	}
	return filepath.Join(dir, "hew", "bwrap-verdict")
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
