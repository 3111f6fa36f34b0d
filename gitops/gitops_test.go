package gitops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestOpenFromSubdirectoryWorktreeAndDetached(t *testing.T) {
	dir := newRepo(t, map[string]string{"src/a.go": "package a\n"})
	r := open(t, filepath.Join(dir, "src"))
	if r.Root() != dir {
		t.Errorf("Root = %s, want %s", r.Root(), dir)
	}
	h, err := r.Head()
	if err != nil || h.Branch != "main" || h.Hash != strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")) {
		t.Errorf("Head = %+v, %v", h, err)
	}
	wt := filepath.Join(t.TempDir(), "wt")
	git(t, dir, "worktree", "add", "-q", "-b", "feature", wt)
	rw := open(t, filepath.Join(wt, "src"))
	if h, err := rw.Head(); err != nil || rw.Root() != wt || h.Branch != "feature" {
		t.Errorf("linked worktree: root %s head %+v %v", rw.Root(), h, err)
	}
	git(t, dir, "checkout", "-q", "--detach")
	if h, err := r.Head(); err != nil || !h.Detached() || h.Hash == "" {
		t.Errorf("detached: %+v %v", h, err)
	}
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not inside a git repository") {
		t.Errorf("Open outside a repository: %v", err)
	}
}

func TestIdentity(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	home := t.TempDir()
	env := map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"}
	r, err := OpenWith(dir, Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Identity()
	if err == nil || !strings.Contains(err.Error(), "user.name") || !strings.Contains(err.Error(), "user.email") || !strings.Contains(err.Error(), "GIT_AUTHOR_NAME") {
		t.Fatalf("no identity: err = %v, want one naming user.name, user.email and GIT_AUTHOR_NAME", err)
	}
	writeFile(t, home, ".gitconfig", "[user]\n\tname = Global Name\n\temail = global@example.com\n")
	if s, err := r.Identity(); err != nil || s != (Signature{"Global Name", "global@example.com"}) {
		t.Errorf("global config: %+v, %v", s, err)
	}
	git(t, dir, "config", "user.name", "Repo Name")
	if s, _ := r.Identity(); s.Name != "Repo Name" || s.Email != "global@example.com" {
		t.Errorf("repository config should override global: %+v", s)
	}
	env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"] = "Env Name", "env@example.com"
	if s, _ := r.Identity(); s != (Signature{"Env Name", "env@example.com"}) {
		t.Errorf("environment should override config: %+v", s)
	}
}

func TestAcceptMergesOrRefusesAtomically(t *testing.T) {
	base := numbered(20)
	dir := newRepo(t, map[string]string{"a.txt": base, "b.txt": "b\n"})
	r := open(t, dir)
	proposal := replaceLine(base, 10, "ten")
	// The user edits line 1 after the proposal: the change merges in.
	writeFile(t, dir, "a.txt", replaceLine(base, 1, "mine"))
	err := r.Accept([]Update{{Path: "a.txt", Base: []byte(base), BaseExists: true, New: []byte(proposal)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readFileT(t, dir, "a.txt"), replaceLine(proposal, 1, "mine"); got != want {
		t.Fatalf("merged accept:\n%s\nwant:\n%s", got, want)
	}
	// The user edits line 11, next to the proposal's line 10: a conflict, and b.txt and the new
	// file c.txt of the same batch are not written either.
	writeFile(t, dir, "a.txt", replaceLine(base, 11, "eleven"))
	err = r.Accept([]Update{
		{Path: "b.txt", Base: []byte("b\n"), BaseExists: true, New: []byte("B\n")},
		{Path: "c/new.txt", New: []byte("new\n")},
		{Path: "a.txt", Base: []byte(base), BaseExists: true, New: []byte(proposal)},
	})
	var ce *ConflictError
	if !errors.As(err, &ce) || len(ce.Files) != 1 || ce.Files[0].Path != "a.txt" || !strings.Contains(err.Error(), "lines 10-11") {
		t.Fatalf("conflict: err = %v", err)
	}
	if readFileT(t, dir, "b.txt") != "b\n" || readFileT(t, dir, "a.txt") != replaceLine(base, 11, "eleven") {
		t.Fatal("a refused accept wrote files")
	}
	if _, err := os.Stat(filepath.Join(dir, "c")); !os.IsNotExist(err) {
		t.Fatal("a refused accept created c/")
	}
	if err := r.Accept([]Update{{Path: "../escape", New: []byte("x")}}); err == nil {
		t.Fatal("a path outside the repository was accepted")
	}
	if err := r.Accept([]Update{{Path: ".git/config", New: []byte("x")}}); err == nil {
		t.Fatal("a path inside .git was accepted")
	}
	// Deletion and an executable file.
	err = r.Accept([]Update{
		{Path: "b.txt", Base: []byte("b\n"), BaseExists: true, Delete: true},
		{Path: "run.sh", New: []byte("#!/bin/sh\n"), Mode: 0o755},
	})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "run.sh")); err != nil || fi.Mode()&0o100 == 0 {
		t.Errorf("run.sh: %v %v, want executable", fi, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "b.txt")); !os.IsNotExist(err) {
		t.Error("b.txt not deleted")
	}
}

// userWork sets up staged, unstaged and untracked changes beside a.txt and returns the porcelain
// status of everything but a.txt.
func userWork(t *testing.T, dir string) string {
	writeFile(t, dir, "b.txt", "b staged\n")
	git(t, dir, "add", "b.txt")
	writeFile(t, dir, "b.txt", "b staged\nthen unstaged\n")
	writeFile(t, dir, "c.txt", "c unstaged\n")
	writeFile(t, dir, "d.txt", "untracked\n")
	return statusExcept(t, dir, "a.txt")
}

func statusExcept(t *testing.T, dir, path string) string {
	var keep []string
	for _, l := range strings.Split(git(t, dir, "status", "--porcelain"), "\n") {
		if l != "" && !strings.HasSuffix(l, " "+path) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n") + "\n" + git(t, dir, "diff", "--cached", "--", ".", ":!"+path) + git(t, dir, "diff", "--", ".", ":!"+path)
}

func TestCommitExactlyTheAcceptedChange(t *testing.T) {
	base := numbered(20)
	dir := newRepo(t, map[string]string{"a.txt": base, "b.txt": "b\n", "c.txt": "c\n"})
	r := open(t, dir)
	before := userWork(t, dir)
	writeFile(t, dir, "a.txt", replaceLine(base, 1, "user edit"))
	proposal := replaceLine(base, 15, "fifteen")
	u := Update{Path: "a.txt", Base: []byte(base), BaseExists: true, New: []byte(proposal)}
	if err := r.Accept([]Update{u}); err != nil {
		t.Fatal(err)
	}
	hash, err := r.Commit(context.Background(), CommitOptions{
		Updates: []Update{u}, Message: "Change line 15\n\nBecause.", Trailer: "Co-authored-by: hew (test-model) <hew@localhost>",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")); got != hash {
		t.Fatalf("HEAD = %s, want %s", got, hash)
	}
	if got := git(t, dir, "show", "--format=", "--name-only", "HEAD"); got != "a.txt\n" {
		t.Errorf("commit touches %q, want only a.txt", got)
	}
	if got := git(t, dir, "show", "HEAD:a.txt"); got != proposal {
		t.Errorf("committed a.txt has the user's edit or lacks the change:\n%s", got)
	}
	if got := git(t, dir, "log", "-1", "--format=%B"); got != "Change line 15\n\nBecause.\n\nCo-authored-by: hew (test-model) <hew@localhost>\n\n" {
		t.Errorf("message %q", got)
	}
	if after := statusExcept(t, dir, "a.txt"); after != before {
		t.Errorf("the user's other changes moved:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// a.txt: the user's line-1 edit remains, unstaged; nothing is staged for it.
	if got := git(t, dir, "status", "--porcelain", "a.txt"); got != " M a.txt\n" {
		t.Errorf("a.txt status %q, want unstaged modification", got)
	}
	if got := git(t, dir, "diff", "a.txt"); !strings.Contains(got, "+user edit") || strings.Contains(got, "fifteen") {
		t.Errorf("a.txt worktree diff:\n%s", got)
	}
	git(t, dir, "fsck", "--strict", "--no-dangling")
	// Committing the same again is nothing to commit.
	if _, err := r.Commit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "again"}); !errors.Is(err, ErrNothingToCommit) {
		t.Errorf("second commit: %v, want ErrNothingToCommit", err)
	}
}

func TestCommitKeepsStagedChangesOfTheSamePath(t *testing.T) {
	base := numbered(20)
	dir := newRepo(t, map[string]string{"a.txt": base})
	r := open(t, dir)
	writeFile(t, dir, "a.txt", replaceLine(base, 2, "staged"))
	git(t, dir, "add", "a.txt")
	u := Update{Path: "a.txt", Base: []byte(base), BaseExists: true, New: []byte(replaceLine(base, 18, "eighteen"))}
	if err := r.Accept([]Update{u}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if got := git(t, dir, "diff", "--cached"); !strings.Contains(got, "+staged") || strings.Contains(got, "eighteen") {
		t.Errorf("staged diff after commit:\n%s", got)
	}
	if got := git(t, dir, "diff"); got != "" {
		t.Errorf("unstaged diff after commit, want none:\n%s", got)
	}
}

func TestCommitOnNewBranch(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
	r := open(t, dir)
	writeFile(t, dir, "b.txt", "user\n")
	git(t, dir, "add", "b.txt")
	writeFile(t, dir, "a.txt", "A\n")
	status := git(t, dir, "status", "--porcelain")
	head := git(t, dir, "rev-parse", "HEAD")
	hash, err := r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "on a branch", Branch: "hew/work"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "hew/work")); got != hash {
		t.Errorf("branch at %s, want %s", got, hash)
	}
	if git(t, dir, "rev-parse", "HEAD") != head || git(t, dir, "status", "--porcelain") != status {
		t.Error("committing on a branch disturbed the checkout")
	}
	if got := git(t, dir, "show", "hew/work:b.txt"); got != "b\n" {
		t.Errorf("branch commit swept in the staged b.txt: %q", got)
	}
	_, err = r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "again", Branch: "hew/work"})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("existing branch: %v", err)
	}
}

