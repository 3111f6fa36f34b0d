package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"hew/agent/llm/catalog"
	"hew/agent/llm/provider"
	"hew/gitops"
	"hew/sandbox"
)

// doctorOptions are the flags of `hew doctor`.
type doctorOptions struct {
	IO      *IO
	Offline bool // do not ask the model server for its models
}

func newDoctorCmd(ios *IO, runF func(*doctorOptions) error) *cobra.Command {
	o := &doctorOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check configuration, credentials, sandbox and git identity",
		Long: `Check what hew would use here: the configuration files read, the provider and model,
where credentials come from (never printing them) and whether they work — the provider's
server is asked for its model list, as the first-run screen asks it —, which sandbox backend contains commands
and why better ones are unavailable, and the git identity commits would be made with.

Exits 1 when something would stop 'hew exec' from working, 0 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return runDoctor(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Offline, "offline", false, "check the configuration without asking the model server")
	return cmd
}

func runDoctor(ctx context.Context, o *doctorOptions) error {
	ios := o.IO
	problems := 0
	say := func(format string, args ...any) { fmt.Fprintf(ios.Out, format+"\n", args...) }
	bad := func(format string, args ...any) {
		problems++
		say("  ✗ "+format, args...)
	}

	say("configuration")
	cfg, err := loadConfig(ios, sessionFlags{})
	if err != nil {
		bad("%v", err)
	} else if len(cfg.Files) == 0 {
		say("  no config files; defaults and environment")
	} else {
		say("  read %s", strings.Join(cfg.Files, ", "))
	}
	switch p := cfg.Project; {
	case p.Path == "":
	case p.Trusted:
		say("  %s is trusted: all of it applies", p.Path)
	case len(p.Ignored) > 0:
		say("  %s is not trusted: ignored %s ('hew trust' trusts it)", p.Path, strings.Join(p.IgnoredKeys(), ", "))
	default:
		say("  %s is not trusted, and sets nothing that needs trust", p.Path)
	}

	model := cfg.ModelOrDefault()
	say("model\n  %s / %s", cfg.Provider, model)
	cat, err := catalog.Default().Merge(cfg.Models)
	if err != nil {
		bad("%v", err)
		cat = catalog.Default()
	}
	if _, ok := cat.Lookup(cfg.Provider, model); !ok {
		say("  (not in the catalogue: no prices or context window known; see 'hew models')")
	}
	doctorRoles(cfg, cat, say, bad)

	say("credentials")
	r := provider.Check(ctx, cfg, ios.Getenv, !o.Offline)
	for _, line := range r.Lines {
		say("  %s", line)
	}
	for _, p := range r.Problems {
		bad("%s", p)
	}
	if r.Asked && r.OK() && !slices.Contains(r.Models, model) && len(r.Models) > 0 {
		say("  (the server does not list %s; 'hew models --available' lists what it serves)", model)
	}

	say("sandbox")
	rep := sandbox.Detect(sandbox.Options{Backend: cfg.Sandbox.Backend})
	for _, line := range strings.Split(strings.TrimSpace(rep.String()), "\n") {
		say("  %s", strings.TrimSpace(line))
	}
	say("  policy: %s, network %s", cfg.Sandbox.Policy, map[bool]string{true: "on", false: "off"}[cfg.Sandbox.Network])
	if rep.Backend == sandbox.BackendNone && cfg.Sandbox.Policy != string(sandbox.PolicyFullAccess) {
		bad("no sandbox backend works here, so commands and tests will be refused")
	}

	say("git")
	repo, err := gitops.OpenWith(ios.Dir, gitops.Options{Getenv: ios.Getenv})
	if err != nil {
		bad("%v", err)
	} else {
		say("  repository: %s", repo.Root())
		if h, err := repo.Head(); err == nil {
			say("  HEAD: %s", firstNonEmpty(h.Branch, "detached at "+h.Hash))
		}
		if id, err := repo.AuthorIdentity(ctx); err != nil {
			bad("%v", err)
		} else {
			say("  identity: %s <%s>", id.Name, id.Email)
			if id.NameFrom != "" {
				say("    name from %s; email from %s", id.NameFrom, id.EmailFrom)
			}
		}
	}
	if problems > 0 {
		return silentExit(exitFailed)
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
