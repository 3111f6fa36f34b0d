// Package prompts holds the text hew sends to models: system prompts and tool descriptions,
// kept as Markdown files and embedded in the binary.
package prompts

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
)

//go:embed *.md tools/*.md tools/*.json
var files embed.FS

// Text returns the embedded prompt file at name (such as "system.md" or "tools/run.md"),
// without surrounding white space. It panics on a missing name: the set of files is fixed at
// build time and tests read every one.
func Text(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("prompts: %s is not embedded", name))
	}
	return strings.TrimSpace(string(b))
}

// The descriptions (tools/NAME.md) and argument schemas (tools/NAME.json) of the model-facing
// tools are text/template templates, rendered with the tool's own constants (defaults, caps) so
// that no value is written both in Go and in the text. Besides the data, templates may call
// json (a value as JSON, for schema enums) and either (a list of words as "`a`, `b` or `c`").
// A field the data lacks is an error, not an empty string.

// ToolDescription renders the description of the model-facing tool name with data.
func ToolDescription(name string, data any) (string, error) {
	s, err := render("tools/"+name+".md", data)
	return strings.TrimSpace(s), err
}

// ToolSchema renders the JSON Schema of the arguments of the model-facing tool name with data.
func ToolSchema(name string, data any) ([]byte, error) {
	s, err := render("tools/"+name+".json", data)
	if err == nil && !json.Valid([]byte(s)) {
		err = fmt.Errorf("prompts: tools/%s.json does not render to valid JSON", name)
	}
	return []byte(s), err
}

var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"either": func(words []string) string {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "`" + w + "`"
		}
		if len(quoted) < 2 {
			return strings.Join(quoted, "")
		}
		return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
	},
}

func render(name string, data any) (string, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("prompts: %s is not embedded", name)
	}
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(b))
	if err != nil {
		return "", fmt.Errorf("prompts: %w", err)
	}
	var out strings.Builder
	if err := t.Execute(&out, data); err != nil {
		return "", fmt.Errorf("prompts: %w", err)
	}
	return out.String(), nil
}
