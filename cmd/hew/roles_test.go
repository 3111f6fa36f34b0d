package main

import (
	"fmt"
	"strings"
	"testing"

	"hew/agent/config"
	"hew/agent/llm/catalog"
)

func TestDoctorListsRolesAndTheirProblems(t *testing.T) {
	cfg := config.Defaults()
	cfg.Provider, cfg.Model = "bedrock", claude
	cfg.SmallModel = "bedrock:amazon.nova-micro-v1:0"
	cfg.ReviewModel = "openai:gpt-5.5"
	cfg.Fallback = []string{"bedrock:" + claude + "@us-west-2", "bedrock:deepseek.r1-v1:0", "bedrock:x@nowhere"}
	var out, problems []string
	say := func(f string, a ...any) { out = append(out, fmt.Sprintf(f, a...)) }
	bad := func(f string, a ...any) { problems = append(problems, fmt.Sprintf(f, a...)) }
	doctorRoles(cfg, catalog.Default(), say, bad)
	text := strings.Join(out, "\n")
	for _, s := range []string{"small model:  bedrock:amazon.nova-micro-v1:0", "review model: openai:gpt-5.5", "fallback 1:   bedrock:" + claude + "@us-west-2"} {
		if !strings.Contains(text, s) {
			t.Errorf("doctor lacks %q:\n%s", s, text)
		}
	}
	all := strings.Join(problems, "\n")
	if len(problems) != 3 || !strings.Contains(all, "fallback 2: model deepseek.r1-v1:0 cannot use tools") ||
		!strings.Contains(all, "not an AWS region") || !strings.Contains(all, "OPENAI_API_KEY is not set") {
		t.Errorf("problems:\n%s", all)
	}
}
