// Package redact knows the secret values hew holds and takes them out of what hew writes down.
//
// One Redactor serves every writer of a log or session file: it is built from the secrets in
// the configuration (API keys), the values of environment variables whose names look secret
// (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, GITHUB_TOKEN, DATABASE_URL, ..., and the password
// part of any URL with one), and the keys in the AWS shared credentials file, and replaces
// each, raw or as JSON would escape it, with "[redacted]".
package redact

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Mask is what a secret value is replaced with.
const Mask = "[redacted]"

// MinLen is the shortest value treated as a secret: shorter ones ("1", "true") would mangle the
// log without hiding anything worth hiding.
const MinLen = 8

// Redactor replaces known secret values. The zero value and nil redact nothing.
type Redactor struct {
	secrets [][]byte // longest first, so a secret containing another goes whole
}

// New returns a Redactor for values; empty and short values are ignored.
func New(values ...string) *Redactor {
	seen := map[string]bool{}
	r := &Redactor{}
	add := func(s string) {
		if len(s) >= MinLen && !seen[s] {
			seen[s] = true
			r.secrets = append(r.secrets, []byte(s))
		}
	}
	for _, v := range values {
		add(v)
		if b, err := json.Marshal(v); err == nil {
			add(string(b[1 : len(b)-1])) // as it appears inside a JSON string
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	return r
}

// Bytes returns b with every secret replaced by Mask.
func (r *Redactor) Bytes(b []byte) []byte {
	if r == nil {
		return b
	}
	for _, s := range r.secrets {
		if bytes.Contains(b, s) {
			b = bytes.ReplaceAll(b, s, []byte(Mask))
		}
	}
	return b
}

// String is Bytes for a string.
func (r *Redactor) String(s string) string { return string(r.Bytes([]byte(s))) }

// secretName matches environment variable names whose values are secret.
var secretName = regexp.MustCompile(`(?i)(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|_PWD$|^MYSQL_PWD$|CREDENTIAL|_AUTH|AUTH_|PRIVATE|COOKIE|SESSION|DATABASE_URL|_DSN$|_URI$|CONN(ECTION)?_STR)`)

// notSecret are names the pattern catches whose values are not secret.
var notSecret = map[string]bool{"PWD": true, "OLDPWD": true, "SSH_AUTH_SOCK": true, "GPG_AGENT_INFO": true, "AWS_PROFILE": true}

// LooksSecret reports whether an environment variable of this name holds a secret.
func LooksSecret(name string) bool {
	return !notSecret[name] && secretName.MatchString(name)
}

// FromEnv returns the secret values in env ("NAME=value" entries): those of variables whose
// names look secret, and the passwords of URLs in any variable (proxy settings and the like).
func FromEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || value == "" {
			continue
		}
		if LooksSecret(name) {
			out = append(out, value)
		}
		out = append(out, URLPassword(value)...)
	}
	return out
}

// URLPassword returns the password (and the user:password pair) of s when s is a URL with one,
// such as a proxy setting or a base URL with credentials in it.
func URLPassword(s string) []string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return nil
	}
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			return []string{p, u.User.String()}
		}
	}
	return nil
}

// FromAWSFiles returns the secret values in the AWS shared credentials and config files
// (aws_secret_access_key, aws_session_token and the like), located as the AWS SDK locates
// them from getenv.
func FromAWSFiles(getenv func(string) string) []string {
	home := getenv("HOME")
	files := []string{getenv("AWS_SHARED_CREDENTIALS_FILE"), getenv("AWS_CONFIG_FILE")}
	if home != "" {
		files = append(files, filepath.Join(home, ".aws", "credentials"), filepath.Join(home, ".aws", "config"))
	}
	var out []string
	for _, f := range files {
		if f == "" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), "=")
			if ok && LooksSecret(strings.TrimSpace(k)) && !strings.EqualFold(strings.TrimSpace(k), "aws_access_key_id") {
				out = append(out, strings.TrimSpace(v))
			}
		}
	}
	return out
}

// Writer returns a writer that redacts each write before passing it to w; writers that emit
// whole lines per write (the headless progress and JSONL writers) are redacted exactly.
func Writer(w io.Writer, r *Redactor) io.Writer { return writer{w, r} }

type writer struct {
	w io.Writer
	r *Redactor
}

func (w writer) Write(b []byte) (int, error) {
	if _, err := w.w.Write(w.r.Bytes(append([]byte(nil), b...))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Known returns every secret value hew knows of, for New: config holds the configuration's
// secret values (API keys), env the environment hew was given, and getenv reads it to find
// the AWS credentials files.
func Known(config []string, env []string, getenv func(string) string) []string {
	values := append([]string{}, config...)
	values = append(values, FromEnv(env)...)
	if getenv != nil {
		values = append(values, FromAWSFiles(getenv)...)
	}
	return values
}
