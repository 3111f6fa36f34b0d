package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"hew/agent/config"
	"hew/agent/llm"
	"hew/agent/llm/catalog"
)

// Ref names a model on a provider, as the model roles, fallback lists and `hew exec --try`
// write it: "openai:ID", "bedrock:ID", "bedrock:ID@REGION" (another AWS region than the
// configured one), or a bare ID.
type Ref struct {
	Provider string
	ID       string
	// Region, for Bedrock, replaces the configured region; "" keeps it.
	Region string
}

// String writes r as "provider:id" or "bedrock:id@region".
func (r Ref) String() string {
	if r.Region != "" {
		return r.Provider + ":" + r.ID + "@" + r.Region
	}
	return r.Provider + ":" + r.ID
}

// ParseRef reads a model reference. A bare id (Bedrock ids hold colons of their own, so only
// "openai:" and "bedrock:" are read as a provider) is on the provider of the [[models]] entry
// that declares it, else of the only catalogue provider that lists it, else the configured one.
func ParseRef(cfg config.Config, s string) (Ref, error) {
	s = strings.TrimSpace(s)
	if prov, id, ok := strings.Cut(s, ":"); ok && (prov == "openai" || prov == "bedrock") {
		id = strings.TrimSpace(id)
		r := Ref{Provider: prov, ID: id}
		if at := strings.LastIndex(id, "@"); prov == "bedrock" && at >= 0 {
			r.ID, r.Region = id[:at], id[at+1:]
			if !regionRE.MatchString(r.Region) {
				return Ref{}, fmt.Errorf("model reference %q: %q is not an AWS region such as us-west-2", s, r.Region)
			}
		}
		if r.ID == "" {
			return Ref{}, fmt.Errorf("model reference %q names no model: write %s:MODEL_ID", s, prov)
		}
		return r, nil
	}
	if s == "" {
		return Ref{}, fmt.Errorf("empty model reference: write openai:MODEL_ID, bedrock:MODEL_ID or a model id")
	}
	for _, o := range cfg.Models {
		if o.ID == s && o.Provider != "" {
			return Ref{Provider: o.Provider, ID: s}, nil
		}
	}
	cat, err := catalog.Default().Merge(cfg.Models)
	if err != nil {
		cat = catalog.Default() // the bad override is reported where the model is used
	}
	var found []string
	for _, p := range []string{"openai", "bedrock"} {
		if _, ok := cat.Lookup(p, s); ok {
			found = append(found, p)
		}
	}
	if len(found) == 1 {
		return Ref{Provider: found[0], ID: s}, nil
	}
	return Ref{Provider: cfg.Provider, ID: s}, nil
}

// regionRE matches an AWS region name such as us-east-1 or us-gov-west-1.
var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

// ParseRefs reads a comma-separated list of model references.
func ParseRefs(cfg config.Config, list string) ([]Ref, error) {
	var out []Ref
	for _, s := range strings.Split(list, ",") {
		r, err := ParseRef(cfg, s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Client is a model with the provider that serves it.
type Client struct {
	Provider llm.Provider
	Model    catalog.Model
	// Known reports that the catalogue lists the model (and so its price).
	Known bool
}

// Cost prices a call's usage, or nil when the model's price is unknown.
func (c Client) Cost() func(llm.Usage) float64 {
	if !c.Known {
		return nil
	}
	return c.Model.Cost
}

// ForRef makes the client of the model r names, with the configuration's settings for r's
// provider (region, base URL, timeouts, retries).
func ForRef(ctx context.Context, cfg config.Config, r Ref, getenv func(string) string) (Client, error) {
	cfg = WithRef(cfg, r)
	m, err := Model(cfg)
	if err != nil {
		return Client{}, err
	}
	cat, _ := catalog.Default().Merge(cfg.Models)
	_, known := cat.Lookup(r.Provider, r.ID)
	p, err := New(ctx, cfg, m, getenv)
	if err != nil {
		return Client{}, fmt.Errorf("%s: %w", r, err)
	}
	return Client{Provider: p, Model: m, Known: known}, nil
}

// WithRef returns cfg with r as its provider and model (and region).
func WithRef(cfg config.Config, r Ref) config.Config {
	cfg.Provider, cfg.Model = r.Provider, r.ID
	if r.Region != "" {
		cfg.Bedrock.Region = r.Region
	}
	return cfg
}
