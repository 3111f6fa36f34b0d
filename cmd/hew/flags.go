package main

import (
	"github.com/spf13/pflag"

	"hew/agent/config"
	"hew/gitops"
)

// loadConfig reads the configuration for the repository around ios.Dir, lays the session flags
// set in f over it (f may lack them, or be nil) and checks it.
func loadConfig(ios *IO, f *pflag.FlagSet) (config.Config, error) {
	cfg, err := config.Load(findRepoRoot(ios.Dir), ios.Getenv)
	if err != nil {
		return cfg, usageError("%v", err)
	}
	if f != nil {
		applySessionFlags(&cfg, f)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError("%v", err)
	}
	return cfg, nil
}

// addSessionFlags registers the flags that shape a session — which model, and how commands
// run — shared by `hew` and `hew exec`.
func addSessionFlags(f *pflag.FlagSet) {
	addModelFlags(f)
	f.String("sandbox", "", "sandbox policy: read-only, workspace-write or full-access")
	f.Bool("network", false, "let commands use the network")
}

// addModelFlags registers the flags that choose the model and how to reach it.
func addModelFlags(f *pflag.FlagSet) {
	f.String("provider", "", "model provider: openai or bedrock")
	f.StringP("model", "m", "", "model id (see 'hew models')")
	f.String("region", "", "AWS region for Bedrock (else AWS_REGION or the profile's)")
	f.String("profile", "", "AWS profile for Bedrock (else AWS_PROFILE)")
}

// applySessionFlags lays the session flags that were set in f over cfg. Flags f does not have
// are skipped.
func applySessionFlags(cfg *config.Config, f *pflag.FlagSet) {
	set := func(name string) bool { return f.Lookup(name) != nil && f.Changed(name) }
	str := func(name string, dst *string) {
		if set(name) {
			*dst, _ = f.GetString(name)
		}
	}
	if set("provider") {
		str("provider", &cfg.Provider)
		if !set("model") {
			cfg.Model = "" // a configured model belongs to the configured provider
		}
	}
	str("model", &cfg.Model)
	str("region", &cfg.Bedrock.Region)
	str("profile", &cfg.Bedrock.Profile)
	str("sandbox", &cfg.Sandbox.Policy)
	if set("network") {
		cfg.Sandbox.Network, _ = f.GetBool("network")
	}
}

// findRepoRoot returns the top of the repository around dir, or "" outside one.
func findRepoRoot(dir string) string {
	repo, err := gitops.Open(dir)
	if err != nil {
		return ""
	}
	return repo.Root()
}
