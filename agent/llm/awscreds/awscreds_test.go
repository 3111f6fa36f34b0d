package awscreds

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hew/agent/llm"
)

// isolate gives the AWS SDK an empty home, config files and environment.
func isolate(t *testing.T) string {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_BEARER_TOKEN_BEDROCK", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
		"AWS_CA_BUNDLE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", dir)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}

const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"

func TestReportNamesSourcesWithoutSecrets(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) Options
		want  []string
	}{
		{"environment keys", func(t *testing.T, dir string) Options {
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
			t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
			t.Setenv("AWS_SESSION_TOKEN", secret+"-session")
			t.Setenv("AWS_REGION", "eu-central-1")
			return Options{}
		}, []string{"credentials: environment (AWS_ACCESS_KEY_ID)", "region:      eu-central-1", "https://bedrock-runtime.eu-central-1.amazonaws.com"}},
		{"shared profile", func(t *testing.T, dir string) Options {
			creds := fmt.Sprintf("[work]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = %s\n", secret)
			write(t, filepath.Join(dir, "credentials"), creds)
			write(t, filepath.Join(dir, "config"), "[profile work]\nregion = ap-southeast-2\n")
			return Options{Profile: "work"}
		}, []string{"credentials: shared credentials file", "profile:     work", "region:      ap-southeast-2"}},
		{"bearer token and endpoint", func(t *testing.T, dir string) Options {
			env := map[string]string{EnvBearerToken: secret, EnvRegion: "us-west-2", EnvEndpoint: "https://vpce-123.bedrock-runtime.us-west-2.vpce.amazonaws.com"}
			return Options{Getenv: func(k string) string { return env[k] }}
		}, []string{"credentials: Bedrock API key", "region:      us-west-2", "endpoint:    https://vpce-123.bedrock-runtime.us-west-2.vpce.amazonaws.com"}},
		{"nothing found", func(t *testing.T, dir string) Options {
			return Options{Region: "us-east-1"}
		}, []string{"credentials: none", "problem:     bedrock: no AWS credentials were found (set AWS_PROFILE"}},
		{"aws login not signed in", func(t *testing.T, dir string) Options {
			write(t, filepath.Join(dir, "config"), "[profile console]\nlogin_session = arn:aws:iam::123456789012:user/dev\nregion = us-east-1\n")
			return Options{Profile: "console"}
		}, []string{"problem:     bedrock: the AWS console sign-in (aws login) has expired or is missing (run aws login --profile console)"}},
		{"sso not logged in", func(t *testing.T, dir string) Options {
			write(t, filepath.Join(dir, "config"), "[profile dev]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n")
			return Options{Profile: "dev"}
		}, []string{"profile:     dev", "run aws sso login --profile dev"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.setup(t, isolate(t))
			r, err := Check(context.Background(), opts, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			out := r.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, secret) || strings.Contains(fmt.Sprintf("%+v", r), secret) {
				t.Errorf("report reveals a secret:\n%s", out)
			}
		})
	}
}

func TestLoadNeedsARegion(t *testing.T) {
	isolate(t)
	_, err := Load(context.Background(), Options{})
	if llm.KindOf(err) != llm.ErrConfig || !strings.Contains(err.Error(), "set AWS_REGION or --region") {
		t.Fatalf("err = %v, want a config error naming AWS_REGION and --region", err)
	}
	_, err = Check(context.Background(), Options{}, time.Second)
	if llm.KindOf(err) != llm.ErrConfig {
		t.Fatalf("Check err = %v, want the same config error", err)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOpenAIBaseURL(t *testing.T) {
	isolate(t)
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{EnvRegion: "us-east-2"}, "https://bedrock-mantle.us-east-2.api.aws/openai/v1"},
		{map[string]string{EnvRegion: "us-east-2", EnvEndpoint: "http://127.0.0.1:9/"}, "http://127.0.0.1:9/openai/v1"},
		{map[string]string{EnvRegion: "us-east-2", EnvEndpoint: "http://127.0.0.1:9", EnvMantleEndpoint: "https://mantle.example"},
			"https://mantle.example/openai/v1"},
	}
	for _, tc := range cases {
		c, err := Load(context.Background(), Options{Getenv: func(k string) string { return tc.env[k] }})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.OpenAIBaseURL(); got != tc.want {
			t.Errorf("env %v: OpenAIBaseURL = %s, want %s", tc.env, got, tc.want)
		}
	}
}
