// Package prompts holds the text hew sends to models: system prompts and tool descriptions,
// kept as Markdown files and embedded in the binary.
package prompts

import (
	"embed"
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

// Tool returns the description of the model-facing tool name.
func Tool(name string) string { return Text("tools/" + name + ".md") }

// Schema returns the JSON Schema of the arguments of the model-facing tool name.
func Schema(name string) []byte {
	b, err := files.ReadFile("tools/" + name + ".json")
	if err != nil {
		panic(fmt.Sprintf("prompts: tools/%s.json is not embedded", name))
	}
	return b
}
