package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"hew/agent/config"
	"hew/agent/llm"
	"hew/agent/llm/provider"
	"hew/tui/firstrun"
)

// needsSetup reports whether err, met opening a session with cfg, means no model provider is
// set up — no OpenAI key or server, no Bedrock region or profile — which the first-run screen
// sets up. Other configuration errors are reported as they are.
func needsSetup(cfg config.Config, err error) bool {
	if llm.KindOf(err) != llm.ErrConfig {
		return false
	}
	return cfg.Provider == "bedrock" || cfg.OpenAIKey == "" && cfg.OpenAI.BaseURL == ""
}

// setUpProvider shows the first-run screen, which checks the user's choice with the same
// provider.Check as `hew doctor` and saves it to the user's config file. It returns the file
// the choice was saved to, or "" when the user left without saving.
func setUpProvider(ctx context.Context, ios *IO, cfg config.Config, reason error) (string, error) {
	_, saved, err := firstrun.Run(ctx, firstRunOptions(ios, cfg, reason))
	if err != nil {
		return "", fmt.Errorf("first-run screen: %w", err)
	}
	return saved, nil
}

// firstRunOptions are the first-run screen's options over cfg, the configuration without a
// working provider: it checks with provider.Check, as `hew doctor` does, and saves with
// config.SaveUser.
func firstRunOptions(ios *IO, cfg config.Config, reason error) firstrun.Options {
	kind := firstrun.OpenAI
	switch {
	case cfg.Provider == "bedrock":
		kind = firstrun.Bedrock
	case cfg.OpenAI.BaseURL != "":
		kind = firstrun.Compatible
	}
	return firstrun.Options{
		Reason:     setupReason(reason),
		ConfigPath: tilde(ios, config.UserFile(ios.Getenv)),
		Prefill: firstrun.Choice{Kind: kind, BaseURL: cfg.OpenAI.BaseURL,
			Profile: cfg.Bedrock.Profile, Region: cfg.Bedrock.Region},
		DefaultModel: func(kind string) string {
			n := choiceConfig(cfg, firstrun.Choice{Kind: kind}, ios)
			return n.ModelOrDefault()
		},
		Check: func(ctx context.Context, c firstrun.Choice) firstrun.Report {
			if c.KeyEnv != "" && ios.Getenv(c.KeyEnv) == "" {
				return firstrun.Report{Problems: []string{"$" + c.KeyEnv + " is not set in hew's environment: export it and start hew again, or type the key itself"}}
			}
			r := provider.Check(ctx, choiceConfig(cfg, c, ios), ios.Getenv, true)
			return firstrun.Report{Lines: r.Lines, Problems: r.Problems, Models: r.Models}
		},
		Save: func(c firstrun.Choice) (string, error) { return config.SaveUser(ios.Getenv, choiceValues(cfg, c)) },
	}
}

// setupReason says why a provider must be set up, from the error met without one: the
// provider's message without its hint, which the first-run screen replaces.
func setupReason(err error) string {
	var e *llm.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// choiceConfig is cfg as it will be once choice c is saved.
func choiceConfig(cfg config.Config, c firstrun.Choice, ios *IO) config.Config {
	n := cfg
	switch c.Kind {
	case firstrun.Bedrock:
		n.Provider = "bedrock"
		n.Bedrock.Profile, n.Bedrock.Region = c.Profile, c.Region
	default:
		n.Provider = "openai"
		n.OpenAI.BaseURL = c.BaseURL
		n.OpenAIKey, n.OpenAIKeyFrom = c.APIKey, "" // typed: not in the file yet
		if c.KeyEnv != "" {
			n.OpenAIKey, n.OpenAIKeyFrom = ios.Getenv(c.KeyEnv), c.KeyEnv
		}
	}
	if n.Provider != cfg.Provider {
		n.Model = ""
	}
	if c.Model != "" {
		n.Model = c.Model
	}
	return n
}

// choiceValues are the settings that record choice c in the user's config file.
func choiceValues(cfg config.Config, c firstrun.Choice) []config.Value {
	var vs []config.Value
	switch c.Kind {
	case firstrun.Bedrock:
		vs = []config.Value{{Key: "provider", Value: "bedrock"}, {Key: "bedrock.profile", Value: c.Profile}, {Key: "bedrock.region", Value: c.Region}}
	default:
		vs = []config.Value{{Key: "provider", Value: "openai"}, {Key: "openai.base_url", Value: c.BaseURL},
			{Key: "openai.api_key", Value: c.APIKey}, {Key: "openai.api_key_env", Value: c.KeyEnv}}
	}
	switch {
	case c.Model != "":
		vs = append(vs, config.Value{Key: "model", Value: c.Model})
	case vs[0].Value != cfg.Provider:
		vs = append(vs, config.Value{Key: "model"}) // the old provider's model
	}
	return vs
}

// tilde writes path with the home directory as ~, for people.
func tilde(ios *IO, path string) string {
	if home := ios.Getenv("HOME"); home != "" && home != "/" {
		if rest, ok := strings.CutPrefix(path, strings.TrimSuffix(home, "/")+"/"); ok {
			return "~/" + rest
		}
	}
	return path
}
