package patch

import (
	"regexp"
	"strconv"
	"testing"
)

// The hand-written header readers agree with the regular expressions they replace.
func TestScanAgreesWithRegexps(t *testing.T) {
	hunkRe := regexp.MustCompile(`^@@+ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@+`)
	heredocRe := regexp.MustCompile(`^(?:\S*apply_?patch\S*\s+)?<<-?\s*['"]?(\w+)['"]?$`)
	count := func(s string) int {
		if s == "" {
			return 1
		}
		n, _ := strconv.Atoi(s)
		return n
	}
	for _, l := range []string{
		"@@ -1,3 +1,4 @@", "@@ -1 +1 @@", "@@ -0,0 +1,2 @@ func f() {", "@@@ -5,2 +5,3 @@@", "@@ -12,7 +12,8 @@@ x",
		"@@ -a,1 +1 @@", "@@ -1,3 +1,4", "@@-1 +1 @@", "@@ -1, +1 @@", "@@  -1 +1 @@", "@@ -1 +1 @", "@@", "@@ func x",
		"@@ -1,2 -1,2 @@",
	} {
		r, _, ok := parseHunkHeader(l)
		m := hunkRe.FindStringSubmatch(l)
		if ok != (m != nil) {
			t.Errorf("%q: parsed %v, regexp %v", l, ok, m != nil)
			continue
		}
		if ok {
			start, _ := strconv.Atoi(m[1])
			newStart, _ := strconv.Atoi(m[3])
			if want := (hunkRange{start, count(m[2]), newStart, count(m[4])}); r != want {
				t.Errorf("%q: %+v, want %+v", l, r, want)
			}
		}
	}
	for _, l := range []string{
		"<<EOF", "<<'EOF'", `<<"PATCH"`, "<<-EOF", "<< EOF", "apply_patch <<'EOF'", "applypatch <<EOF", "/bin/apply_patch  << 'X_1'",
		"cat <<EOF", "<<", "<<'E-F'", "apply_patch<<EOF", "x apply_patch <<EOF", "<<EOF extra",
	} {
		word, ok := heredocWord(l)
		m := heredocRe.FindStringSubmatch(l)
		if ok != (m != nil) || ok && word != m[1] {
			t.Errorf("%q: got %q %v, regexp %v", l, word, ok, m)
		}
	}
}
