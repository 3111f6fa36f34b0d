package ignore

import (
	"strings"
)

// Rule is the line of an ignore file that decides whether a path is ignored.
type Rule struct {
	// Source is the file: slash-separated and relative to the tree for a .gitignore
	// ("sub/.gitignore"), an absolute path for info/exclude and the excludes file.
	Source string
	Line   int    // 1-based
	Text   string // the pattern as written, trailing spaces removed, such as "!/build/"
}

// Negated reports whether the rule re-includes what it matches ("!pattern").
func (r Rule) Negated() bool { return strings.HasPrefix(r.Text, "!") }

// How a pattern compares with a name; literal and suffix skip the glob matcher.
const (
	literal = iota // the name equals text
	suffix         // the name ends with text ("*.o" keeps ".o")
	wild           // glob matching
)

// pattern is one parsed line of an ignore file.
type pattern struct {
	rule    Rule
	text    string // without "!", the trailing "/" and, for a path pattern, the leading "/"
	kind    int
	negate  bool
	dirOnly bool // "dir/": matches directories only
	// basename patterns have no "/" but a trailing one: they match the last element of a path
	// at any depth. The others match the path relative to the ignore file's directory.
	basename bool
	glob     glob
}

// parse reads the patterns of one ignore file, as git does: a UTF-8 byte order mark is skipped,
// lines end in LF or CRLF, blank lines and lines starting with "#" are skipped, unescaped
// trailing spaces are removed, "\" escapes a leading "#" or "!" and any other character.
func parse(data []byte, source string, fold bool) []pattern {
	text := strings.TrimPrefix(string(data), "\ufeff")
	var out []pattern
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		line = trimTrailingSpaces(line)
		if p, ok := parsePattern(line, fold); ok {
			p.rule = Rule{Source: source, Line: i + 1, Text: line}
			out = append(out, p)
		}
	}
	return out
}

// trimTrailingSpaces removes the spaces at the end of line unless a backslash escapes them.
func trimTrailingSpaces(line string) string {
	cut := -1
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ' ':
			if cut < 0 {
				cut = i
			}
		case '\\':
			i++
			if i == len(line) {
				return line
			}
			cut = -1
		default:
			cut = -1
		}
	}
	if cut >= 0 {
		return line[:cut]
	}
	return line
}

// parsePattern parses one line; ok is false for a pattern that can match nothing ("!", "/").
func parsePattern(s string, fold bool) (pattern, bool) {
	var p pattern
	s, p.negate = strings.CutPrefix(s, "!")
	s, p.dirOnly = strings.CutSuffix(s, "/")
	p.basename = !strings.Contains(s, "/")
	if !p.basename {
		s = strings.TrimPrefix(s, "/")
	}
	if s == "" {
		return p, false
	}
	p.text = s
	switch {
	case strings.IndexAny(s, `*?[\`) < 0:
		p.kind = literal
	case p.basename && s[0] == '*' && strings.IndexAny(s[1:], `*?[\`) < 0:
		p.kind, p.text = suffix, s[1:]
	default:
		p.kind = wild
		p.glob = glob{pat: s, pathname: !p.basename, fold: fold}
	}
	return p, true
}

// matches reports whether the pattern matches a path: rel is the path relative to the ignore
// file's directory, base its last element.
func (p *pattern) matches(rel, base string, isDir, fold bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	name := rel
	if p.basename {
		name = base
	}
	switch p.kind {
	case literal:
		return equal(name, p.text, fold)
	case suffix:
		return len(name) >= len(p.text) && equal(name[len(name)-len(p.text):], p.text, fold)
	}
	return p.glob.match(name)
}

// equal compares two names, ignoring ASCII case when fold is set.
func equal(a, b string, fold bool) bool {
	if !fold {
		return a == b
	}
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// list is the patterns of one ignore file, linked to the list consulted after it: a directory's
// .gitignore, then its parent's and so on up to the top, then info/exclude, then the excludes
// file. The first list with a matching pattern decides, and within a list the last such pattern.
type list struct {
	dir      string // the directory a .gitignore is in, "" for the top and the global files
	patterns []pattern
	next     *list
}

// match returns the pattern that decides name (which lies below every list's dir), or nil.
func (l *list) match(name, base string, isDir, fold bool) *pattern {
	for ; l != nil; l = l.next {
		rel := name
		if l.dir != "" {
			rel = name[len(l.dir)+1:]
		}
		for i := len(l.patterns) - 1; i >= 0; i-- {
			if p := &l.patterns[i]; p.matches(rel, base, isDir, fold) {
				return p
			}
		}
	}
	return nil
}

// push returns the list of patterns before next, or next itself when there are none.
func push(dir string, patterns []pattern, next *list) *list {
	if len(patterns) == 0 {
		return next
	}
	return &list{dir: dir, patterns: patterns, next: next}
}
