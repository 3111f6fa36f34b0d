package redact

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestKnownFindsEverySecretHewHolds(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	creds := "[default]\naws_access_key_id = AKIAEXAMPLEID\naws_secret_access_key = FILE-SECRET-wJalrXUtnFEMI\naws_session_token=FILE-TOKEN-IQoJb3JpZ2lu\nregion = us-east-1\n"
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"AWS_SECRET_ACCESS_KEY=env-aws-secret-123", "AWS_SESSION_TOKEN=env-aws-session-456",
		"GITHUB_TOKEN=ghp_0123456789abcdef", "GH_TOKEN=gho_abcdefghijkl", "DATABASE_URL=postgres://u:dbpass99@h/db",
		"MYSQL_PWD=mysql-pass-1", "HTTPS_PROXY=http://me:proxypass77@proxy:3128", "MY_SERVICE_API_KEY=service-key-xyz",
		"PATH=/usr/local/bin:/usr/bin", "HOME=" + home, "PWD=/home/someone/project", "TERM=xterm-256color",
		"SSH_AUTH_SOCK=/tmp/ssh-agent.sock",
	}
	getenv := func(k string) string {
		for _, kv := range env {
			if n, v, _ := strings.Cut(kv, "="); n == k {
				return v
			}
		}
		return ""
	}
	got := Known([]string{"sk-openai-key-1"}, env, getenv)
	for _, want := range []string{"sk-openai-key-1", "env-aws-secret-123", "env-aws-session-456", "ghp_0123456789abcdef",
		"gho_abcdefghijkl", "postgres://u:dbpass99@h/db", "dbpass99", "mysql-pass-1", "proxypass77", "service-key-xyz",
		"FILE-SECRET-wJalrXUtnFEMI", "FILE-TOKEN-IQoJb3JpZ2lu"} {
		if !slices.Contains(got, want) {
			t.Errorf("%q is not known as a secret (%q)", want, got)
		}
	}
	for _, not := range []string{"/usr/local/bin:/usr/bin", home, "/home/someone/project", "xterm-256color", "/tmp/ssh-agent.sock"} {
		if slices.Contains(got, not) {
			t.Errorf("%q is not a secret", not)
		}
	}
}

func TestRedactorHidesRawAndJSONEscapedValues(t *testing.T) {
	secret := `p<a>ss"w&rd\1234`
	r := New(secret, "short", "abcdefgh", "abcdefgh-longer")
	line, _ := json.Marshal(map[string]string{"text": "key=" + secret + " and abcdefgh-longer, abcdefgh"})
	out := string(r.Bytes(line))
	if strings.Contains(out, "ss") || strings.Contains(out, "abcdefgh") {
		t.Fatalf("a secret survived: %s", out)
	}
	if !strings.Contains(out, Mask) || strings.Count(out, Mask) != 3 {
		t.Fatalf("redacted: %s", out)
	}
	if got := New("short").String("short"); got != "short" {
		t.Errorf("values under %d bytes are left alone: %q", MinLen, got)
	}
	var nilR *Redactor
	if nilR.String("x") != "x" {
		t.Error("nil redactor")
	}
}
