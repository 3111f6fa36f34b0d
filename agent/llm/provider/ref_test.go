package provider

import (
	"strings"
	"testing"

	"hew/agent/config"
	"hew/agent/llm/catalog"
)

func TestParseRef(t *testing.T) {
	cfg := config.Defaults()
	cfg.Models = []catalog.Override{{Provider: "bedrock", ID: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team"}}
	cases := map[string]Ref{
		"openai:gpt-5-mini": {"openai", "gpt-5-mini", ""},
		"bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0": {"bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", ""},
		// A bare id: the only provider the catalogue lists it for, a [[models]] entry's, else the configured one.
		"amazon.nova-micro-v1:0": {"bedrock", "amazon.nova-micro-v1:0", ""},
		"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team": {"bedrock", "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team", ""},
		" my-local-model ": {"openai", "my-local-model", ""},
		"bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0@us-west-2": {"bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us-west-2"},
	}
	for in, want := range cases {
		got, err := ParseRef(cfg, in)
		if err != nil || got != want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if _, err := ParseRef(cfg, "bedrock:amazon.nova-pro-v1:0@mars"); err == nil || !strings.Contains(err.Error(), "not an AWS region") {
		t.Errorf("a bad region: %v", err)
	}
	for _, bad := range []string{"", "openai:", "bedrock:  ", "bedrock:@us-east-1"} {
		if _, err := ParseRef(cfg, bad); err == nil || !strings.Contains(err.Error(), "MODEL_ID") {
			t.Errorf("ParseRef(%q): %v, want an error saying how to write one", bad, err)
		}
	}
	refs, err := ParseRefs(cfg, "openai:gpt-5-mini, bedrock:amazon.nova-pro-v1:0")
	if err != nil || len(refs) != 2 || refs[1].String() != "bedrock:amazon.nova-pro-v1:0" {
		t.Errorf("ParseRefs: %v %v", refs, err)
	}
}
