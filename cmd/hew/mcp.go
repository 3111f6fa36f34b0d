package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"hew/agent/codereview"
	"hew/agent/config"
	"hew/agent/engine"
	"hew/agent/mcp"
	"hew/agent/termsafe"
	"hew/cmd/hew/internal/mcpserve"
	"hew/cmd/hew/internal/versioncli"
	"hew/sandbox"
)

func newMCPCmd(ios *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Manage the MCP servers whose tools the model is offered, or serve hew over MCP",
		Long: `Model Context Protocol servers give the model more tools: an issue tracker, a database,
documentation, internal APIs. Configure them in your config file as [mcp_servers.NAME] tables
(see the README's "MCP servers"), or with 'hew mcp add'. Their tools are offered to the model
as mcp__NAME__TOOL. Each call of a tool asks you first (allow once, for the session, always, or
deny) unless the server's allowed_tools lists it; 'hew exec', which cannot ask, denies such
calls and tells the model. Stdio servers run in the sandbox (the repository read-only, the
network off unless network = true) unless sandbox = false.

A repository's .hew/config.toml cannot add MCP servers until you trust it ('hew trust').`,
	}
	cmd.AddCommand(newMCPListCmd(ios, nil), newMCPAddCmd(ios, nil), newMCPRemoveCmd(ios), newMCPServeCmd(ios))
	return cmd
}

// mcpListOptions are the flags of `hew mcp list`.
type mcpListOptions struct {
	IO      *IO
	JSON    bool
	Session sessionFlags
}

func newMCPListCmd(ios *IO, runF func(*mcpListOptions) error) *cobra.Command {
	o := &mcpListOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "Start each configured MCP server and list its state and tools",
		Long: `Start each enabled MCP server as a session would (in the sandbox, with its start-up
timeout), list its state — ready, failed (and why), disabled — and its tools as the model sees
them, marking those allowed without asking. The servers are stopped again at the end.
Exit code 1 when an enabled server failed to start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Session = givenSessionFlags(cmd.Flags())
			if runF != nil {
				return runF(o)
			}
			return runMCPList(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the servers as JSON")
	addTrustFlag(cmd.Flags())
	return cmd
}

func runMCPList(ctx context.Context, o *mcpListOptions) error {
	ios := o.IO
	cfg, err := loadConfig(ios, o.Session)
	if err != nil {
		return err
	}
	warnIgnored(ios, cfg)
	if len(cfg.MCPServers) == 0 && !o.JSON {
		fmt.Fprintln(ios.Out, "No MCP servers are configured. Add one with 'hew mcp add NAME -- COMMAND [ARGS...]' or 'hew mcp add NAME --url URL'.")
		return nil
	}
	root := findRepoRoot(ios.Dir)
	if root == "" {
		root = ios.Dir
	}
	sbOpts := sandbox.Options{Backend: cfg.Sandbox.Backend, ReadPaths: config.ExpandHome(cfg.Sandbox.ReadPaths, ios.Getenv)}
	m := mcp.Start(ctx, mcp.Options{Servers: cfg.MCPServers, Env: ios.Env, Workspace: root,
		Sandbox: sbOpts})
	defer m.Close()
	st := m.Status()
	if o.JSON {
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		if st == nil {
			st = []mcp.Status{}
		}
		if err := enc.Encode(st); err != nil {
			return failure(err)
		}
	} else {
		writeMCPStatus(ios.Out, st)
	}
	for _, s := range st {
		if s.State == mcp.StateFailed {
			return silentExit(exitFailed)
		}
	}
	return nil
}

// writeMCPStatus lists servers and their tools for people.
func writeMCPStatus(w io.Writer, st []mcp.Status) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range st {
		where := s.Transport
		if s.Transport == "stdio" {
			where = "stdio, sandboxed"
			if !s.Sandboxed {
				where = "stdio, NOT sandboxed"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.State, where, termsafe.Clean(s.Target))
		if s.Detail != "" {
			fmt.Fprintf(tw, "  %s\n", termsafe.Clean(s.Detail))
		}
		for _, t := range s.Tools {
			mark := "asks"
			if t.Allowed {
				mark = "allowed"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", t.Offered, mark, termsafe.Clean(t.Description))
		}
	}
	tw.Flush()
}

// mcpAddOptions are the flags and arguments of `hew mcp add`.
type mcpAddOptions struct {
	IO      *IO
	Name    string
	Server  config.MCPServer
	Env     []string
	Headers []string
	NoSB    bool
	Off     bool
}

func newMCPAddCmd(ios *IO, runF func(*mcpAddOptions) error) *cobra.Command {
	o := &mcpAddOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "add NAME [flags] (--url URL | -- COMMAND [ARGS...])",
		Short: "Add an MCP server to your config file",
		Long: `Add [mcp_servers.NAME] to your config file (comments and the rest of the file are kept).

  hew mcp add docs -- npx -y @acme/docs-mcp --stdio
  hew mcp add tracker --url https://mcp.example.com/mcp --header 'Authorization=Bearer $TRACKER_TOKEN'
  hew mcp add db --env 'DB_URL=$DB_URL' --allow query -- db-mcp

Values of --env and --header may name environment variables as $NAME: they are read when the
server starts, so the token stays out of the file. --allow TOOL lets the model call that tool
without asking ("*" for every tool). --network lets a sandboxed server use the network;
--no-sandbox runs it with your own rights (see docs/security.md).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				if dash != 1 {
					return usageError("give the server's NAME before --, then the command")
				}
				if len(args) > 1 {
					o.Server.Command, o.Server.Args = args[1], args[2:]
				}
			} else if len(args) > 1 {
				return usageError("put the server's command after --: hew mcp add %s -- %s", args[0], strings.Join(args[1:], " "))
			}
			if err := o.build(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			if err := config.AddMCPServer(ios.Getenv, o.Name, o.Server); err != nil {
				return usageError("%v", err)
			}
			fmt.Fprintf(ios.Out, "added MCP server %s to %s; 'hew mcp list' starts it and lists its tools\n", o.Name, config.UserFile(ios.Getenv))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Server.URL, "url", "", "the URL of a streamable HTTP server")
	f.StringArrayVar(&o.Headers, "header", nil, "an HTTP header NAME=VALUE ($VAR reads the environment); repeatable")
	f.StringArrayVar(&o.Env, "env", nil, "an environment variable NAME=VALUE for a stdio server ($VAR reads the environment); repeatable")
	f.StringVar(&o.Server.Cwd, "cwd", "", "the stdio server's working directory, relative to the repository root")
	f.StringArrayVar(&o.Server.AllowedTools, "allow", nil, "a tool the model may call without asking (\"*\" for all); repeatable")
	f.BoolVar(&o.Server.Network, "network", false, "let the sandboxed server use the network")
	f.BoolVar(&o.NoSB, "no-sandbox", false, "run the stdio server outside the sandbox, with your rights")
	f.BoolVar(&o.Off, "disabled", false, "add it disabled (enabled = false)")
	f.Var(durationFlag{&o.Server.StartupTimeout}, "startup-timeout", "how long the server may take to start (default 30s)")
	f.Var(durationFlag{&o.Server.ToolTimeout}, "tool-timeout", "how long one tool call may take (default 120s)")
	return cmd
}

