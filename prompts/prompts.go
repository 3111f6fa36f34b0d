// Package prompts holds the text hew sends to models: system prompts and tool descriptions,
// kept as Markdown files and embedded in the binary.
package prompts

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
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
// tools are templates, rendered with the tool's own constants (defaults, caps) so that no value is
// written both in Go and in the text. A template holds text and actions: {{.Name}} is the value
// of Name, {{json .Name}} the value as JSON (for schema enums) and {{either .Name}} a list of
// words as "`a`, `b` or `c`". A name the data lacks, or any other action, is an error, not an
// empty string.
//
// The syntax is a small subset of text/template's, rendered here rather than by text/template:
// a program that executes a text/template makes the Go linker keep every exported method of
// every type (templates may call any of them by name), which would double the size of hew.

// ToolDescription renders the description of the model-facing tool name with data.
func ToolDescription(name string, data map[string]any) (string, error) {
	s, err := render("tools/"+name+".md", data)
	return strings.TrimSpace(s), err
}

// ToolSchema renders the JSON Schema of the arguments of the model-facing tool name with data.
func ToolSchema(name string, data map[string]any) ([]byte, error) {
	s, err := render("tools/"+name+".json", data)
	if err == nil && !json.Valid([]byte(s)) {
		err = fmt.Errorf("prompts: tools/%s.json does not render to valid JSON", name)
	}
	return []byte(s), err
}

// funcs are the functions an action may apply to a value.
var funcs = map[string]func(v any) (string, error){
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"either": func(v any) (string, error) {
		words, ok := v.([]string)
		if !ok {
			return "", fmt.Errorf("either wants a list of words, not %T", v)
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "`" + w + "`"
		}
		if len(quoted) < 2 {
			return strings.Join(quoted, ""), nil
		}
		return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1], nil
	},
}

// render renders the embedded template name with data.
func render(name string, data map[string]any) (string, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("prompts: %s is not embedded", name)
	}
	out, err := execute(string(b), data)
	if err != nil {
		return "", fmt.Errorf("prompts: %s: %w", name, err)
	}
	return out, nil
}

// execute renders the template text with data.
func execute(text string, data map[string]any) (string, error) {
	var out strings.Builder
	pos := 0 // where the rest of text starts
	for {
		open := strings.Index(text[pos:], "{{")
		if open < 0 {
			out.WriteString(text[pos:])
			return out.String(), nil
		}
		open += pos
		out.WriteString(text[pos:open])
		end := strings.Index(text[open:], "}}")
		if end < 0 {
			return "", fmt.Errorf("line %d: unclosed action", line(text, open))
		}
		action := strings.Fields(text[open+2 : open+end])
		s, err := act(action, data)
		if err != nil {
			return "", fmt.Errorf("line %d: {{%s}}: %w", line(text, open), strings.Join(action, " "), err)
		}
		out.WriteString(s)
		pos = open + end + 2
	}
}

// act evaluates one action, its words split at spaces.
func act(action []string, data map[string]any) (string, error) {
	var fn func(any) (string, error)
	switch len(action) {
	case 1:
	case 2:
		if fn = funcs[action[0]]; fn == nil {
			return "", fmt.Errorf("unknown function %q", action[0])
		}
		action = action[1:]
	default:
		return "", fmt.Errorf("want {{.Name}} or {{FUNCTION .Name}}")
	}
	key, ok := strings.CutPrefix(action[0], ".")
	if !ok || key == "" {
		return "", fmt.Errorf("want a name such as .Name, not %q", action[0])
	}
	v, ok := data[key]
	if !ok {
		return "", fmt.Errorf("no value for %s", key)
	}
	if fn != nil {
		return fn(v)
	}
	return fmt.Sprint(v), nil
}

// line is the line number of offset i in s, counting from 1.
func line(s string, i int) int { return strings.Count(s[:i], "\n") + 1 }
