package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"hew/agent/config"
	"hew/agent/llm"
	"hew/agent/llm/awscreds"
	"hew/agent/llm/bedrock"
	"hew/agent/llm/catalog"
)

// Report is what Check found out about a configuration's provider, for people. It never holds
// a secret.
type Report struct {
	// Lines describe the endpoint, where the credentials come from and, when the server was
	// asked, what it answered.
	Lines []string
	// Problems say what stops hew from working, each with what to do; none when it works.
	Problems []string
	// Models are the ids the server listed, when it was asked and answered.
	Models []string
	// Asked reports that the server was asked for its models (Check with live).
	Asked bool
}

// OK reports that Check found no problem.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Bounds on the waits of a check: for credentials (instance metadata can be slow to answer off
// EC2), and for the server's model list.
const (
	credentialsTimeout = 3 * time.Second
	listTimeout        = 10 * time.Second
)

// Check checks what cfg's provider needs — an endpoint and credentials — and, when live, asks
// the server for its model list, which proves that both work. `hew doctor` and the first-run
// screen check through it.
func Check(ctx context.Context, cfg config.Config, getenv func(string) string, live bool) Report {
	var r Report
	line := func(format string, args ...any) { r.Lines = append(r.Lines, fmt.Sprintf(format, args...)) }
	model := cfg.ModelOrDefault()
	switch cfg.Provider {
	case "bedrock":
		a, err := awscreds.Check(ctx, awscreds.Options{Region: cfg.Bedrock.Region, Profile: cfg.Bedrock.Profile,
			BearerToken: cfg.BedrockToken, Getenv: getenv}, credentialsTimeout)
		if err != nil {
			r.Problems = append(r.Problems, err.Error())
			return r
		}
		for _, l := range strings.Split(strings.TrimSpace(a.String()), "\n") {
			if !strings.HasPrefix(l, "problem:") {
				r.Lines = append(r.Lines, l)
			}
		}
		cat, _ := catalog.Default().Merge(cfg.Models)
		if cat == nil {
			cat = catalog.Default()
		}
		m, _ := cat.Lookup("bedrock", model)
		line("route:       %s for %s", bedrock.Route(m), model)
		if a.Problem != "" {
			r.Problems = append(r.Problems, a.Problem)
			return r
		}
	default:
		base := cfg.OpenAI.BaseURL
		if base == "" {
			base = "https://api.openai.com/v1"
		}
		line("endpoint: %s", base)
		switch {
		case cfg.OpenAIKey != "":
			line("API key:  %s (%d characters)", keySource(cfg.OpenAIKeyFrom), len(cfg.OpenAIKey))
		case cfg.OpenAI.BaseURL == "":
			r.Problems = append(r.Problems, "OPENAI_API_KEY is not set; export it, save a key with the first-run screen (run hew in a terminal), or set OPENAI_BASE_URL for a local server")
			return r
		default:
			line("API key:  none (fine for local servers that need none)")
		}
	}
	if !live {
		return r
	}
	r.Asked = true
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	list, err := Available(ctx, cfg, getenv)
	if llm.KindOf(err) == llm.ErrPermission {
		// Signed in, but not allowed to list models (an IAM policy granting only
		// bedrock:InvokeModel, a restricted OpenAI key): the model named may still work.
		line("server:   accepted the credentials but does not let them list models (%s); hew uses the model you name", describeErr(err))
		return r
	}
	if err != nil {
		r.Problems = append(r.Problems, "asking the server for its models failed: "+describeErr(err))
		return r
	}
	for _, l := range list {
		r.Models = append(r.Models, l.ID)
	}
	models := fmt.Sprintf("%d models", len(list))
	if len(list) == 1 {
		models = "1 model"
	}
	line("server:   answered; it lists %s", models)
	return r
}

// keySource names where the OpenAI key came from, as Config.OpenAIKeyFrom says.
func keySource(from string) string {
	switch {
	case from == "":
		return "given"
	case strings.ContainsRune(from, '/'):
		return "from " + from + " (openai.api_key)"
	}
	return from + " is set"
}

// describeErr renders a provider error with its hint, or any other error as it is.
func describeErr(err error) string {
	var e *llm.Error
	if errors.As(err, &e) {
		s := e.Message
		if e.Hint != "" {
			s += " (" + e.Hint + ")"
		}
		return s
	}
	return err.Error()
}
