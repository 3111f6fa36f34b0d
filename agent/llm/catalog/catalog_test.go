package catalog

import (
	"math"
	"slices"
	"strings"
	"testing"

	"hew/agent/llm"
)

func TestDefaultCoversTheFamiliesUsersPick(t *testing.T) {
	c := Default()
	for _, want := range []struct{ provider, id string }{
		{"openai", "gpt-5.1"}, {"openai", "gpt-4.1"}, {"openai", "o3"},
		{"bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"},
		{"bedrock", "anthropic.claude-opus-4-1-20250805-v1:0"},
		{"bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0"},
		{"bedrock", "openai.gpt-oss-120b-1:0"}, {"bedrock", "openai.gpt-oss-20b-1:0"},
		{"bedrock", "us.meta.llama3-3-70b-instruct-v1:0"}, {"bedrock", "meta.llama4-maverick-17b-instruct-v1:0"},
		{"bedrock", "mistral.mistral-large-2407-v1:0"},
		{"bedrock", "amazon.nova-pro-v1:0"}, {"bedrock", "amazon.nova-lite-v1:0"}, {"bedrock", "amazon.nova-micro-v1:0"},
		{"bedrock", "us.deepseek.r1-v1:0"}, {"bedrock", "deepseek.v3-v1:0"},
		{"bedrock", "qwen.qwen3-coder-480b-a35b-v1:0"},
	} {
		m, ok := c.Lookup(want.provider, want.id)
		if !ok {
			t.Errorf("Lookup(%s, %s) found nothing", want.provider, want.id)
			continue
		}
		if m.ID != want.id || m.ContextWindow <= 0 || m.InputPrice <= 0 || m.OutputPrice <= 0 {
			t.Errorf("Lookup(%s, %s) = %+v: want the id echoed and a context window and prices", want.provider, want.id, m)
		}
	}
}

func TestEditToolFollowsTheMaker(t *testing.T) {
	for _, m := range Default().Models("") {
		want := EditFile
		if m.Family == "openai" {
			want = EditApplyPatch
		}
		if m.EditTool != want {
			t.Errorf("%s/%s prefers %s, want %s", m.Provider, m.ID, m.EditTool, want)
		}
	}
}

func TestFamilyDifferencesAreData(t *testing.T) {
	c := Default()
	claude, _ := c.Lookup("bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0")
	if !claude.Caches(CacheSystem) || !claude.Caches(CacheTools) || claude.ReasoningStyle != ReasoningAnthropic || !claude.StreamTools || !claude.System {
		t.Errorf("Claude entry %+v: want cache points on system and tools, anthropic reasoning, streamed tools, system prompt", claude)
	}
	nova, _ := c.Lookup("bedrock", "amazon.nova-pro-v1:0")
	if !nova.Caches(CacheSystem) || nova.Caches(CacheTools) {
		t.Errorf("Nova caches %v, want system only", nova.CachePoints)
	}
	llama, _ := c.Lookup("bedrock", "meta.llama3-3-70b-instruct-v1:0")
	if llama.StreamTools || llama.Caches(CacheSystem) {
		t.Errorf("Llama entry %+v: want no streamed tool use and no cache points", llama)
	}
	mistral7b, _ := c.Lookup("bedrock", "mistral.mistral-7b-instruct-v0:2")
	if mistral7b.System {
		t.Errorf("Mistral 7B accepts system prompts per the catalogue; it must not")
	}
	gpt, _ := c.Lookup("bedrock", "openai.gpt-5.5")
	if gpt.API != APIOpenAI {
		t.Errorf("GPT-5.5 on Bedrock uses api %q, want %q", gpt.API, APIOpenAI)
	}
	if oss, _ := c.Lookup("bedrock", "openai.gpt-oss-120b-1:0"); oss.API != APIConverse {
		t.Errorf("gpt-oss uses api %q, want %q", oss.API, APIConverse)
	}
}

func TestLookupRejectsUnlistedProfileAndOtherProvider(t *testing.T) {
	c := Default()
	if _, ok := c.Lookup("bedrock", "eu.anthropic.claude-opus-4-1-20250805-v1:0"); ok {
		t.Error("Opus 4.1 has no eu profile in the catalogue, but Lookup found one")
	}
	if _, ok := c.Lookup("openai", "anthropic.claude-sonnet-4-5-20250929-v1:0"); ok {
		t.Error("Lookup matched a Bedrock id under provider openai")
	}
}

