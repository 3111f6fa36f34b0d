package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hew/agent/llm/awscreds"
	"hew/agent/llm/bedrock"
	"hew/agent/llm/catalog"
	"hew/gitops"
	"hew/sandbox"
)

// doctorOptions are the flags of `hew doctor`: none yet.
type doctorOptions struct {
	IO *IO
}

func newDoctorCmd(ios *IO, runF func(*doctorOptions) error) *cobra.Command {
	o := &doctorOptions{IO: ios}
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check configuration, credentials, sandbox and git identity",
		Long: `Check what hew would use here: the configuration files read, the provider and model,
where credentials come from (never printing them), which sandbox backend contains commands
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
	m, ok := cat.Lookup(cfg.Provider, model)
	if !ok {
		say("  (not in the catalogue: no prices or context window known; see 'hew models')")
	}
	doctorRoles(cfg, say, bad)

	say("credentials")
	switch cfg.Provider {
	case "bedrock":
		r, err := awscreds.Check(ctx, awscreds.Options{Region: cfg.Bedrock.Region, Profile: cfg.Bedrock.Profile,
			BearerToken: cfg.BedrockToken, Getenv: ios.Getenv}, 3*time.Second)
		if err != nil {
			bad("%v", err)
			break
		}
		for _, line := range strings.Split(strings.TrimSpace(r.String()), "\n") {
			say("  %s", line)
		}
		say("  route:       %s for %s", bedrock.Route(m), model)
		if r.Problem != "" {
			problems++
		}
	default:
		base := cfg.OpenAI.BaseURL
		if base == "" {
			base = "https://api.openai.com/v1"
		}
		say("  endpoint: %s", base)
		switch {
		case cfg.OpenAIKey != "":
			say("  API key:  OPENAI_API_KEY is set (%d characters)", len(cfg.OpenAIKey))
		case cfg.OpenAI.BaseURL == "":
			bad("OPENAI_API_KEY is not set; export it, or set OPENAI_BASE_URL for a local server")
		default:
			say("  API key:  none (fine for local servers that need none)")
		}
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
