package main

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/cmd/hew/internal/versioncli"
)

// Secrets the doctor tests hand hew; none may appear in its output.
const (
	doctorOpenAIKey    = "sk-doctor-DO-NOT-PRINT-31c7e"
	doctorAWSSecret    = "awsSecret/DO-NOT-PRINT/9d1f0b"
	doctorAWSSession   = "awsSession/DO-NOT-PRINT/77aa"
	doctorBedrockToken = "bedrock-key-DO-NOT-PRINT-5e2d"
)

// doctorRun runs hew doctor in a fresh repository with env over an environment where the AWS
// SDK, which reads the process environment, finds nothing of the developer's own.
func doctorRun(t *testing.T, env map[string]string) (stdout, stderr string, code int) {
	t.Helper()
	all := map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "HEW_PROVIDER": "", "HEW_MODEL": ""}
	maps.Copy(all, env)
	ios, out, errOut := testIO(t, goRepo(t), awsEnv(t, all))
	code = Main([]string{"doctor", "--offline"}, ios)
	return out.String(), errOut.String(), code
}

// section returns the lines of doctor's output under heading, up to the next heading.
func section(out, heading string) string {
	_, rest, _ := strings.Cut(out, "\n"+heading+"\n")
	var lines []string
	for _, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "  ") {
			break
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func TestDoctorPrintsNoSecrets(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string // in the credentials section
	}{
		{"openai key", map[string]string{"OPENAI_API_KEY": doctorOpenAIKey},
			[]string{"OPENAI_API_KEY is set (28 characters)", "endpoint: https://api.openai.com/v1"}},
		{"bedrock converse with AWS keys", map[string]string{"HEW_PROVIDER": "bedrock", "HEW_MODEL": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
			"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIADOCTORTEST", "AWS_SECRET_ACCESS_KEY": doctorAWSSecret, "AWS_SESSION_TOKEN": doctorAWSSession,
			"OPENAI_API_KEY": doctorOpenAIKey},
			[]string{"credentials: environment (AWS_ACCESS_KEY_ID)", "region:      us-east-1", "https://bedrock-runtime.us-east-1.amazonaws.com",
				"route:       ConverseStream for us.anthropic.claude-sonnet-4-5-20250929-v1:0"}},
		{"bedrock gpt with AWS keys", map[string]string{"HEW_PROVIDER": "bedrock", "HEW_MODEL": "openai.gpt-5.5",
			"AWS_REGION": "us-east-2", "AWS_ACCESS_KEY_ID": "AKIADOCTORTEST", "AWS_SECRET_ACCESS_KEY": doctorAWSSecret},
			[]string{"https://bedrock-mantle.us-east-2.api.aws/openai/v1", "route:       OpenAI-compatible endpoint (Responses API) for openai.gpt-5.5"}},
		{"bedrock gpt with an API key and an endpoint override", map[string]string{"HEW_PROVIDER": "bedrock", "HEW_MODEL": "openai.gpt-5.4",
			"AWS_REGION": "us-west-2", "AWS_BEARER_TOKEN_BEDROCK": doctorBedrockToken, "AWS_SECRET_ACCESS_KEY": doctorAWSSecret,
			"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com"},
			[]string{"credentials: Bedrock API key", "https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com/openai/v1",
				"route:       OpenAI-compatible endpoint (Responses API) for openai.gpt-5.4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := doctorRun(t, tc.env)
			if code != exitOK && code != exitFailed {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			for _, secret := range []string{doctorOpenAIKey, doctorAWSSecret, doctorAWSSession, doctorBedrockToken} {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("doctor printed a secret:\n%s%s", out, errOut)
				}
			}
			creds := section(out, "credentials")
			for _, w := range tc.want {
				if !strings.Contains(creds, w) {
					t.Errorf("credentials section lacks %q:\n%s", w, creds)
				}
			}
			if strings.Contains(creds, "✗") {
				t.Errorf("credentials reported as a problem:\n%s", creds)
			}
		})
	}
}

func TestDoctorSaysWhatToDoWithoutCredentials(t *testing.T) {
	out, _, code := doctorRun(t, map[string]string{"HEW_PROVIDER": "bedrock", "HEW_MODEL": "openai.gpt-5.5", "AWS_REGION": "us-east-2"})
	creds := section(out, "credentials")
	if code != exitFailed || !strings.Contains(creds, "credentials: none") || !strings.Contains(creds, "AWS_BEARER_TOKEN_BEDROCK") {
		t.Errorf("exit %d, credentials section:\n%s\nwant exit 1 and a problem saying how to provide credentials", code, creds)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), ".aws")); err == nil {
		t.Error("doctor created ~/.aws")
	}
}

// TestDoctorAsksTheServer checks the live part of the credentials check, which the first-run
// screen shares: a server that lists models proves the endpoint and key work; one that refuses
// the key is a problem saying so, without printing the key.
func TestDoctorAsksTheServer(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t)
	srv.SetModels(map[string]any{"id": "qwen3-coder"}, map[string]any{"id": "llama3"})
	run := func(env map[string]string) (string, string) {
		all := map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "HEW_PROVIDER": "", "HEW_MODEL": ""}
		maps.Copy(all, env)
		ios, out, errOut := testIO(t, goRepo(t), awsEnv(t, all))
		Main([]string{"doctor"}, ios)
		return section(out.String(), "credentials"), out.String() + errOut.String()
	}
	creds, _ := run(map[string]string{"OPENAI_API_KEY": doctorOpenAIKey, "OPENAI_BASE_URL": srv.URL(), "HEW_MODEL": "qwen3-coder"})
	if !strings.Contains(creds, "server:   answered; it lists 2 models") || strings.Contains(creds, "✗") || strings.Contains(creds, "does not list") {
		t.Errorf("a server that lists the model:\n%s", creds)
	}
	creds, _ = run(map[string]string{"OPENAI_BASE_URL": srv.URL()})
	if !strings.Contains(creds, "(the server does not list gpt-5.1-codex") {
		t.Errorf("a server that does not list the configured model:\n%s", creds)
	}

	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
	}))
	defer refuse.Close()
	creds, all := run(map[string]string{"OPENAI_API_KEY": doctorOpenAIKey, "OPENAI_BASE_URL": refuse.URL + "/v1"})
	if !strings.Contains(creds, "✗ asking the server for its models failed") || !strings.Contains(creds, "API key") {
		t.Errorf("a server that refuses the key:\n%s", creds)
	}
	if strings.Contains(all, doctorOpenAIKey) {
		t.Errorf("doctor printed the key:\n%s", all)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"--version", "--model", "x"}} {
		ios, out, errOut := testIO(t, t.TempDir(), nil)
		if code := Main(args, ios); code != exitOK || !strings.HasPrefix(out.String(), "hew ") || !strings.Contains(out.String(), runtime.Version()) {
			t.Errorf("hew %v: exit %d, %q %q", args, code, out, errOut)
		}
	}
	versioncli.Version = "v1.2.3"
	defer func() { versioncli.Version = "" }()
	if got := versioncli.Line(); !strings.HasPrefix(got, "hew v1.2.3") {
		t.Errorf("with -X main.version: %q", got)
	}
}