// build completes the server from the repeatable flags.
func (o *mcpAddOptions) build() error {
	var err error
	if o.Server.Env, err = pairs("--env", o.Env); err != nil {
		return err
	}
	if o.Server.Headers, err = pairs("--header", o.Headers); err != nil {
		return err
	}
	if o.NoSB {
		o.Server.Sandbox = new(bool)
	}
	if o.Off {
		o.Server.Enabled = new(bool)
	}
	if err := config.CheckMCPName(o.Name); err != nil {
		return usageError("%v", err)
	}
	if err := o.Server.Check(); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// pairs parses NAME=VALUE flags.
func pairs(flag string, list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usageError("%s %q: write NAME=VALUE", flag, kv)
		}
		m[strings.TrimSpace(k)] = v
	}
	return m, nil
}

// durationFlag is a config.Duration as a flag.
type durationFlag struct{ d *config.Duration }

func (f durationFlag) String() string {
	if f.d == nil || f.d.Duration == 0 {
		return ""
	}
	return f.d.String()
}
func (f durationFlag) Set(s string) error { return f.d.UnmarshalText([]byte(s)) }
func (f durationFlag) Type() string       { return "duration" }

func newMCPRemoveCmd(ios *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove an MCP server from your config file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ok, err := config.RemoveMCPServer(ios.Getenv, args[0])
			if err != nil {
				return usageError("%v", err)
			}
			if !ok {
				return usageError("no MCP server %q in %s ('hew mcp list' shows the configured ones)", args[0], config.UserFile(ios.Getenv))
			}
			fmt.Fprintf(ios.Out, "removed MCP server %s from %s\n", args[0], config.UserFile(ios.Getenv))
			return nil
		},
	}
}

func newMCPServeCmd(ios *IO) *cobra.Command {
	var flags sessionFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve hew as an MCP server over stdio (run_task, review_diff)",
		Long: `Serve hew over MCP on standard input and output, for other agents and editors:

  run_task {prompt}        run a task in this repository as 'hew exec --accept never' does:
                           the model works in a proposal layer and nothing is written to your
                           tree; the tests run on the proposal, and the proposal comes back as
                           a unified diff with the test result and the hew session id
                           ('hew resume ID' reviews and accepts it)
  review_diff {diff | base | commit}
                           review a unified diff (applied to the working tree in memory), the
                           uncommitted changes (no argument), a branch against base, or one
                           commit, as 'hew review' does

Tasks run one at a time, with your configuration as 'hew exec' reads it; commands run in the
sandbox, and calls of MCP tools that need approval are denied, as in 'hew exec'. Progress is
not printed: standard output carries the protocol.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flags = givenSessionFlags(cmd.Flags())
			return runMCPServe(cmd.Context(), ios, flags)
		},
	}
	addSessionFlags(cmd.Flags())
	return cmd
}

func runMCPServe(ctx context.Context, ios *IO, flags sessionFlags) error {
	cfg, err := loadConfig(ios, flags)
	if err != nil {
		return err
	}
	root := findRepoRoot(ios.Dir)
	if root == "" {
		return usageError("%s is not in a git repository: hew mcp serve works on one", ios.Dir)
	}
	warnIgnored(ios, cfg)
	o := mcpserve.Options{Version: versioncli.Number(), Root: root,
		Engine: func(ctx context.Context) (*engine.Engine, error) {
			c := cfg
			c.Accept = engine.AcceptNever
			return engine.New(ctx, engine.Options{Config: c, Dir: ios.Dir, Env: ios.Env, Getenv: ios.Getenv})
		},
		Review: func(ctx context.Context) (codereview.Options, error) {
			return reviewerOptions(ctx, cfg, ios.Getenv) // review_model, else the configured model
		}}
	in, out := ios.In, ios.Out
	err = mcpserve.Run(ctx, o, io.NopCloser(in), nopWriteCloser{out})
	if err != nil && ctx.Err() == nil && !strings.Contains(err.Error(), "EOF") {
		return failure(fmt.Errorf("mcp serve: %w", err))
	}
	return nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
