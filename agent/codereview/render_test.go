package codereview

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// sampleReport has what makes formats break: a finding without a line, a fix holding a code
// fence, a title with a pipe, a path that needs escaping in a URI, and skipped files.
func sampleReport() Report {
	r := NewReport("main...HEAD", "gpt-test")
	r.Files = []string{"calc.go", "docs/read me.md"}
	r.Summary = "Two problems."
	r.Requests = 2
	r.Findings = []Finding{
		{Title: "Add subtracts | wrongly", File: "calc.go", StartLine: 5, EndLine: 6, Severity: High, Confidence: 0.9,
			Explanation: "return a - b", SuggestedFix: "--- a/docs/read me.md\n+++ b/docs/read me.md\n@@ -1 +1,3 @@\n-x\n+```go\n+fmt.Println()\n+```\n"},
		{Title: "The README no longer says how to build", File: "docs/read me.md", Severity: Low, Confidence: 0.4, Explanation: "Whole-file finding:\n```sh\ngo build ./..."},
	}
	r.Skipped = []Skipped{{"logo.png", SkipBinary, "a binary file"}, {"go.sum", SkipExcluded, `matches the exclude pattern "go.sum"`}}
	return r
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///"+path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("file:///" + path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	schema := compileSchema(t, "testdata/sarif-schema-2.1.0.json")
	for name, r := range map[string]Report{"findings": sampleReport(), "empty": NewReport("uncommitted changes", "m")} {
		var out bytes.Buffer
		if err := r.Write(&out, FormatSARIF); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("%s: not JSON: %v", name, err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: the SARIF log does not validate: %v\n%s", name, err, out.String())
		}
	}

	// A finding without a line has no region (SARIF's startLine is 1 or more); the others
	// have their lines; skipped files are notifications.
	var log SARIFLog
	var out bytes.Buffer
	sampleReport().Write(&out, FormatSARIF)
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != 2 || res[0].Level != "error" || res[0].Locations[0].PhysicalLocation.Region.StartLine != 5 ||
		res[0].Locations[0].PhysicalLocation.Region.EndLine != 6 || res[1].Locations[0].PhysicalLocation.Region != nil {
		t.Errorf("results: %+v", res)
	}
	if uri := res[1].Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "docs/read%20me.md" {
		t.Errorf("uri %q", uri)
	}
	if n := log.Runs[0].Invocations[0].Notifications; len(n) != 2 || !strings.Contains(n[0].Message.Text, "binary") {
		t.Errorf("notifications: %+v", n)
	}
}

func TestJSONAlwaysHasTheListsAndNoZeroLines(t *testing.T) {
	var out bytes.Buffer
	if err := NewReport("uncommitted changes", "m").Write(&out, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var empty map[string]any
	if err := json.Unmarshal(out.Bytes(), &empty); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	for _, k := range []string{"files", "skipped", "findings"} {
		if l, ok := empty[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %v, want []", k, empty[k])
		}
	}
	out.Reset()
	sampleReport().Write(&out, FormatJSON)
	if strings.Contains(out.String(), `"start_line": 0`) || strings.Count(out.String(), `"start_line"`) != 1 {
		t.Errorf("lines in JSON:\n%s", out.String())
	}
}

// The Markdown comment parses as intended: the suggested fix is one code block holding the
// whole fix, whatever fences it contains, and the table has a row per finding.
func TestMarkdownFixCannotBreakTheComment(t *testing.T) {
	r := sampleReport()
	md := r.Markdown()
	if !strings.HasPrefix(md, MarkdownMarker+"\n") {
		t.Errorf("the comment does not begin with the marker:\n%s", md)
	}
	src := []byte(md)
	doc := goldmark.New(goldmark.WithExtensions(extension.Table)).Parser().Parse(text.NewReader(src))
	var blocks []string
	rows := 0
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.FencedCodeBlock:
			var b strings.Builder
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				b.Write(seg.Value(src))
			}
			blocks = append(blocks, b.String())
		case *east.TableRow:
			rows++
		}
		return ast.WalkContinue, nil
	})
	// The explanation's unclosed block is closed, so the skipped files' table after it stays a table.
	if len(blocks) != 2 || blocks[0] != r.Findings[0].SuggestedFix || blocks[1] != "go build ./...\n" {
		t.Errorf("code blocks %q, want the whole fix in one, and the explanation's block closed", blocks)
	}
	if rows < 4 { // two findings, two skipped files
		t.Errorf("%d table rows:\n%s", rows, md)
	}
	for _, want := range []string{"Not reviewed: 2 files", "`go.sum`", "Add subtracts \\| wrongly", "`docs/read me.md`"} {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %q:\n%s", want, md)
		}
	}
}

func TestTextNamesSkippedFilesAndEmptyReviews(t *testing.T) {
	txt := sampleReport().Text()
	for _, want := range []string{"Not reviewed (2 files):", "logo.png — a binary file", "LOW    docs/read me.md  The README", "(2 review requests)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
	if got := NewReport("uncommitted changes", "m").Text(); !strings.Contains(got, "Nothing to review") {
		t.Errorf("empty: %q", got)
	}
}
