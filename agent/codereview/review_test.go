package codereview

import (
	"encoding/json"
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

func TestParseNormalisesSeveritiesAndLeavesMissingLinesOut(t *testing.T) {
	_, fs, err := Parse(`{"summary":"s","findings":[
		{"title":"a","file":"x.go","severity":"URGENT","start_line":null},
		{"title":"b","file":"x.go","severity":"","start_line":"12","end_line":"x"},
		{"title":"c","path":"y.go","severity":"nitpick","start_line":0,"end_line":9},
		{"title":"d","file":"y.go","severity":"bogus-level","line":-3}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{Title: "a", File: "x.go", Severity: High},
		{Title: "b", File: "x.go", Severity: Medium, StartLine: 12, EndLine: 12},
		{Title: "c", File: "y.go", Severity: Low},
		{Title: "d", File: "y.go", Severity: Medium},
	}
	for i, w := range want {
		if fs[i] != w {
			t.Errorf("finding %d = %+v, want %+v", i, fs[i], w)
		}
	}
	b, _ := json.Marshal(fs[0])
	if strings.Contains(string(b), "line") {
		t.Errorf("a finding without a line has one in JSON: %s", b)
	}
}

func TestMergeDropsDuplicatesKeepingTheStrongest(t *testing.T) {
	got := Merge([]Finding{
		{Title: "Off-by-one in loop", File: "a.go", StartLine: 10, EndLine: 12, Severity: Medium, Confidence: 0.5},
		{Title: "off by one in loop!", File: "a.go", StartLine: 12, EndLine: 12, Severity: High, Confidence: 0.4},
		{Title: "Off-by-one in loop", File: "a.go", StartLine: 40, EndLine: 40, Severity: Low},
		{Title: "Off-by-one in loop", File: "b.go", StartLine: 10, EndLine: 10, Severity: Low},
		{Title: "File lacks tests", File: "a.go", Severity: Low},
		{Title: "file lacks tests", File: "a.go", Severity: Low, Confidence: 0.9},
	})
	if len(got) != 4 {
		t.Fatalf("merged to %d findings: %+v", len(got), got)
	}
	if got[0].Severity != High || got[0].StartLine != 12 {
		t.Errorf("the duplicate kept is not the most severe, or not first: %+v", got[0])
	}
	for _, f := range got {
		if f.Title == "file lacks tests" && f.Confidence != 0.9 {
			t.Errorf("the more confident line-less duplicate was not kept: %+v", f)
		}
	}
}
