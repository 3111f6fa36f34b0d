package gitops

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// gitSnapshot is git's own snapshot of the working tree: `git add -A && git write-tree` on a
// copy of the index.
func gitSnapshot(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "index")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	// git tells racily clean entries by the index file's own mtime: the copy keeps it.
	fi, err := os.Stat(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	var tree string
	for _, args := range [][]string{{"add", "-A"}, {"write-tree"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_INDEX_FILE="+tmp)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		tree = strings.TrimSpace(string(out))
	}
	return tree
}

// A checkpoint may take the tree the index has cached when git add changes nothing in the copy
// of the index; in every other case it must still be what git's snapshot is. Each case starts
// from an index whose cached trees are all valid (just committed, or written by write-tree), and
// is checked right away, while the files just written are racily clean.
func TestCheckpointTreeIsGitsSnapshotWithCachedTrees(t *testing.T) {
	cases := map[string]func(t *testing.T, dir string){
		"clean":             func(t *testing.T, dir string) {},
		"edited same size":  func(t *testing.T, dir string) { writeFile(t, dir, "sub/b.txt", "B\n") },
		"edited":            func(t *testing.T, dir string) { writeFile(t, dir, "a.txt", "a, longer\n") },
		"deleted":           func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "sub/b.txt")) },
		"untracked":         func(t *testing.T, dir string) { writeFile(t, dir, "sub/new.txt", "n\n") },
		"ignored untracked": func(t *testing.T, dir string) { writeFile(t, dir, "x.log", "n\n") },
		"mode": func(t *testing.T, dir string) {
			if err := os.Chmod(filepath.Join(dir, "a.txt"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		"staged, cached tree rewritten": func(t *testing.T, dir string) {
			writeFile(t, dir, "sub/b.txt", "staged\n")
			git(t, dir, "add", "sub/b.txt")
			git(t, dir, "write-tree")
		},
		"staged, then edited": func(t *testing.T, dir string) {
			writeFile(t, dir, "sub/b.txt", "staged\n")
			git(t, dir, "add", "sub/b.txt")
			git(t, dir, "write-tree")
			writeFile(t, dir, "sub/b.txt", "edited\n")
		},
		"intent to add": func(t *testing.T, dir string) {
			writeFile(t, dir, "ita.txt", "i\n")
			git(t, dir, "add", "-N", "ita.txt")
		},
	}
	// Each case also runs on a Repo that has just taken two checkpoints of the clean tree (the
	// second from the tree it remembers for an index file git add left alone), which must not
	// be taken again once the case has changed something.
	for _, after := range []bool{false, true} {
		for name, change := range cases {
			if after {
				name += ", after clean checkpoints"
			}
			t.Run(name, func(t *testing.T) {
				dir := newRepo(t, map[string]string{"a.txt": "a\n", "sub/b.txt": "b\n", ".gitignore": "*.log\n"})
				writeFile(t, dir, "sub/b.txt", "c\n")
				git(t, dir, "commit", "-q", "-am", "racy") // the index's trees are cached, the file racy
				repo := open(t, dir)
				if after {
					// An index written seconds after the files (none racy: git compares whole
					// seconds), with its trees cached: git add leaves it alone.
					past := time.Now().Add(-10 * time.Second)
					for _, p := range []string{"a.txt", "sub/b.txt", ".gitignore"} {
						if err := os.Chtimes(filepath.Join(dir, p), past, past); err != nil {
							t.Fatal(err)
						}
					}
					os.Remove(filepath.Join(dir, ".git", "index"))
					git(t, dir, "read-tree", "HEAD")
					git(t, dir, "status", "--porcelain")
					for range 2 {
						id, err := repo.Checkpoint(context.Background(), "clean")
						if err != nil {
							t.Fatal(err)
						}
						if got, want := git(t, dir, "rev-parse", id+"^{tree}"), gitSnapshot(t, dir)+"\n"; got != want {
							t.Fatalf("clean checkpoint tree %s, git's snapshot %s", got, want)
						}
					}
				}
				change(t, dir)
				checkCheckpoint(t, dir, repo, name)
			})
		}
	}
}

// checkCheckpoint takes a checkpoint with repo and compares its tree with git's snapshot, and
// the index with what it was.
func checkCheckpoint(t *testing.T, dir string, repo *Repo, name string) {
	t.Helper()
	index := git(t, dir, "ls-files", "-s", "--debug")
	id, err := repo.Checkpoint(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := git(t, dir, "rev-parse", id+"^{tree}"), gitSnapshot(t, dir)+"\n"; got != want {
		t.Errorf("checkpoint tree %s, git's snapshot %s:\n%s", got, want, git(t, dir, "diff", "--stat", strings.TrimSpace(want), strings.TrimSpace(got)))
	}
	if git(t, dir, "ls-files", "-s", "--debug") != index {
		t.Error("the checkpoint changed the index")
	}
}

// lockIndex reads the entries it needs from the index file itself; it must read what git
// ls-files reads, for each index version, with extended flags and unmerged entries, and leave
// a split index to git.
func TestIndexEntriesReadAsGitReadsThem(t *testing.T) {
	forms := map[string][]string{
		"v2":          {"update-index", "--index-version", "2"},
		"v3":          {"update-index", "--skip-worktree", "sub/b.txt"},
		"v4":          {"update-index", "--index-version", "4"},
		"split index": {"update-index", "--split-index"},
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n", "c.txt": "base\n", "sub/b.txt": "b\n"})
			writeFile(t, dir, "c.txt", "stashed\n")
			git(t, dir, "stash", "-q")
			writeFile(t, dir, "c.txt", "committed\n")
			git(t, dir, "commit", "-qam", "c")
			if _, err := gitErr(dir, "stash", "pop"); err == nil {
				t.Fatal("stash pop did not conflict")
			}
			writeFile(t, dir, "a.txt", "staged\n")
			git(t, dir, "add", "a.txt")
			git(t, dir, form...)
			r := open(t, dir)
			paths := []string{"a.txt", "c.txt", "sub/b.txt", "absent.txt"}
			raw := &lockedIndex{byKey: map[string]*index.Entry{}, other: map[string]bool{}}
			ok := readIndexEntriesRaw(filepath.Join(dir, ".git", "index"), raw, paths)
			if ok == (name == "split index") {
				t.Fatalf("read by itself: %v", ok)
			}
			viaGit := &lockedIndex{byKey: map[string]*index.Entry{}, other: map[string]bool{}}
			if err := r.readIndexEntries(context.Background(), viaGit, paths); err != nil {
				t.Fatal(err)
			}
			li, err := r.lockIndex(context.Background(), paths)
			if err != nil {
				t.Fatal(err)
			}
			li.release()
			for _, got := range []*lockedIndex{li, raw} {
				if got == raw && !ok {
					continue
				}
				if !maps.Equal(got.other, viaGit.other) || len(got.byKey) != len(viaGit.byKey) {
					t.Fatalf("read %v %v, git reads %v %v", got.other, got.byKey, viaGit.other, viaGit.byKey)
				}
				for p, e := range viaGit.byKey {
					if g := got.byKey[p]; g == nil || g.Hash != e.Hash || g.Mode != e.Mode || g.Name != e.Name || g.Stage != e.Stage {
						t.Errorf("%s: read %+v, git reads %+v", p, g, e)
					}
				}
			}
			if len(viaGit.other) != 1 || len(viaGit.byKey) != 2 {
				t.Fatalf("git reads %v %v", viaGit.other, viaGit.byKey)
			}
		})
	}
}

