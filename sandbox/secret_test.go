package sandbox

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// secretPattern is what secretValue recognizes, as a regular expression: the specification it is
// checked against (the package itself does not import regexp; see secretValue).
var secretPattern = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/@\s:]*:[^/@\s]+@` +
	`|\bsk-[A-Za-z0-9_-]{16,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\b(AKIA|ASIA)[0-9A-Z]{16}\b` +
	`|\bxox[abprs]-[A-Za-z0-9-]{10,}|\bglpat-[A-Za-z0-9_-]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY`)

var secretSamples = []struct {
	value  string
	secret bool
}{
	{"https://user:hunter2@example.com/x", true},
	{"postgres://app:pw@db:5432/app", true},
	{"git+ssh://me:x@host", true},
	{"https://example.com/a:b@c", false}, // the '@' is in the path
	{"https://user:@example.com", false}, // empty password
	{"https://user@example.com", false},
	{"://u:p@h", false}, // no scheme
	{"1://u:p@h", false},
	{"x1://u:p@h", true},
	{"sk-abcdefghijklmnop", true},
	{"sk-abcdefghijklmno", false}, // 15 characters
	{"task-abcdefghijklmnopqrstu", false},
	{"key=sk-abcdefghijklmnopqrst", true},
	{"ghp_" + strings.Repeat("a", 20), true},
	{"ghx_" + strings.Repeat("a", 20), false},
	{"ghs_" + strings.Repeat("a", 19), false},
	{"github_pat_" + strings.Repeat("A_1", 7), true},
	{"AKIAABCDEFGHIJKLMNOP", true},
	{"AKIAABCDEFGHIJKLMNOPQ", false}, // 17 characters: not an access key id
	{"AKIAABCDEFGHIJKLMNOPq", false},
	{"(ASIAABCDEFGHIJKLMNOP)", true},
	{"xAKIAABCDEFGHIJKLMNOP", false},
	{"xoxb-1234567890", true},
	{"xoxc-1234567890", false},
	{"glpat-abcdefghijklmnop", true},
	{"-----BEGIN RSA PRIVATE KEY-----", true},
	{"-----BEGIN PRIVATE KEY-----", true},
	{"-----BEGIN PUBLIC KEY-----", false},
	{"-----BEGIN rsa PRIVATE KEY", false},
	{"/usr/local/bin:/usr/bin", false},
	{"en_US.UTF-8", false},
	{"", false},
}

func TestSecretValue(t *testing.T) {
	for _, s := range secretSamples {
		if got := secretValue(s.value); got != s.secret {
			t.Errorf("secretValue(%q) = %v, want %v", s.value, got, s.secret)
		}
		if got := secretPattern.MatchString(s.value); got != s.secret {
			t.Errorf("the pattern says %v for %q, want %v (fix the sample)", got, s.value, s.secret)
		}
	}
}

// TestSecretValueMatchesPattern compares secretValue with the pattern on random values made of
// the pieces that matter to it.
func TestSecretValueMatchesPattern(t *testing.T) {
	pieces := []string{"sk-", "gh", "p", "o", "x", "_", "github_pat_", "AKIA", "ASIA", "xox", "b", "-", "glpat-",
		"-----BEGIN ", "RSA ", "PRIVATE KEY", "://", ":", "@", "/", " ", "\t", "\v", "+", ".", "a", "Z", "9",
		"abcdefghij", "ABCDEFGH", "01234567", "é", "\xff", "https", "u:p"}
	r := rand.New(rand.NewPCG(1, 2))
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		for k := r.IntN(12); k >= 0; k-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := secretValue(s), secretPattern.MatchString(s); got != want {
			t.Fatalf("secretValue(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}

func FuzzSecretValue(f *testing.F) {
	for _, s := range secretSamples {
		f.Add(s.value)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := secretValue(s), secretPattern.MatchString(s); got != want {
			t.Fatalf("secretValue(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