func TestHooks(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
	r := open(t, dir)
	writeFile(t, dir, "b.txt", "staged by user\n")
	git(t, dir, "add", "b.txt")
	hook := func(name, script string) {
		p := filepath.Join(dir, ".git", "hooks", name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	hook("pre-commit", "echo 'lint: a.txt is ugly'; exit 1\n")
	writeFile(t, dir, "a.txt", "A\n")
	head := git(t, dir, "rev-parse", "HEAD")
	_, err := r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"})
	var he *HookError
	if !errors.As(err, &he) || he.Hook != "pre-commit" || !strings.Contains(he.Output, "lint: a.txt is ugly") {
		t.Fatalf("failing pre-commit: %v", err)
	}
	if git(t, dir, "rev-parse", "HEAD") != head {
		t.Fatal("a failing hook did not stop the commit")
	}
	// The pre-commit hook sees the index of the commit: a.txt changed, b.txt not.
	hook("pre-commit", "git diff --cached --name-only HEAD > \"$GIT_DIR_OUT\"; git diff --cached --name-only HEAD | grep -qx a.txt && ! git diff --cached --name-only HEAD | grep -q b.txt\n")
	hook("commit-msg", "echo 'Signed-off-by: Hook <h@example.com>' >> \"$1\"\n")
	if got := r.CommitHooks(); strings.Join(got, ",") != "pre-commit,commit-msg" {
		t.Errorf("CommitHooks: %v", got)
	}
	var ran []string
	run := func(ctx context.Context, h Hook) (string, error) {
		ran = append(ran, h.Name)
		return r.runHook(ctx, h)
	}
	if _, err := r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m", RunHook: run}); err != nil {
		t.Fatalf("commit with passing hooks: %v", err)
	}
	if strings.Join(ran, ",") != "pre-commit,commit-msg" {
		t.Errorf("hooks run: %v", ran)
	}
	if got := git(t, dir, "log", "-1", "--format=%B"); !strings.Contains(got, "Signed-off-by: Hook") {
		t.Errorf("commit-msg edit lost: %q", got)
	}
	hook("pre-commit", "exit 1\n")
	writeFile(t, dir, "a.txt", "AA\n")
	if _, err := r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m", NoVerify: true}); err != nil {
		t.Errorf("NoVerify still ran the hook: %v", err)
	}
}

