package ignore

import "strings"

// The outcomes of matching a glob from some position. The two aborts only prune the search: a
// glob that cannot match once the text runs out, or a single "*" that meets a "/", need not be
// retried at later positions of an enclosing star. A malformed bracket expression aborts the
// whole match, so such a pattern matches nothing, as in git.
type result int

const (
	matched result = iota
	noMatch
	abortAll
	abortToDoubleStar
)

// glob is a pattern in git's wildmatch syntax. "?" matches one byte and "*" any run of bytes,
// "[...]" a set ("!" or "^" negates it; ranges, "\" escapes and [:class:] names allowed), and
// "\x" the byte x. With pathname, none of these match "/", and "**" matches across directories
// when it makes up a whole path element ("**/x", "x/**", "x/**/y"). fold compares ASCII letters
// case-insensitively, as core.ignoreCase asks.
type glob struct {
	pat      string
	pathname bool
	fold     bool
}

func (g glob) match(text string) bool { return g.from(0, text, 0) == matched }

func (g glob) lower(c byte) byte {
	if g.fold {
		return lowerASCII(c)
	}
	return c
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// from matches g.pat[p:] against text[t:].
func (g glob) from(p int, text string, t int) result {
	pat := g.pat
	for ; p < len(pat); p, t = p+1, t+1 {
		pc := pat[p]
		if t >= len(text) && pc != '*' {
			return abortAll
		}
		var tc byte
		if t < len(text) {
			tc = g.lower(text[t])
		}
		switch pc {
		case '\\':
			p++
			if p == len(pat) || tc != g.lower(pat[p]) {
				return noMatch // a trailing backslash matches nothing
			}
		case '?':
			if g.pathname && tc == '/' {
				return noMatch
			}
		case '[':
			end, r := g.class(p, tc)
			if r != matched {
				return r
			}
			p = end
		case '*':
			var r result
			var done bool
			if p, t, r, done = g.star(p, text, t); done {
				return r
			}
		default:
			if tc != g.lower(pc) {
				return noMatch
			}
		}
	}
	if t < len(text) {
		return noMatch
	}
	return matched
}

// star matches the run of stars at pat[p]. It either decides the match (done) or, for a single
// star followed by "/" under pathname, skips text to the next "/" and returns the positions from
// which the caller's loop continues (both then step over their "/").
func (g glob) star(p int, text string, t int) (int, int, result, bool) {
	pat := g.pat
	p++
	anyDepth := !g.pathname
	if p < len(pat) && pat[p] == '*' {
		before := p - 2
		for p < len(pat) && pat[p] == '*' {
			p++
		}
		wholeElement := (before < 0 || pat[before] == '/') &&
			(p == len(pat) || pat[p] == '/' || (pat[p] == '\\' && p+1 < len(pat) && pat[p+1] == '/'))
		if wholeElement {
			// "**/" may match no directory at all.
			if p < len(pat) && pat[p] == '/' && g.from(p+1, text, t) == matched {
				return 0, 0, matched, true
			}
			anyDepth = true
		} else {
			anyDepth = false // other runs of stars are one star
		}
	}
	rest := text[min(t, len(text)):]
	if p == len(pat) {
		if !anyDepth && strings.IndexByte(rest, '/') >= 0 {
			return 0, 0, noMatch, true
		}
		return 0, 0, matched, true
	}
	if !anyDepth && pat[p] == '/' {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return 0, 0, noMatch, true
		}
		return p, t + i, 0, false
	}
	for ; t < len(text); t++ {
		if c := pat[p]; !isGlobSpecial(c) {
			// What stands before the next literal belongs to the star.
			c = g.lower(c)
			for t < len(text) && (anyDepth || text[t] != '/') && g.lower(text[t]) != c {
				t++
			}
			if t == len(text) || g.lower(text[t]) != c {
				return 0, 0, noMatch, true
			}
		}
		r := g.from(p, text, t)
		if r != noMatch {
			if !anyDepth || r != abortToDoubleStar {
				return 0, 0, r, true
			}
		} else if !anyDepth && text[t] == '/' {
			return 0, 0, abortToDoubleStar, true
		}
	}
	return 0, 0, abortAll, true
}

func isGlobSpecial(c byte) bool { return c == '*' || c == '?' || c == '[' || c == '\\' }

// class matches the bracket expression at pat[p] against tc and returns the index of its
// closing "]".
func (g glob) class(p int, tc byte) (int, result) {
	pat := g.pat
	at := func(i int) byte { // the byte at i, or 0 past the end, as in a C string
		if i < len(pat) {
			return pat[i]
		}
		return 0
	}
	p++
	pc := at(p)
	negated := pc == '!' || pc == '^'
	if negated {
		p++
		pc = at(p)
	}
	var prev byte
	found := false
	for {
		switch {
		case pc == 0:
			return p, abortAll
		case pc == '\\':
			p++
			if pc = at(p); pc == 0 {
				return p, abortAll
			}
			found = found || tc == g.lower(pc)
		case pc == '-' && prev != 0 && at(p+1) != 0 && at(p+1) != ']':
			p++
			hi := at(p)
			if hi == '\\' {
				p++
				if hi = at(p); hi == 0 {
					return p, abortAll
				}
			}
			found = found || inRange(tc, prev, hi) || (g.fold && inRange(upper(tc), prev, hi))
			pc = 0 // a range cannot start the next range
		case pc == '[' && at(p+1) == ':':
			start := p + 2
			end := start
			for at(end) != 0 && at(end) != ']' {
				end++
			}
			if at(end) == 0 {
				return end, abortAll
			}
			if end-start < 1 || pat[end-1] != ':' {
				// No ":]": the "[" is an ordinary member.
				found = found || tc == '['
				break
			}
			in, ok := inClass(pat[start:end-1], tc, g.fold)
			if !ok {
				return end, abortAll
			}
			found = found || in
			p, pc = end, 0
		default:
			found = found || tc == g.lower(pc)
		}
		prev = pc
		p++
		if pc = at(p); pc == ']' {
			break
		}
	}
	if found == negated || (g.pathname && tc == '/') {
		return p, noMatch
	}
	return p, matched
}

func inRange(c, lo, hi byte) bool { return lo <= c && c <= hi }

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// inClass reports whether c is in the character class name (ASCII only); ok is false for an
// unknown name.
func inClass(name string, c byte, fold bool) (in, ok bool) {
	lower, upperc := 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z'
	digit := '0' <= c && c <= '9'
	alpha := lower || upperc
	switch name {
	case "alnum":
		return alpha || digit, true
	case "alpha":
		return alpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return digit, true
	case "graph":
		return 0x21 <= c && c <= 0x7e, true
	case "lower":
		return lower || (fold && upperc), true
	case "print":
		return 0x20 <= c && c <= 0x7e, true
	case "punct":
		return 0x21 <= c && c <= 0x7e && !alpha && !digit, true
	case "space":
		return c == ' ' || c == '\t' || c == '\n' || c == '\r', true
	case "upper":
		return upperc || (fold && lower), true
	case "xdigit":
		return digit || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F'), true
	}
	return false, false
}
