package gitops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAcceptCommitLargeRepo accepts a change to one file and commits it, in a repository of
// 30,000 files (100 directories of 300).
func BenchmarkAcceptCommitLargeRepo(b *testing.B) {
	dir := b.TempDir()
	git(b, dir, "init", "-q", "-b", "main")
	git(b, dir, "config", "user.name", "Bench")
	git(b, dir, "config", "user.email", "bench@example.com")
	for d := range 100 {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 300 {
			content := fmt.Sprintf("package pkg%03d\n\n// File %d.\nconst N%d = %d\n", d, f, f, f)
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d.go", f)), []byte(content), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	git(b, dir, "add", "-A")
	git(b, dir, "commit", "-q", "-m", "generated")
	repo := open(b, dir)
	ctx := context.Background()
	cur := readFileT(b, dir, "pkg050/f150.go")
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		next := fmt.Sprintf("%s// edit %d\n", cur, i)
		u := Update{Path: "pkg050/f150.go", Base: []byte(cur), BaseExists: true, New: []byte(next)}
		if err := repo.Accept([]Update{u}); err != nil {
			b.Fatal(err)
		}
		if _, err := repo.Commit(ctx, CommitOptions{Updates: []Update{u}, Message: "edit"}); err != nil {
			b.Fatal(err)
		}
		cur = next
	}
	b.StopTimer()
	if got := git(b, dir, "status", "--porcelain"); got != "" {
		b.Fatalf("status after the commits: %q", got)
	}
}