func TestUndo(t *testing.T) {
	base := numbered(10)
	dir := newRepo(t, map[string]string{"a.txt": base, "b.txt": "b\n"})
	r := open(t, dir)
	ctx := context.Background()
	var refused *RefusedError
	if _, err := r.Undo(ctx); !errors.As(err, &refused) {
		t.Fatalf("undo with no hew commit: %v", err)
	}
	writeFile(t, dir, "a.txt", replaceLine(base, 1, "user"))
	writeFile(t, dir, "b.txt", "user b\n")
	statusBefore := git(t, dir, "status", "--porcelain")
	diffBefore := git(t, dir, "diff")
	head := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	u := Update{Path: "a.txt", Base: []byte(base), BaseExists: true, New: []byte(replaceLine(base, 9, "nine"))}
	if err := r.Accept([]Update{u}); err != nil {
		t.Fatal(err)
	}
	hash, err := r.Commit(ctx, CommitOptions{Updates: []Update{u}, Message: "nine"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Undo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit != hash || res.Parent != head || res.Branch != "main" || strings.Join(res.Files, ",") != "a.txt" {
		t.Errorf("UndoResult = %+v", res)
	}
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")); got != head {
		t.Errorf("HEAD = %s, want %s", got, head)
	}
	if git(t, dir, "status", "--porcelain") != statusBefore || git(t, dir, "diff") != diffBefore {
		t.Errorf("undo did not restore the user's state:\n%s", git(t, dir, "diff"))
	}
	if _, err := r.Undo(ctx); !errors.As(err, &refused) {
		t.Errorf("second undo: %v, want refusal", err)
	}

	// Refusals: a user commit on top, a changed file, a pushed commit.
	commitProposal := func() string {
		cur := readFileT(t, dir, "a.txt")
		u := Update{Path: "a.txt", Base: []byte(cur), BaseExists: true, New: []byte(cur + "more\n")}
		if err := r.Accept([]Update{u}); err != nil {
			t.Fatal(err)
		}
		h, err := r.Commit(ctx, CommitOptions{Files: []string{"a.txt"}, Message: "more"})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	commitProposal()
	writeFile(t, dir, "a.txt", readFileT(t, dir, "a.txt")+"typed after\n")
	if _, err := r.Undo(ctx); !errors.As(err, &refused) || !strings.Contains(err.Error(), "a.txt") {
		t.Errorf("undo after an edit: %v", err)
	}
	git(t, dir, "commit", "-q", "-am", "user commit")
	if _, err := r.Undo(ctx); !errors.As(err, &refused) || !strings.Contains(err.Error(), "no longer HEAD") {
		t.Errorf("undo under a user commit: %v", err)
	}
	remote := t.TempDir()
	git(t, remote, "init", "-q", "--bare")
	git(t, dir, "remote", "add", "origin", remote)
	commitProposal()
	git(t, dir, "push", "-q", "-u", "origin", "main")
	if _, err := r.Undo(ctx); !errors.As(err, &refused) || !strings.Contains(err.Error(), "pushed") {
		t.Errorf("undo of a pushed commit: %v", err)
	}
	git(t, dir, "fsck", "--strict", "--no-dangling")
}

func TestCheckpointRestore(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "sub/b.txt": "b\n", ".gitignore": "*.log\nbuild/\n"})
	r := open(t, dir)
	ctx := context.Background()
	writeFile(t, dir, "a.txt", "a edited\n")
	writeFile(t, dir, "untracked.txt", "u\n")
	writeFile(t, dir, "debug.log", "ignored\n")
	writeFile(t, dir, "sub/b.txt", "b staged\n")
	git(t, dir, "add", "sub/b.txt")
	index := git(t, dir, "ls-files", "-s")
	refs := git(t, dir, "for-each-ref", "refs/heads")
	id, err := r.Checkpoint(ctx, "turn 1")
	if err != nil {
		t.Fatal(err)
	}
	if got := git(t, dir, "ls-tree", "-r", "--name-only", id); got != ".gitignore\na.txt\nsub/b.txt\nuntracked.txt\n" {
		t.Errorf("checkpoint holds:\n%s", got)
	}
	if git(t, dir, "ls-files", "-s") != index || git(t, dir, "for-each-ref", "refs/heads") != refs {
		t.Error("a checkpoint touched the index or the branches")
	}
	writeFile(t, dir, "a.txt", "later\n")
	writeFile(t, dir, "created.txt", "c\n")
	os.Remove(filepath.Join(dir, "untracked.txt"))
	writeFile(t, dir, "debug.log", "ignored, changed\n")
	if err := r.RestoreCheckpoint(ctx, id[:8]); err != nil {
		t.Fatal(err)
	}
	if readFileT(t, dir, "a.txt") != "a edited\n" || readFileT(t, dir, "untracked.txt") != "u\n" || readFileT(t, dir, "debug.log") != "ignored, changed\n" {
		t.Error("restore did not bring the files back, or touched an ignored file")
	}
	if _, err := os.Stat(filepath.Join(dir, "created.txt")); !os.IsNotExist(err) {
		t.Error("a file created after the checkpoint survived the restore")
	}
	cps, err := r.Checkpoints()
	if err != nil || len(cps) != 2 || cps[1].ID != id || cps[1].Label != "turn 1" || !strings.HasPrefix(cps[0].Label, "before restoring") {
		t.Fatalf("Checkpoints = %+v, %v", cps, err)
	}
	if got := git(t, dir, "show", cps[0].ID+":created.txt"); got != "c\n" {
		t.Errorf("the pre-restore checkpoint lost created.txt: %q", got)
	}
	if err := r.RestoreCheckpoint(ctx, "zzzz"); err == nil {
		t.Error("restoring an unknown checkpoint succeeded")
	}
	git(t, dir, "fsck", "--strict", "--no-dangling")
}

