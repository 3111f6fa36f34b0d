package termsafe

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\n\tindented":             "plain text\n\tindented",
		"héllo · ✓ 日本":                       "héllo · ✓ 日本",
		"copy \x1b]52;c;ZXZpbA==\x07 done":   "copy  done",
		"title \x1b]0;pwned\x1b\\ x":         "title  x",
		"clear \x1b[2J\x1b[H x":              "clear  x",
		"red \x1b[31mred\x1b[0m":             "red red",
		"dcs \x1bP1$qm\x1b\\ x":              "dcs  x",
		"apc \x1b_Gpayload\x1b\\ x":          "apc  x",
		"c1 csi \u009b2J x":                  "c1 csi  x",
		"c1 osc \u009d52;c;ZXZp\u009c x":     "c1 osc  x",
		"c1 osc bel \u009d0;t\x07 x":         "c1 osc bel  x",
		"keypad \x1b= x":                     "keypad  x",
		"charset \x1b(B x":                   "charset  x",
		"bell\x07 bs\x08 nul\x00 del\x7f":    "bell^G bs^H nul^@ del^?",
		"over\rwrite":                        "over\nwrite",
		"crlf\r\nline":                       "crlf\nline",
		"bidi \u202eevil\u202c":              "bidi <U+202E>evil<U+202C>",
		"bad \xff\xfe utf8":                  "bad \ufffd\ufffd utf8",
		"unterminated \x1b]52;c;ZXZpbA==":    "unterminated ",
		"trailing esc \x1b":                  "trailing esc ",
		"osc then csi \x1b]0;t\x1b[2J after": "osc then csi  after",
	} {
		got := Clean(in)
		if got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(got, "\x1b\x07\x08\r\u009b\u009d\u009c") {
			t.Errorf("Clean(%q) kept a control: %q", in, got)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"\x1b]52;c;x\x07", "\x1b[2J", "\u009b31m", "a\rb", "\x1bP\x1b\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		for _, r := range got {
			if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
				t.Fatalf("Clean(%q) = %q keeps control %U", s, got, r)
			}
		}
		if Clean(got) != got {
			t.Fatalf("Clean is not idempotent on %q", s)
		}
	})
}
