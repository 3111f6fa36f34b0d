package sandbox

import "strings"

// secretValue reports whether an environment variable's value carries a credential whatever its
// name: a URL with a password (scheme://user:pass@host), or the shape of a common API key or
// token (OpenAI sk-, GitHub ghp_ and github_pat_, AWS AKIA/ASIA, Slack xox?-, GitLab glpat-), or
// a PEM private key.
//
// It is written out by hand rather than as a regular expression so that this package does not
// import regexp: packages that need regexp are initialized after the heavy ones in hew's binary
// (syntax-highlighting tables), and this package's initialization must come before them (see
// RunHelperIfRequested). TestSecretValueMatchesPattern checks it against the equivalent pattern.
func secretValue(s string) bool {
	if urlWithPassword(s) || strings.Contains(s, "-----BEGIN ") && pemPrivateKey(s) {
		return true
	}
	for i := 0; i < len(s); i++ {
		if i > 0 && isWordByte(s[i-1]) {
			continue // every token shape starts at a word boundary
		}
		for _, t := range tokenShapes {
			if t.at(s[i:]) {
				return true
			}
		}
	}
	return false
}

// tokenShape is a token's fixed prefix followed by at least min (and, when exact, exactly min)
// characters of its alphabet.
type tokenShape struct {
	prefixes []string
	alphabet func(byte) bool
	min      int
	exact    bool // exactly min characters, then a word boundary
}

var tokenShapes = []tokenShape{
	{[]string{"sk-"}, isKeyByte, 16, false},
	{[]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, isAlnum, 20, false},
	{[]string{"github_pat_"}, isWordByte, 20, false},
	{[]string{"AKIA", "ASIA"}, isUpperOrDigit, 16, true},
	{[]string{"xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"}, func(c byte) bool { return isAlnum(c) || c == '-' }, 10, false},
	{[]string{"glpat-"}, isKeyByte, 16, false},
}

// at reports whether s starts with the token shape.
func (t tokenShape) at(s string) bool {
	for _, p := range t.prefixes {
		rest, ok := strings.CutPrefix(s, p)
		if !ok {
			continue
		}
		n := 0
		for n < len(rest) && t.alphabet(rest[n]) {
			n++
		}
		if t.exact {
			return n == t.min && (n == len(rest) || !isWordByte(rest[n]))
		}
		return n >= t.min
	}
	return false
}

// urlWithPassword reports whether s holds scheme://user:password@ anywhere.
func urlWithPassword(s string) bool {
	for i := 0; ; {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			return false
		}
		k += i
		i = k + 1
		// The scheme: a letter followed by letters, digits, '+', '.' or '-'. Any letter in the run
		// before "://" can start it.
		scheme := false
		for j := k - 1; j >= 0 && isSchemeByte(s[j]); j-- {
			scheme = scheme || isLetter(s[j])
		}
		if !scheme {
			continue
		}
		// The user information: up to the first '/', '@' or space; it must end at '@' and have a
		// ':' with something after it.
		rest := s[k+3:]
		end := strings.IndexFunc(rest, func(r rune) bool { return r == '/' || r == '@' || isSpace(r) })
		if end < 0 || rest[end] != '@' {
			continue
		}
		if colon := strings.IndexByte(rest[:end], ':'); colon >= 0 && colon < end-1 {
			return true
		}
	}
}

// pemPrivateKey reports whether s holds a PEM private key's header: "-----BEGIN ", capital
// letters and spaces, "PRIVATE KEY".
func pemPrivateKey(s string) bool {
	for {
		k := strings.Index(s, "-----BEGIN ")
		if k < 0 {
			return false
		}
		s = s[k+len("-----BEGIN "):]
		n := 0
		for n < len(s) && (s[n] == ' ' || s[n] >= 'A' && s[n] <= 'Z') {
			n++
		}
		if strings.Contains(s[:n], "PRIVATE KEY") {
			return true
		}
	}
}

func isLetter(c byte) bool       { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool        { return isLetter(c) || c >= '0' && c <= '9' }
func isWordByte(c byte) bool     { return isAlnum(c) || c == '_' }
func isKeyByte(c byte) bool      { return isWordByte(c) || c == '-' }
func isUpperOrDigit(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
func isSchemeByte(c byte) bool   { return isAlnum(c) || c == '+' || c == '.' || c == '-' }

// isSpace is a regular expression's \s: tab, newline, form feed, carriage return and space.
func isSpace(r rune) bool { return r == '\t' || r == '\n' || r == '\f' || r == '\r' || r == ' ' }
