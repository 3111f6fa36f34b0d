package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"hew/agent/engine"
	"hew/agent/engine/enginetest"
	"hew/agent/llm/llmtest"
	"hew/agent/proposal"
	"hew/gitops/gittest"
)

func TestControlFilesFollowLinksAndCoverLinksToThem(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	gittest.Git(t, dir, "config", "core.hooksPath", "tools/hooks")
	if err := os.Symlink(".", filepath.Join(dir, "here")); err != nil {
		t.Fatal(err)
	}
	e, _ := newEngine(t, dir)
	link := fs.ModeSymlink | 0o777
	changes := []proposal.Change{
		{Path: "a.txt", Op: proposal.Modify, New: []byte("b\n"), NewMode: 0o644},
		{Path: "ci", Op: proposal.Add, New: []byte(".github/workflows"), NewMode: link},
		{Path: "ci/x.yml", Op: proposal.Add, New: []byte("on: push\n"), NewMode: 0o644},
		{Path: "here/.hew/config.toml", Op: proposal.Add, New: []byte("x = 1\n"), NewMode: 0o644},
		{Path: "up", Op: proposal.Add, New: []byte("../outside"), NewMode: link},
		{Path: "tools/hooks/pre-commit", Op: proposal.Add, New: []byte("#!/bin/sh\n"), NewMode: 0o755},
		{Path: "root", Op: proposal.Add, New: []byte("."), NewMode: link},
	}
	var got []string
	for _, c := range e.ControlFiles(changes) {
		got = append(got, c.String())
	}
	want := []string{"ci (symlink to CI configuration)", "ci/x.yml (CI configuration)", "here/.hew/config.toml (hew configuration)",
		"tools/hooks/pre-commit (git hooks)", "root (symlink to a directory of control files)"}
	if !slices.Equal(got, want) {
		t.Errorf("control files\n got %q\nwant %q", got, want)
	}
}

// A hook accepted into the tree is not run by a commit without the user's say, through any
// front end: the engine's Commit refuses it.
func TestCommitRefusesAcceptedHookChanges(t *testing.T) {
	dir := testRepo(t, map[string]string{"a.txt": "a\n"})
	gittest.Git(t, dir, "config", "core.hooksPath", ".hooks")
	e, _ := newEngine(t, dir)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	if err := e.LayerForTest().WriteFile(".hooks/pre-commit", []byte("#!/bin/sh\ntouch ran\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accept(nil); err != nil {
		t.Fatal(err)
	}
	_, err := e.Commit(context.Background(), nil, "add hook", "")
	var he *engine.HookChangesError
	if !errors.As(err, &he) || len(he.Files) != 1 || he.Files[0].Path != ".hooks/pre-commit" {
		t.Fatalf("commit: %v", err)
	}
	if gittest.Git(t, dir, "rev-parse", "HEAD") != head {
		t.Fatal("HEAD moved")
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); !os.IsNotExist(err) {
		t.Fatal("the hook ran")
	}
	if _, err := e.Commit(context.Background(), nil, "add hook", "", engine.RunChangedHooks); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkControlFiles10k classifies a proposal of 10,000 files three directories deep, as
// every read of the review does.
func BenchmarkControlFiles10k(b *testing.B) {
	dir := gittest.NewRepo(b, map[string]string{"a.txt": "a\n"})
	o := enginetest.Options(b, dir, llmtest.NewOpenAIServer(b))
	e, err := engine.New(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	changes := make([]proposal.Change, 10000)
	for i := range changes {
		changes[i] = proposal.Change{Path: fmt.Sprintf("pkg%d/sub/dir/file%d.go", i%100, i), Op: proposal.Add, New: []byte("x"), NewMode: 0o644}
	}
	for b.Loop() {
		if cf := e.ControlFiles(changes); len(cf) != 0 {
			b.Fatal(cf)
		}
	}
}
