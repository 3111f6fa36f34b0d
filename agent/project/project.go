// Package project reads what hew learns from the repository itself: the AGENTS.md instructions
// that apply to the working directory and the command that runs the project's tests.
package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"hew/gitops/fsguard"
)

// Instructions is one AGENTS.md file's text.
type Instructions struct {
	Path string // relative to the repository root
	Text string
}

// instructionFiles are the names read in each directory, in order of precedence: as Codex
// defines it, AGENTS.override.md replaces AGENTS.md in its directory. The first non-empty one
// is used.
var instructionFiles = []string{"AGENTS.override.md", "AGENTS.md"}

// MaxInstructionBytes caps the instructions of all the files together (as Codex's
// project_doc_max_bytes does): files are taken from the root down until the cap, the one that
// crosses it is cut with a note, and deeper ones are left out with a note.
const MaxInstructionBytes = 32 << 10

// LoadInstructions returns the AGENTS.md files from the repository root down to dir, outermost
// first, so deeper, more specific files come last and take precedence. In each directory
// AGENTS.override.md is used in place of AGENTS.md; empty files are skipped. Only regular files
// inside the repository are read: a symbolic link that leads out of it (to /proc/self/environ,
// to ~/.ssh) is not followed, and FIFOs, devices and directories are never opened.
func LoadInstructions(root, dir string) ([]Instructions, error) {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		rel = "."
	}
	var out []Instructions
	cur := root
	parts := []string{""}
	if rel != "." {
		parts = append(parts, strings.Split(filepath.ToSlash(rel), "/")...)
	}
	budget := MaxInstructionBytes
	for _, p := range parts {
		cur = filepath.Join(cur, p)
		for _, name := range instructionFiles {
			path := filepath.Join(cur, name)
			r, _ := filepath.Rel(root, path)
			r = filepath.ToSlash(r)
			text, err := readContained(root, r, max(budget, 4<<10))
			if err != nil {
				return nil, err
			}
			text = strings.TrimSpace(text)
			if text == "" {
				continue
			}
			switch {
			case budget <= 0:
				text = fmt.Sprintf("[left out: the project instructions reached their %d KiB cap before this file]", MaxInstructionBytes>>10)
			case len(text) > budget:
				text = strings.ToValidUTF8(text[:budget], "") + fmt.Sprintf("\n[… cut: the project instructions are capped at %d KiB in all]", MaxInstructionBytes>>10)
			}
			budget -= len(text)
			out = append(out, Instructions{Path: r, Text: text})
			break
		}
	}
	return out, nil
}

// readContained reads up to limit+1 bytes of rel (relative to root) when it is a regular file
// inside the repository, reached only through links that stay inside it (gitops/fsguard), and
// returns "" for a file that is absent, outside the repository or not a regular file.
func readContained(root, rel string, limit int) (string, error) {
	b, err := fsguard.ReadInAtMost(root, rel, int64(max(limit, 0))+1)
	switch {
	case err == nil:
		return string(b), nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fsguard.ErrUnsafe), errors.Is(err, fsguard.ErrNotRegular):
		return "", nil
	}
	return "", fmt.Errorf("read %s: %w", rel, err)
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
