package gitops

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"hew/gitops/gittest"
)

// largeRepo makes a repository of n committed files, in directories of 300.
func largeRepo(b *testing.B, n int) string {
	dir := b.TempDir()
	git(b, dir, "init", "-q", "-b", "main")
	git(b, dir, "config", "user.name", "Bench")
	git(b, dir, "config", "user.email", "bench@example.com")
	git(b, dir, "config", "gc.auto", "0") // no background gc racing the temporary directory's removal
	git(b, dir, "config", "maintenance.auto", "false")
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", i/300))
		if i%300 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		content := fmt.Sprintf("package pkg%03d\n\n// File %d.\nconst N%d = %d\n", i/300, i, i, i)
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d.go", i%300)), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	git(b, dir, "add", "-A")
	git(b, dir, "commit", "-q", "-m", "generated")
	git(b, dir, "status", "--porcelain") // refresh the index's stat data, as any git command would
	return dir
}

// timeGit runs a shell command line in dir and returns how long it took.
func timeGit(b *testing.B, dir, script string) time.Duration {
	start := time.Now()
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", script, err, out)
	}
	return time.Since(start)
}

// BenchmarkAcceptCommitLargeRepo does, in a repository of 30,000 files, what
// `hew exec --accept auto --commit` does to git for a one-file change: CheckCommit and the
// checkpoint before accepting side by side (as the engine runs them), Accept, Commit. It reports its time over that
// of `git add FILE && git commit -q -m edit` of another one-file change in the same repository,
// run in the same loop (x-git; 1.0 is as fast as git).
func BenchmarkAcceptCommitLargeRepo(b *testing.B) {
	dir := largeRepo(b, 30000)
	repo := open(b, dir)
	ctx := context.Background()
	cur := readFileT(b, dir, "pkg050/f150.go")
	var hewTime, gitTime time.Duration
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		writeFile(b, dir, "pkg010/f010.go", fmt.Sprintf("package pkg010\n// git %d\n", i))
		gitTime += timeGit(b, dir, "git add pkg010/f010.go && git commit -q -m edit")
		b.StartTimer()
		start := time.Now()
		next := fmt.Sprintf("%s// edit %d\n", cur, i)
		u := Update{Path: "pkg050/f150.go", Base: []byte(cur), BaseExists: true, New: []byte(next)}
		opts := CommitOptions{Updates: []Update{u}, Message: "edit"}
		cpErr := make(chan error, 1)
		go func() {
			if os.Getenv("HEW_BENCH_NO_CHECKPOINT") == "" {
				_, err := repo.Checkpoint(ctx, "before accepting")
				cpErr <- err
				return
			}
			cpErr <- nil
		}()
		if err := repo.CheckCommit(ctx, opts); err != nil {
			b.Fatal(err)
		}
		if err := <-cpErr; err != nil {
			b.Fatal(err)
		}
		if err := repo.Accept([]Update{u}); err != nil {
			b.Fatal(err)
		}
		if _, err := repo.Commit(ctx, opts); err != nil {
			b.Fatal(err)
		}
		hewTime += time.Since(start)
		cur = next
	}
	b.ReportMetric(float64(hewTime)/float64(gitTime), "x-git")
	if got := git(b, dir, "status", "--porcelain"); got != "" {
		b.Fatalf("status after the commits: %q", got)
	}
}

// BenchmarkCheckpointLargeRepo takes a checkpoint of a repository of 75,000 files with one
// file edited and one untracked file, and reports its time over that of git's temporary-index
// snapshot of the same tree, `cp .git/index TMP && GIT_INDEX_FILE=TMP git add -A && git
// write-tree`, run in the same loop (x-git).
func BenchmarkCheckpointLargeRepo(b *testing.B) {
	dir := largeRepo(b, 75000)
	repo := open(b, dir)
	ctx := context.Background()
	var hewTime, gitTime time.Duration
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		writeFile(b, dir, "pkg100/f100.go", fmt.Sprintf("package pkg100\n// edit %d\n", i))
		writeFile(b, dir, "untracked.txt", fmt.Sprintf("new %d\n", i))
		gitTime += timeGit(b, dir, "cp .git/index .git/bench-index && GIT_INDEX_FILE=.git/bench-index git add -A && GIT_INDEX_FILE=.git/bench-index git write-tree >/dev/null")
		b.StartTimer()
		start := time.Now()
		if _, err := repo.Checkpoint(ctx, "turn"); err != nil {
			b.Fatal(err)
		}
		hewTime += time.Since(start)
	}
	b.ReportMetric(float64(hewTime)/float64(gitTime), "x-git")
}

// BenchmarkCheckpointGenerated takes a checkpoint of the generated 75,000-file repository
// (gittest.LargeRepo: nested .gitignore files, ignored build output, large files;
// HEW_LARGE_REPO reuses one) with one untracked file added, and reports its time over that of
// git's temporary-index snapshot of the same tree run in the same loop (x-git), as
// BenchmarkCheckpointLargeRepo does. The checkpoints stay in the repository.
func BenchmarkCheckpointGenerated(b *testing.B) {
	dir := gittest.LargeRepo(b, gittest.LargeTree{})
	repo := open(b, dir)
	ctx := context.Background()
	tmp := filepath.Join(b.TempDir(), "index")
	untracked := filepath.Join(dir, "hew-bench-checkpoint.txt")
	defer os.Remove(untracked)
	var hewTime, gitTime time.Duration
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		writeFile(b, dir, "hew-bench-checkpoint.txt", fmt.Sprintf("new %d\n", i))
		gitTime += timeGit(b, dir, "cp .git/index "+tmp+" && GIT_INDEX_FILE="+tmp+" git add -A && GIT_INDEX_FILE="+tmp+" git write-tree >/dev/null")
		b.StartTimer()
		start := time.Now()
		if _, err := repo.Checkpoint(ctx, "turn"); err != nil {
			b.Fatal(err)
		}
		hewTime += time.Since(start)
	}
	b.ReportMetric(float64(hewTime)/float64(gitTime), "x-git")
}
