package gitops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hew/gitops/diff"
)

// worktree reads every file of the working tree outside .git.
func worktree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// indexExcept is `git ls-files -s` without the lines of path.
func indexExcept(t *testing.T, dir, path string) string {
	var keep []string
	for _, l := range strings.Split(git(t, dir, "ls-files", "-s"), "\n") {
		if !strings.HasSuffix(l, "\t"+path) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// edit changes a few random lines of text.
func edit(r *rand.Rand, text string, tag string) string {
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for range 1 + r.IntN(3) {
		p := r.IntN(len(lines) + 1)
		line := fmt.Sprintf("%s %d\n", tag, r.IntN(1000))
		switch {
		case r.IntN(3) == 0 || p == len(lines):
			lines = slices.Insert(lines, p, line)
		case r.IntN(2) == 0 && len(lines) > 2:
			lines = slices.Delete(lines, p, p+1)
		default:
			lines[p] = line
		}
	}
	return strings.Join(lines, "")
}

// TestRandomSessionsNeverLoseUserWork drives a repository through random user edits (staged or
// not), proposals accepted in part while the user keeps typing, commits, undos, user commits,
// checkpoints and rewinds. After every step the working tree is exactly what the model says:
// the user's edits are all there, merged with what was accepted, or a refused operation changed
// nothing; a rewind's previous state is kept in a checkpoint. git fsck checks the objects.
func TestRandomSessionsNeverLoseUserWork(t *testing.T) {
	files := map[string]string{}
	for i := range 4 {
		files[fmt.Sprintf("f%d.txt", i)] = numbered(12)
	}
	dir := newRepo(t, files)
	repo := open(t, dir)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(42, 7))
	type checkpoint struct {
		id    string
		files map[string]string
	}
	var checkpoints []checkpoint
	var accepted []Update // accepted since the last commit, committable
	counts := map[string]int{}
	for step := range 160 {
		before := worktree(t, dir)
		want := maps.Clone(before)
		headBefore := git(t, dir, "rev-parse", "HEAD")
		paths := slices.Sorted(maps.Keys(before))
		path := paths[r.IntN(len(paths))]
		op := r.IntN(10)
		switch {
		case op < 3: // the user edits, and sometimes stages
			want[path] = edit(r, before[path], "user")
			writeFile(t, dir, path, want[path])
			if r.IntN(3) == 0 && !strings.HasPrefix(path, "u") {
				git(t, dir, "add", path)
			}
			if r.IntN(8) == 0 {
				p := fmt.Sprintf("u%d.txt", step)
				want[p] = "untracked\n"
				writeFile(t, dir, p, want[p])
			}
			counts["edit"]++
		case op < 6: // a proposal, partly accepted, maybe after the user typed more
			u := Update{Path: path, Base: []byte(before[path]), BaseExists: true}
			if r.IntN(8) == 0 {
				u = Update{Path: fmt.Sprintf("p%d.txt", step), New: []byte("proposed\n")}
			} else {
				proposed := edit(r, before[path], "hew")
				var chosen []diff.Hunk
				for _, h := range diff.Hunks(u.Base, []byte(proposed), 3) {
					if r.IntN(3) > 0 {
						chosen = append(chosen, h)
					}
				}
				n, err := diff.Apply(u.Base, chosen)
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				u.New = n
			}
			if u.BaseExists && r.IntN(2) == 0 {
				want[path] = edit(r, before[path], "typing")
				writeFile(t, dir, path, want[path])
			}
			cur := want[u.Path]
			err := repo.Accept([]Update{u})
			var ce *ConflictError
			switch {
			case errors.As(err, &ce):
				counts["accept conflict"]++
			case err != nil:
				t.Fatalf("step %d: accept: %v", step, err)
			case !u.BaseExists:
				want[u.Path] = string(u.New)
				accepted = append(accepted, u)
				counts["accept new"]++
			default:
				m, cs := diff.Merge(u.Base, []byte(cur), u.New)
				if len(cs) > 0 {
					t.Fatalf("step %d: accept succeeded where the merge conflicts: %v", step, cs)
				}
				want[u.Path] = string(m)
				accepted = append(accepted, u)
				counts["accept"]++
			}
		case op < 8 && len(accepted) > 0: // commit the accepted changes
			u := accepted[len(accepted)-1]
			accepted = nil
			idx := indexExcept(t, dir, u.Path)
			_, err := repo.Commit(ctx, CommitOptions{Updates: []Update{u}, Message: fmt.Sprintf("step %d", step)})
			if err != nil {
				if git(t, dir, "rev-parse", "HEAD") != headBefore {
					t.Fatalf("step %d: a failed commit (%v) moved HEAD", step, err)
				}
				counts["commit refused"]++
				break
			}
			if got := git(t, dir, "diff", "--name-only", "HEAD~1", "HEAD"); got != u.Path+"\n" {
				t.Fatalf("step %d: commit of %s changed %q", step, u.Path, got)
			}
			if indexExcept(t, dir, u.Path) != idx {
				t.Fatalf("step %d: commit changed other index entries", step)
			}
			counts["commit"]++
		case op < 9: // undo
			undone := strings.TrimSpace(headBefore)
			res, err := repo.Undo(ctx)
			var refused *RefusedError
			if errors.As(err, &refused) {
				if git(t, dir, "rev-parse", "HEAD") != headBefore {
					t.Fatalf("step %d: a refused undo moved HEAD", step)
				}
				counts["undo refused"]++
				break
			}
			if err != nil {
				t.Fatalf("step %d: undo: %v", step, err)
			}
			parent := strings.TrimSpace(git(t, dir, "rev-parse", undone+"~1"))
			if res.Commit != undone || res.Parent != parent {
				t.Fatalf("step %d: undo %+v, HEAD was %s", step, res, undone)
			}
			for _, p := range res.Files {
				committed := git(t, dir, "show", undone+":"+p)
				old, err := gitErr(dir, "show", parent+":"+p)
				if err != nil {
					delete(want, p) // the commit created the file
					continue
				}
				m, cs := diff.Merge([]byte(committed), []byte(before[p]), []byte(old))
				if len(cs) > 0 {
					t.Fatalf("step %d: undo succeeded where reverting %s conflicts", step, p)
				}
				want[p] = string(m)
			}
			accepted = nil
			counts["undo"]++
		case op < 9 || r.IntN(3) == 0: // the user commits everything
			git(t, dir, "add", "-A")
			if _, err := gitErr(dir, "commit", "-q", "-m", "user"); err == nil {
				counts["user commit"]++
			}
			accepted = nil
		case len(checkpoints) > 0 && r.IntN(2) == 0: // rewind
			cp := checkpoints[r.IntN(len(checkpoints))]
			if err := repo.RestoreCheckpoint(ctx, cp.id); err != nil {
				t.Fatalf("step %d: rewind: %v", step, err)
			}
			saved, err := repo.Checkpoints()
			if err != nil {
				t.Fatal(err)
			}
			for p, c := range before {
				if got := git(t, dir, "show", saved[0].ID+":"+p); got != c {
					t.Fatalf("step %d: the state before the rewind lost %s", step, p)
				}
			}
			want = maps.Clone(cp.files)
			accepted = nil
			counts["rewind"]++
		default: // checkpoint
			id, err := repo.Checkpoint(ctx, fmt.Sprintf("step %d", step))
			if err != nil {
				t.Fatal(err)
			}
			checkpoints = append(checkpoints, checkpoint{id, before})
			counts["checkpoint"]++
		}
		if got := worktree(t, dir); !maps.Equal(got, want) {
			for p := range want {
				if got[p] != want[p] {
					t.Errorf("step %d: %s is\n%q\nwant\n%q", step, p, got[p], want[p])
				}
			}
			t.Fatalf("step %d: the working tree differs from the model (%d vs %d files)", step, len(got), len(want))
		}
		if step%40 == 39 {
			git(t, dir, "fsck", "--strict", "--no-dangling")
		}
	}
	git(t, dir, "fsck", "--strict", "--no-dangling")
	t.Logf("operations: %v", counts)
	for _, k := range []string{"accept", "accept conflict", "commit", "undo", "rewind", "checkpoint"} {
		if counts[k] == 0 {
			t.Errorf("the random session never did %q; change the seed or the mix", k)
		}
	}
}
