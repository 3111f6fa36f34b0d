package prompts

import (
	"strings"
	"testing"
)

func TestExecute(t *testing.T) {
	data := map[string]any{"N": 30, "S": "x", "W": []string{"a", "b", "c"}, "One": []string{"a"}}
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"wait {{.N}} s", "wait 30 s"},
		{"{{ .S }}{{.S}}", "xx"},
		{`"enum": {{json .W}}`, `"enum": ["a","b","c"]`},
		{"one of {{either .W}}", "one of `a`, `b` or `c`"},
		{"{{either .One}}", "`a`"},
		{"{{json .S}}", `"x"`},
	} {
		got, err := execute(c.in, data)
		if err != nil || got != c.want {
			t.Errorf("execute(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestExecuteRefusesWhatItCannotRender(t *testing.T) {
	data := map[string]any{"N": 30, "S": "x"}
	for _, c := range []struct{ in, want string }{
		{"a\n{{.Missing}}", "line 2: {{.Missing}}: no value for Missing"},
		{"{{upper .S}}", `unknown function "upper"`},
		{"{{either .S}}", "either wants a list of words, not string"},
		{"{{N}}", `want a name such as .Name, not "N"`},
		{"{{.}}", `want a name such as .Name, not "."`},
		{"{{if .N}}x{{end}}", "unknown function"},
		{"{{.N", "unclosed action"},
		{"a\n{{.N}} {{.N", "line 2: unclosed action"},
		{"{{json .N .S}}", "want {{.Name}} or {{FUNCTION .Name}}"},
	} {
		got, err := execute(c.in, data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("execute(%q) = %q, %v; want an error containing %q", c.in, got, err, c.want)
		}
	}
}

// Every embedded tool template renders with the names its tool supplies; the tools' own tests
// render them with their real constants, this checks the files hold nothing else.
func TestToolTemplatesUseOnlyTheSubset(t *testing.T) {
	entries, err := files.ReadDir("tools")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := files.ReadFile("tools/" + e.Name())
		data := map[string]any{}
		for _, f := range strings.Split(string(b), "{{")[1:] {
			action := strings.Fields(f[:strings.Index(f, "}}")])
			data[strings.TrimPrefix(action[len(action)-1], ".")] = []string{"a", "b"}
		}
		if _, err := execute(string(b), data); err != nil {
			t.Errorf("tools/%s: %v", e.Name(), err)
		}
	}
}
