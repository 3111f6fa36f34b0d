// Package termsafe makes text from outside hew (the model's words, tool and command output,
// file contents and names) safe to show on a terminal.
//
// A terminal obeys control sequences in the text it is sent: an OSC 52 sequence writes the
// clipboard, others set the window title, clear the screen, move the cursor to overwrite what
// was shown, or (on some terminals) answer back into the input. Clean removes every escape
// sequence (CSI, OSC, DCS, SOS, PM, APC and the two-byte ones, whether introduced by ESC or by
// a C1 control), shows the other control characters in caret form (^H, ^G), turns a carriage
// return into a line break so nothing already shown can be overwritten, shows Unicode's
// bidirectional overrides as <U+202E>, and replaces invalid UTF-8. Only "\n" and "\t" pass
// through. Front ends clean first and style after, so hew's own colours survive.
//
// The package imports nothing of hew's.
package termsafe

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Clean returns s safe to write to a terminal.
func Clean(s string) string {
	if Safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError)
		case r == 0x1b:
			i += skipEscape(s[i+1:]) + 1
			continue
		case r >= 0x80 && r <= 0x9f:
			i += n + skipC1(r, s[i+n:])
			continue
		case r == '\r':
			if !strings.HasPrefix(s[i+1:], "\n") {
				b.WriteByte('\n')
			}
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteByte('^')
			b.WriteByte(byte(r) + '@')
		case r == 0x7f:
			b.WriteString("^?")
		case bidi(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Safe reports whether Clean would return s unchanged: printable UTF-8 with no control
// characters but newline and tab. It looks at each character on its own, so a text cut
// between two characters is safe when both parts are.
func Safe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 || r <= 0x9f || bidi(r) {
				return false
			}
			i += n - 1
		}
	}
	return true
}

// bidi reports whether r reorders the text around it (the "Trojan Source" characters).
func bidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// skipEscape returns how many bytes of s (what follows an ESC) belong to the sequence.
func skipEscape(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '[':
		return 1 + skipCSI(s[1:])
	case ']', 'P', 'X', '^', '_':
		return 1 + skipString(s[1:])
	}
	// ESC, intermediates (0x20-0x2f), then one final byte.
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipC1 returns how many bytes after the C1 control r belong to its sequence.
func skipC1(r rune, s string) int {
	switch r {
	case 0x9b: // CSI
		return skipCSI(s)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return skipString(s)
	}
	return 0
}

// skipCSI returns the length of a control sequence's parameters, intermediates and final byte.
func skipCSI(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		case c < 0x20 || c > 0x3f && c < 0x40 || c >= 0x80:
			return i // malformed: stop before it, and let Clean show it
		}
	}
	return len(s)
}

// skipString returns the length of a control string's body and its terminator (BEL, ESC \ or
// the C1 ST). An unterminated string runs to the end: a terminal would swallow it all too.
func skipString(s string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == 0x1b:
			return i // a new sequence begins; Clean drops it next
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		}
	}
	return len(s)
}

// JSON rewrites the UTF-8 encodings of U+007F-U+009F in a JSON text as \u escapes, which
// encoding/json leaves raw (it escapes the C0 controls, ESC among them, already). They can
// only occur inside strings, where the escape means the same character, so the JSON is
// unchanged in meaning and carries no control a terminal would obey.
func JSON(text []byte) []byte {
	if !bytes.ContainsRune(text, 0x7f) && !bytes.Contains(text, []byte{0xc2}) {
		return text
	}
	var out []byte
	for i := 0; i < len(text); i++ {
		switch {
		case text[i] == 0x7f:
			out = append(out, `\u007f`...)
		case text[i] == 0xc2 && i+1 < len(text) && text[i+1] >= 0x80 && text[i+1] <= 0x9f:
			out = fmt.Appendf(out, `\u%04x`, text[i+1])
			i++
		default:
			out = append(out, text[i])
		}
	}
	return out
}
