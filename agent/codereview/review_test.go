package codereview

import (
	"strings"
	"testing"

	"hew/gitops/diff"
)

func TestParseIsForgivingButStrictAboutTheShape(t *testing.T) {
	ok := []string{
		`{"summary":"s","findings":[{"title":"t","file":"b/a.go","line":7,"severity":"Critical","confidence":"high","explanation":"e"}]}`,
		"Sure!\n```json\n{\"summary\":\"s\",\"findings\":[{\"title\":\"t\",\"file\":\"./a.go\",\"start_line\":7,\"end_line\":3,\"severity\":\"high\",\"confidence\":90}]}\n```\nDone.",
		`My review: {"summary":"s","findings":[{"title":"t","file":"a.go","start_line":7,"severity":"major","confidence":0.9}]} thanks`,
	}
	for _, s := range ok {
		sum, fs, err := Parse(s)
		if err != nil || sum != "s" || len(fs) != 1 {
			t.Fatalf("Parse(%q) = %q %+v %v", s, sum, fs, err)
		}
		if f := fs[0]; f.File != "a.go" || f.StartLine != 7 || f.EndLine != 7 || f.Severity != High || f.Confidence != 0.9 {
			t.Errorf("Parse(%q) finding %+v", s, f)
		}
	}
	bad := map[string]string{
		"":                 "empty",
		"looks good to me": "no JSON object",
		`{"findings": [}`:  "does not parse",
		`{"findings":[{"title":"t","file":"a"}]}`:      `severity ""`,
		`{"findings":[{"file":"a","severity":"low"}]}`: "no title",
		`{"findings":"none"}`:                          "shape",
	}
	for in, want := range bad {
		if _, _, err := Parse(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error %v, want %q", in, err, want)
		}
	}
}

func TestAroundMergesNearbyChangesWithinTheFile(t *testing.T) {
	hunks := []diff.Hunk{{NewStart: 5, NewLines: 1}, {NewStart: 30, NewLines: 2}, {NewStart: 100, NewLines: 0}}
	got := around(hunks, 20, 110)
	if len(got) != 2 || got[0] != [2]int{1, 51} || got[1] != [2]int{80, 110} {
		t.Errorf("around = %v", got)
	}
}

func TestFailsThresholds(t *testing.T) {
	r := Report{Findings: []Finding{{Severity: Medium}}}
	if r.Fails(High) || !r.Fails(Medium) || !r.Fails(Low) || r.Fails("") {
		t.Error("thresholds")
	}
}
