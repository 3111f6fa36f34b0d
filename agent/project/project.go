// Package project reads what hew learns from the repository itself: the AGENTS.md instructions
// that apply to the working directory and the command that runs the project's tests.
package project

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Instructions is one AGENTS.md file's text.
type Instructions struct {
	Path string // relative to the repository root
	Text string
}

// maxInstructionBytes caps one AGENTS.md file; the rest is cut with a note.
const maxInstructionBytes = 32 << 10

// LoadInstructions returns the AGENTS.md files from the repository root down to dir, outermost
// first, so deeper, more specific files come last and take precedence.
func LoadInstructions(root, dir string) ([]Instructions, error) {
	rel, err := filepath.Rel(root, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = "."
	}
	var out []Instructions
	cur := root
	parts := []string{""}
	if rel != "." {
		parts = append(parts, strings.Split(filepath.ToSlash(rel), "/")...)
	}
	for _, p := range parts {
		cur = filepath.Join(cur, p)
		path := filepath.Join(cur, "AGENTS.md")
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		text := string(b)
		if len(text) > maxInstructionBytes {
			text = text[:maxInstructionBytes] + "\n[… cut: the file is longer than 32 KiB]"
		}
		r, _ := filepath.Rel(root, path)
		out = append(out, Instructions{Path: filepath.ToSlash(r), Text: strings.TrimSpace(text)})
	}
	return out, nil
}

// SystemPrompt appends the instructions to the base system prompt.
func SystemPrompt(base string, ins []Instructions) string {
	if len(ins) == 0 {
		return base
	}
	var b strings.Builder
	b.WriteString(base)
	b.WriteString("\n\n# Project instructions\nThe repository's AGENTS.md files say (deeper files take precedence):\n")
	for _, in := range ins {
		fmt.Fprintf(&b, "\n## %s\n%s\n", in.Path, in.Text)
	}
	return b.String()
}

// DetectTestCommand guesses the test command from the files at the repository root: go.mod →
// go test ./..., package.json with a test script → npm test, Cargo.toml → cargo test,
// pyproject.toml / pytest.ini / setup.cfg / tox.ini → pytest. It returns "" when unsure.
func DetectTestCommand(root string) string {
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(root, name))
		return err == nil
	}
	switch {
	case has("go.mod"):
		return "go test ./..."
	case has("package.json"):
		b, _ := os.ReadFile(filepath.Join(root, "package.json"))
		if strings.Contains(string(b), `"test"`) {
			return "npm test"
		}
	case has("Cargo.toml"):
		return "cargo test"
	case has("pytest.ini") || has("pyproject.toml") || has("setup.cfg") || has("tox.ini"):
		return "pytest"
	}
	return ""
}
