package patch

import (
	"strconv"
	"strings"
)

// The small grammars of patch headers, read by hand rather than with regular expressions: the
// package then needs no regexp, which keeps "hew patch apply" off the start-up cost of the
// packages that do (see cmd/hew/patchcli).

// hunkRange is a unified diff's "-A,B +C,D" range.
type hunkRange struct {
	oldStart, oldCount, newStart, newCount int
}

// cutNumber reads a decimal number at the start of s.
func cutNumber(s string) (int, string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, s, false
	}
	n, err := strconv.Atoi(s[:i])
	return n, s[i:], err == nil
}

// cutRangePart reads "N" or "N,M" after the sign; a missing count is 1.
func cutRangePart(s string) (start, count int, rest string, ok bool) {
	start, rest, ok = cutNumber(s)
	if !ok {
		return 0, 0, s, false
	}
	count = 1
	if r, found := strings.CutPrefix(rest, ","); found {
		if count, rest, ok = cutNumber(r); !ok {
			return 0, 0, s, false
		}
	}
	return start, count, rest, true
}

// cutRange reads "-A[,B] +C[,D] @@" (one or more closing @) at the start of s and returns what
// follows it.
func cutRange(s string) (hunkRange, string, bool) {
	var r hunkRange
	rest, ok := strings.CutPrefix(s, "-")
	if !ok {
		return r, s, false
	}
	if r.oldStart, r.oldCount, rest, ok = cutRangePart(rest); !ok {
		return r, s, false
	}
	if rest, ok = strings.CutPrefix(rest, " +"); !ok {
		return r, s, false
	}
	if r.newStart, r.newCount, rest, ok = cutRangePart(rest); !ok {
		return r, s, false
	}
	if rest, ok = strings.CutPrefix(rest, " @@"); !ok {
		return r, s, false
	}
	return r, strings.TrimLeft(rest, "@"), true
}

// parseHunkHeader reads a unified diff's "@@ -A,B +C,D @@ section" line (any number of leading
// and closing @ from two on). It returns the range and the header without its section.
func parseHunkHeader(l string) (hunkRange, string, bool) {
	rest, ok := strings.CutPrefix(l, "@@")
	if !ok {
		return hunkRange{}, "", false
	}
	rest = strings.TrimLeft(rest, "@")
	rest, ok = strings.CutPrefix(rest, " ")
	if !ok {
		return hunkRange{}, "", false
	}
	r, after, ok := cutRange(rest)
	if !ok {
		return hunkRange{}, "", false
	}
	return r, l[:len(l)-len(after)], true
}

// heredocWord returns the terminating word of a shell heredoc line that may start an apply_patch
// command: "<<EOF", "<<-'EOF'", `apply_patch <<"PATCH"`, "applypatch << EOF".
func heredocWord(head string) (string, bool) {
	rest := head
	if i := strings.Index(rest, "<<"); i > 0 {
		cmd := rest[:i]
		word := strings.TrimRight(cmd, " \t")
		if word == cmd || strings.ContainsAny(word, " \t") || !strings.Contains(word, "apply_patch") && !strings.Contains(word, "applypatch") {
			return "", false
		}
		rest = rest[i:]
	}
	rest, ok := strings.CutPrefix(rest, "<<")
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "-")
	rest = strings.TrimLeft(rest, " \t")
	if rest != "" && (rest[0] == '\'' || rest[0] == '"') {
		rest = rest[1:]
		if rest != "" && (rest[len(rest)-1] == '\'' || rest[len(rest)-1] == '"') {
			rest = rest[:len(rest)-1]
		}
	} else if rest != "" && (rest[len(rest)-1] == '\'' || rest[len(rest)-1] == '"') {
		rest = rest[:len(rest)-1]
	}
	if rest == "" {
		return "", false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", false
		}
	}
	return rest, true
}