// The index may cache trees that are no longer in the object database (written by git
// write-tree, never committed, then pruned); git writes them again, and so must a checkpoint.
func TestCheckpointWritesCachedTreesMissingFromTheObjects(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	writeFile(t, dir, "new/deep/n.txt", "n\n")
	git(t, dir, "add", "new/deep/n.txt")
	git(t, dir, "write-tree")
	tree := gitSnapshot(t, dir) // its new/deep is only in the index's cached trees
	deepTree := strings.TrimSpace(git(t, dir, "rev-parse", tree+":new/deep"))
	if err := os.Remove(filepath.Join(dir, ".git", "objects", deepTree[:2], deepTree[2:])); err != nil {
		t.Fatal(err)
	}
	id, err := open(t, dir).Checkpoint(context.Background(), "missing")
	if err != nil {
		t.Fatal(err)
	}
	if got := git(t, dir, "rev-parse", id+"^{tree}"); got != tree+"\n" {
		t.Errorf("checkpoint tree %s, want %s", got, tree)
	}
	git(t, dir, "fsck", "--strict", "--no-dangling")
	if got := git(t, dir, "show", id+":new/deep/n.txt"); got != "n\n" {
		t.Errorf("new/deep/n.txt = %q", got)
	}
}

// A repository inside the tree with no commit yet makes git add -A fail; the checkpoint leaves
// it out (as the snapshot without git does) and keeps everything else, a repository with a
// commit included, as git's snapshot without it would.
func TestCheckpointLeavesOutRepositoriesWithoutCommits(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	writeFile(t, dir, "new.txt", "untracked\n")
	writeFile(t, dir, "empty/repo/x.txt", "x\n")
	git(t, filepath.Join(dir, "empty", "repo"), "init", "-q")
	writeFile(t, dir, "full/repo/y.txt", "y\n")
	git(t, filepath.Join(dir, "full", "repo"), "init", "-q")
	git(t, filepath.Join(dir, "full", "repo"), "add", "y.txt")
	git(t, filepath.Join(dir, "full", "repo"), "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "y")
	id, err := open(t, dir).Checkpoint(context.Background(), "nested")
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	tmp := filepath.Join(t.TempDir(), "index")
	want := ""
	for _, args := range [][]string{{"add", "-A", "--", ":(top)", ":(exclude)empty/repo"}, {"write-tree"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_INDEX_FILE="+tmp)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		want = string(out)
	}
	if got := git(t, dir, "rev-parse", id+"^{tree}"); got != want {
		t.Errorf("checkpoint tree %s, git's snapshot without the empty repository %s", got, want)
	}
	if files := git(t, dir, "ls-tree", "-r", "--name-only", id); !strings.Contains(files, "new.txt") || !strings.Contains(files, "full/repo") || strings.Contains(files, "empty") {
		t.Errorf("the checkpoint holds:\n%s", files)
	}
}
