package bedrock

import (
	"context"
	"testing"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
)

const appProfile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a"

func controlPlane(srv *llmtest.BedrockServer) {
	srv.SetControlPlane(
		[]llmtest.BedrockFoundationModel{
			{ID: "amazon.nova-pro-v1:0"},
			{ID: "anthropic.claude-sonnet-4-5-20250929-v1:0", InferenceTypes: []string{"INFERENCE_PROFILE"}}, // only through a profile
			{ID: "anthropic.claude-3-haiku-20240307-v1:0", Legacy: true},
		},
		[]llmtest.BedrockProfile{
			{ID: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", ARN: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
				Type: "SYSTEM_DEFINED", BaseModel: "anthropic.claude-sonnet-4-5-20250929-v1:0"},
			{ID: "team-a", ARN: appProfile, Type: "APPLICATION", BaseModel: "anthropic.claude-sonnet-4-5-20250929-v1:0"},
		})
}

func TestListModelsShowsWhatTheAccountCanCall(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t)
	controlPlane(srv)
	mantle := llmtest.NewOpenAIServer(t)
	mantle.SetModels(map[string]any{"id": "openai.gpt-5.6-terra"})
	t.Setenv("AWS_ENDPOINT_URL_BEDROCK_MANTLE", mantle.Root())
	t.Setenv(EnvControlEndpoint, srv.URL)
	p := newProvider(t, srv, Options{})
	got, err := p.ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []llm.ModelInfo{
		{ID: "amazon.nova-pro-v1:0", Kind: "foundation model"},
		{ID: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", Kind: "cross-region profile", BaseModel: "anthropic.claude-sonnet-4-5-20250929-v1:0"},
		{ID: appProfile, Kind: "application profile", BaseModel: "anthropic.claude-sonnet-4-5-20250929-v1:0"},
		{ID: "openai.gpt-5.6-terra", Kind: "OpenAI-compatible endpoint"},
	}
	if len(got) != len(want) {
		t.Fatalf("listed %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("listed[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestApplicationProfileInheritsItsBaseModel(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Reasoning: []string{"think"}, Signature: "sig", Text: []string{"hi"}})
	controlPlane(srv)
	t.Setenv(EnvControlEndpoint, srv.URL)
	p := newProvider(t, srv, Options{})
	m, ok := p.Resolve(context.Background(), appProfile)
	if !ok || m.ID != appProfile || m.ContextWindow != 200000 || m.InputPrice != 3 || !m.Caches("system") {
		t.Fatalf("Resolve = %+v, %v; want Claude Sonnet 4.5's entry under the ARN", m, ok)
	}
	_, _, err := collect(t, p, llm.Request{Model: appProfile, System: "sys", ReasoningEffort: "low", Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	req := srv.Requests()[0]
	if req.Model != appProfile {
		t.Errorf("model in the path = %q, want the ARN", req.Model)
	}
	if _, ok := req.Body["additionalModelRequestFields"].(map[string]any)["thinking"]; !ok {
		t.Errorf("the profile did not get Claude's thinking settings: %v", req.Body)
	}
	if _, ok := p.Resolve(context.Background(), "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/missing"); ok {
		t.Error("an unknown profile resolved")
	}
}
