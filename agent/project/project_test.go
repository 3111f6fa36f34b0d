package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInstructionsFromRootDown(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "AGENTS.md"), "root rules")
	write(t, filepath.Join(root, "svc", "api", "AGENTS.md"), "api rules")
	write(t, filepath.Join(root, "other", "AGENTS.md"), "not on the path")
	ins, err := LoadInstructions(root, filepath.Join(root, "svc", "api", "handlers"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[0].Path != "AGENTS.md" || ins[1].Path != "svc/api/AGENTS.md" {
		t.Fatalf("got %+v", ins)
	}
	p := SystemPrompt("base", ins)
	if !strings.Contains(p, "root rules") || strings.Index(p, "root rules") > strings.Index(p, "api rules") {
		t.Errorf("prompt order wrong: %s", p)
	}
}

func TestDetectTestCommand(t *testing.T) {
	for _, tc := range []struct{ file, content, want string }{
		{"go.mod", "module x", "go test ./..."},
		{"package.json", `{"scripts":{"test":"jest"}}`, "npm test"},
		{"package.json", `{"name":"x"}`, ""},
		{"Cargo.toml", "", "cargo test"},
		{"pyproject.toml", "", "pytest"},
		{"README", "", ""},
	} {
		root := t.TempDir()
		write(t, filepath.Join(root, tc.file), tc.content)
		if got := DetectTestCommand(root); got != tc.want {
			t.Errorf("%s: got %q want %q", tc.file, got, tc.want)
		}
	}
}
