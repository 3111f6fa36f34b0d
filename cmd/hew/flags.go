package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"hew/agent/config"
	"hew/gitops"
)

// loadConfig reads the configuration for the repository around ios.Dir, lays the session flags
// given over it and checks it.
func loadConfig(ios *IO, flags sessionFlags) (config.Config, error) {
	cfg, err := config.LoadWith(findRepoRoot(ios.Dir), ios.Getenv, config.LoadOptions{TrustProject: flags.TrustProject})
	if err != nil {
		return cfg, usageError("%v", err)
	}
	applySessionFlags(&cfg, flags)
	if err := cfg.Validate(); err != nil {
		return cfg, usageError("%v", err)
	}
	return cfg, nil
}

// warnIgnored says on standard error which settings of an untrusted repository config were
// ignored, for the commands that do not start an engine (which says it as a notice).
func warnIgnored(ios *IO, cfg config.Config) {
	if n := cfg.Project.IgnoredNotice(); n != "" {
		fmt.Fprintf(ios.ErrOut, "warning: %s\n", n)
	}
}

// addSessionFlags registers the flags that shape a session — which model, and how commands
// run — shared by `hew` and `hew exec`.
func addSessionFlags(f *pflag.FlagSet) {
	addModelFlags(f)
	f.String("sandbox", "", "sandbox policy: read-only, workspace-write or full-access")
	f.Bool("network", false, "let commands use the network")
	addTrustFlag(f)
}

// trustFlag applies every setting of the repository's .hew/config.toml for one run.
const trustFlag = "trust-project-config"

// addTrustFlag registers --trust-project-config.
func addTrustFlag(f *pflag.FlagSet) {
	f.Bool(trustFlag, false, "apply every setting of this repository's .hew/config.toml for this run, trusted or not (see 'hew trust')")
}

// addModelFlags registers the flags that choose the model and how to reach it.
func addModelFlags(f *pflag.FlagSet) {
	f.String("provider", "", "model provider: openai or bedrock")
	f.StringP("model", "m", "", "model id (see 'hew models')")
	f.String("region", "", "AWS region for Bedrock (else AWS_REGION or the profile's)")
	f.String("profile", "", "AWS profile for Bedrock (else AWS_PROFILE)")
}

// sessionFlags are the session flags given on a command line (see addSessionFlags); a field is
// nil when its flag was not given or the command has no such flag.
type sessionFlags struct {
	Provider, Model, Region, Profile, Sandbox *string
	Network                                   *bool
	// TrustProject applies the repository's whole config file for this run (--trust-project-config).
	TrustProject bool
}

// givenSessionFlags reads the session flags given in f.
func givenSessionFlags(f *pflag.FlagSet) sessionFlags {
	s := sessionFlags{
		Provider: given(f, "provider", f.GetString),
		Model:    given(f, "model", f.GetString),
		Region:   given(f, "region", f.GetString),
		Profile:  given(f, "profile", f.GetString),
		Sandbox:  given(f, "sandbox", f.GetString),
		Network:  given(f, "network", f.GetBool),
	}
	if v := given(f, trustFlag, f.GetBool); v != nil {
		s.TrustProject = *v
	}
	return s
}

// given returns the value of flag name, read with get, when the flag is in f and was given, and
// nil otherwise: a flag given with its default value still overrides the configuration.
func given[T any](f *pflag.FlagSet, name string, get func(string) (T, error)) *T {
	if fl := f.Lookup(name); fl == nil || !fl.Changed {
		return nil
	}
	v, _ := get(name)
	return &v
}

// setIf sets *dst to *v when v is not nil.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// applySessionFlags lays the session flags given over cfg.
func applySessionFlags(cfg *config.Config, flags sessionFlags) {
	if flags.Provider != nil {
		cfg.Provider = *flags.Provider
		if flags.Model == nil {
			cfg.Model = "" // a configured model belongs to the configured provider
		}
	}
	setIf(&cfg.Model, flags.Model)
	setIf(&cfg.Bedrock.Region, flags.Region)
	setIf(&cfg.Bedrock.Profile, flags.Profile)
	setIf(&cfg.Sandbox.Policy, flags.Sandbox)
	setIf(&cfg.Sandbox.Network, flags.Network)
}

// modelChoice returns what the model flags given (--provider, --model, --region, --profile) lay
// over a configuration, for continuing a saved session on another model than its own; nil when
// none was given, so the session continues on its own (see engine.Options.Choose).
func modelChoice(flags sessionFlags) func(*config.Config) {
	if flags.Provider == nil && flags.Model == nil && flags.Region == nil && flags.Profile == nil {
		return nil
	}
	chosen := sessionFlags{Provider: flags.Provider, Model: flags.Model, Region: flags.Region, Profile: flags.Profile}
	return func(cfg *config.Config) { applySessionFlags(cfg, chosen) }
}

// findRepoRoot returns the top of the repository around dir, or "" outside one.
func findRepoRoot(dir string) string {
	repo, err := gitops.Open(dir)
	if err != nil {
		return ""
	}
	return repo.Root()
}