// Commit and Undo note their moves in the branch's and HEAD's reflogs, as the committer.
func TestCommitAndUndoWriteReflogs(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	r := open(t, dir)
	writeFile(t, dir, "a.txt", "A\n")
	ctx := context.Background()
	hash, err := r.Commit(ctx, CommitOptions{Files: []string{"a.txt"}, Message: "capital a\n\nbody"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"main", "HEAD"} {
		got := strings.Split(strings.TrimSpace(git(t, dir, "reflog", "show", "--format=%gs|%gn", ref)), "\n")
		want := []string{"hew undo: back to " + git(t, dir, "rev-parse", "--short=12", "HEAD")[:12] + "|Test User", "commit: capital a|Test User"}
		if len(got) < 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("reflog of %s = %q, want it to start with %q (commit %s)", ref, got, want, hash)
		}
	}
}

// TestCheckpointHoldsWhatGitListsWithGlobalExcludes: a checkpoint holds exactly what git
// ls-files -co --exclude-standard lists, with the XDG excludes file, info/exclude re-including
// one of its files, and a tracked file in an ignored directory.
func TestCheckpointHoldsWhatGitListsWithGlobalExcludes(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", ".gitignore": "vendor/\n"})
	xdg := os.Getenv("XDG_CONFIG_HOME") // TestMain's, which the git CLI reads too
	writeFile(t, xdg, "git/ignore", "*.env\n")
	t.Cleanup(func() { os.Remove(filepath.Join(xdg, "git", "ignore")) })
	writeFile(t, dir, ".git/info/exclude", "!keep.env\n")
	for _, p := range []string{"secret.env", "keep.env", "vendor/tracked.go", "vendor/untracked.go", "new.txt"} {
		writeFile(t, dir, p, p+"\n")
	}
	git(t, dir, "add", "-f", "vendor/tracked.go")
	cp, err := open(t, dir).Checkpoint(context.Background(), "globals")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(git(t, dir, "ls-files", "-co", "--exclude-standard"))
	sort.Strings(want)
	if got := strings.Fields(git(t, dir, "ls-tree", "-r", "--name-only", cp)); !slices.Equal(got, want) {
		t.Errorf("checkpoint holds %v, git lists %v", got, want)
	}
}
