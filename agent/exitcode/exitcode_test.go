package exitcode

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// section returns the text of doc from the heading that contains title to the next heading
// of the same or a higher level.
func section(t *testing.T, doc, title string) string {
	t.Helper()
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, title)
	if i < 0 {
		t.Fatalf("%s has no %q section", doc, title)
	}
	level := strings.LastIndex(s[:i], "\n") + 1
	hashes := s[level:i]
	rest := s[i:]
	if j := strings.Index(rest, "\n"+strings.TrimSpace(hashes)+" "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// The README and the CI guide document every case, under the code Cases gives it.
func TestEveryCaseIsDocumented(t *testing.T) {
	for _, doc := range []struct{ path, title string }{{"../../README.md", "### Exit codes"}, {"../../docs/ci.md", "## Exit codes"}} {
		sec := strings.ToLower(section(t, doc.path, doc.title))
		rows := map[int]string{}
		for _, line := range strings.Split(sec, "\n") {
			for _, code := range []int{OK, Failed, Usage, Interrupted} {
				if strings.HasPrefix(line, "| "+itoa(code)+" |") {
					rows[code] += line
				}
			}
		}
		for _, c := range Cases() {
			if !strings.Contains(rows[c.Code], strings.ToLower(c.Key)) {
				t.Errorf("%s: the row of exit code %d does not name %q (%s)", doc.path, c.Code, c.Key, c.What)
			}
		}
	}
}

func itoa(n int) string {
	return map[int]string{OK: "0", Failed: "1", Usage: "2", Interrupted: "130"}[n]
}

// No code outside this package picks an exit code by number.
func TestNoOtherPlaceWritesExitCodes(t *testing.T) {
	literal := regexp.MustCompile(`\b(fail|silentExit|os\.Exit)\((1|2|130)\b|\bcode:\s*(1|2|130)\b|ExitCode\s*=\s*(1|2|130)\b|exit(OK|Failed|Usage|Interrupted)\s*=\s*\d`)
	for _, root := range []string{"../../cmd", "../../agent/engine", "../../agent/attempts", "../../tui"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir // programs the tests build, not hew
			}
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				if literal.MatchString(line) {
					t.Errorf("%s:%d picks an exit code by number; use package exitcode: %s", p, i+1, strings.TrimSpace(line))
				}
			}
			return nil
		})
	}
}