func TestCost(t *testing.T) {
	m := Model{InputPrice: 3, CachedInputPrice: 0.3, CacheWritePrice: 3.75, OutputPrice: 15}
	u := llm.Usage{InputTokens: 1_000_000, CachedTokens: 400_000, CacheWriteTokens: 100_000, OutputTokens: 200_000}
	// 500k plain at $3 + 400k cached at $0.30 + 100k written at $3.75 + 200k out at $15
	want := 1.5 + 0.12 + 0.375 + 3.0
	if got := m.Cost(u); math.Abs(got-want) > 1e-9 {
		t.Errorf("Cost = %v, want %v", got, want)
	}
	plain := Model{InputPrice: 2, OutputPrice: 8}
	if got := plain.Cost(llm.Usage{InputTokens: 1_000_000, CachedTokens: 500_000}); math.Abs(got-2) > 1e-9 {
		t.Errorf("without a cached price, cached tokens cost the input price: got %v, want 2", got)
	}
}

func TestSuggest(t *testing.T) {
	c := Default()
	cases := []struct{ typo, want string }{
		{"anthropic.claude-sonnet-4-5", "anthropic.claude-sonnet-4-5-20250929-v1:0"},
		{"us.anthropic.claude-sonet-4-5-20250929-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"},
		{"gpt-4.1-mni", "gpt-4.1-mini"},
		{"amazon.nova-pro", "amazon.nova-pro-v1:0"},
	}
	for _, tc := range cases {
		got := c.Suggest(tc.typo)
		if len(got) == 0 || got[0] != tc.want {
			t.Errorf("Suggest(%q) = %v, want %q first", tc.typo, got, tc.want)
		}
		if len(got) > 3 {
			t.Errorf("Suggest(%q) returned %d ids, want at most 3", tc.typo, len(got))
		}
	}
	if got := c.Suggest("totally-unrelated-model-name"); len(got) != 0 {
		t.Errorf("Suggest of an unrelated name = %v, want none", got)
	}
}

func TestMergeChangesAndAdds(t *testing.T) {
	base := Default()
	overrides, err := ParseOverrides([]byte(`
[[models]]
provider = "bedrock"
id = "amazon.nova-pro-v1:0"
input = 0.5
tools = false

[[models]]
provider = "openai"
id = "qwen2.5-coder:32b"
context = 32768
`))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := base.Merge(overrides)
	if err != nil {
		t.Fatal(err)
	}
	nova, _ := merged.Lookup("bedrock", "amazon.nova-pro-v1:0")
	if nova.InputPrice != 0.5 || nova.Tools || nova.OutputPrice != 3.2 {
		t.Errorf("merged Nova Pro = %+v: want input 0.5, tools off, output price kept at 3.2", nova)
	}
	local, ok := merged.Lookup("openai", "qwen2.5-coder:32b")
	if !ok || local.ContextWindow != 32768 || local.EditTool != EditApplyPatch || !local.System {
		t.Errorf("added model = %+v, %v: want context 32768 and openai defaults", local, ok)
	}
	if orig, _ := base.Lookup("bedrock", "amazon.nova-pro-v1:0"); orig.InputPrice != 0.8 {
		t.Errorf("Merge changed the catalogue it was called on: input price %v", orig.InputPrice)
	}
}

func TestMergeRejectsBadOverrides(t *testing.T) {
	for _, tc := range []struct{ toml, want string }{
		{"[[models]]\nprovider = \"openai\"\nid = \"new-model\"\n", "needs context"},
		{"[[models]]\nid = \"x\"\ncontext = 5\n", "provider and id are required"},
		{"[[models]]\nprovider = \"azure\"\nid = \"x\"\ncontext = 5\n", `provider "azure"`},
		{"[[models]]\nprovider = \"bedrock\"\nid = \"amazon.nova-pro-v1:0\"\nedit_tool = \"sed\"\n", `edit_tool "sed"`},
		{"[[models]]\nprovider = \"bedrock\"\nid = \"amazon.nova-pro-v1:0\"\ncache_points = [\"messages\"]\n", `cache point "messages"`},
		{"[[models]]\nprovider = \"bedrock\"\nid = \"amazon.nova-pro-v1:0\"\nprice = 3\n", `unknown key "models.price"`},
	} {
		overrides, err := ParseOverrides([]byte(tc.toml))
		if err == nil {
			_, err = Default().Merge(overrides)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("override %q: err = %v, want one mentioning %q", tc.toml, err, tc.want)
		}
	}
}

func TestModelsFiltersByProvider(t *testing.T) {
	c := Default()
	all, bedrock, openai := c.Models(""), c.Models("bedrock"), c.Models("openai")
	if len(bedrock) == 0 || len(openai) == 0 || len(bedrock)+len(openai) != len(all) {
		t.Fatalf("Models: %d bedrock + %d openai, %d in all", len(bedrock), len(openai), len(all))
	}
	if slices.ContainsFunc(bedrock, func(m Model) bool { return m.Provider != "bedrock" }) {
		t.Error("Models(bedrock) returned a model of another provider")
	}
}
