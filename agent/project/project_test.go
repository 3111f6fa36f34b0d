package project

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

func TestOverrideTakesPrecedenceInItsDirectoryAndEmptyFilesAreSkipped(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "AGENTS.md"), "root rules")
	write(t, filepath.Join(root, "AGENTS.override.md"), "ROOT OVERRIDE")
	write(t, filepath.Join(root, "svc", "AGENTS.override.md"), " \n\t\n") // empty: AGENTS.md is used
	write(t, filepath.Join(root, "svc", "AGENTS.md"), "svc rules")
	write(t, filepath.Join(root, "svc", "api", "AGENTS.md"), "")
	ins, err := LoadInstructions(root, filepath.Join(root, "svc", "api"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[0].Path != "AGENTS.override.md" || ins[0].Text != "ROOT OVERRIDE" || ins[1].Path != "svc/AGENTS.md" {
		t.Fatalf("got %+v", ins)
	}
	if p := SystemPrompt("base", ins); strings.Contains(p, "root rules") {
		t.Error("AGENTS.md was used beside the override of its directory")
	}
}

func TestInstructionsAreCappedInAll(t *testing.T) {
	root := t.TempDir()
	dir := root
	for i := range 5 { // five nested 40 KB files: 200 KB before the cap
		write(t, filepath.Join(dir, "AGENTS.md"), strings.Repeat(string(rune('a'+i)), 40<<10))
		dir = filepath.Join(dir, "d")
	}
	ins, err := LoadInstructions(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, in := range ins {
		total += len(in.Text)
	}
	if total > MaxInstructionBytes+1024 || len(ins) != 5 || !strings.Contains(ins[0].Text, "capped at 32 KiB in all") || !strings.Contains(ins[4].Text, "left out") {
		t.Errorf("%d files, %d bytes in all: %q…", len(ins), total, ins[len(ins)-1].Text)
	}
}

func TestInstructionsNeverLeaveTheRepository(t *testing.T) {
	t.Setenv("HEW_TEST_SECRET", "s3cr3t-from-the-environment")
	outside := filepath.Join(t.TempDir(), "private.md")
	write(t, outside, "OUTSIDE the repository")
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, root string)
	}{
		{"link to /proc/self/environ", func(t *testing.T, root string) { link(t, "/proc/self/environ", filepath.Join(root, "AGENTS.md")) }},
		{"link to a file outside", func(t *testing.T, root string) { link(t, outside, filepath.Join(root, "AGENTS.md")) }},
		{"relative link outside", func(t *testing.T, root string) {
			rel, _ := filepath.Rel(root, outside)
			link(t, rel, filepath.Join(root, "AGENTS.override.md"))
		}},
		{"directory link outside", func(t *testing.T, root string) {
			link(t, filepath.Dir(outside), filepath.Join(root, "sub"))
			os.Rename(outside, filepath.Join(filepath.Dir(outside), "AGENTS.md"))
			t.Cleanup(func() { os.Rename(filepath.Join(filepath.Dir(outside), "AGENTS.md"), outside) })
		}},
		{"link to /dev/zero", func(t *testing.T, root string) { link(t, "/dev/zero", filepath.Join(root, "AGENTS.md")) }},
		{"fifo", func(t *testing.T, root string) {
			if err := syscall.Mkfifo(filepath.Join(root, "AGENTS.md"), 0o644); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		}},
		{"directory", func(t *testing.T, root string) { os.Mkdir(filepath.Join(root, "AGENTS.md"), 0o755) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(t, root)
			done := make(chan []Instructions, 1)
			go func() {
				ins, err := LoadInstructions(root, filepath.Join(root, "sub"))
				if err != nil {
					t.Error(err)
				}
				done <- ins
			}()
			select {
			case ins := <-done:
				p := SystemPrompt("base", ins)
				if len(ins) != 0 || strings.Contains(p, "s3cr3t") || strings.Contains(p, "PATH=") || strings.Contains(p, "OUTSIDE") {
					t.Errorf("read what it must not: %+v", ins)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("loading the instructions hung (a FIFO or device was opened)")
			}
		})
	}
}

func TestALinkInsideTheRepositoryIsFollowed(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "docs", "agents.md"), "shared rules")
	link(t, filepath.Join("docs", "agents.md"), filepath.Join(root, "AGENTS.md"))
	ins, err := LoadInstructions(root, root)
	if err != nil || len(ins) != 1 || ins[0].Text != "shared rules" {
		t.Fatalf("got %+v, %v", ins, err)
	}
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}
