package gitops

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTool skips the test when a program it needs is not installed.
func needTool(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", n)
		}
	}
}

// copyRepo copies the repository at dir, working tree and all, to a new directory.
func copyRepo(t testing.TB, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if out, err := exec.Command("cp", "-a", dir, dst).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", dir, err, out)
	}
	return dst
}

// gitState is what a comparison with git looks at after a commit.
type gitState struct {
	tree, index, status string
}

func stateOf(t testing.TB, dir string) gitState {
	t.Helper()
	return gitState{
		tree:   git(t, dir, "rev-parse", "HEAD^{tree}"),
		index:  git(t, dir, "ls-files", "-s"),
		status: git(t, dir, "status", "--porcelain"),
	}
}

// commitLikeGit writes new content to path p through hew (Accept, then Commit of the update)
// in dir, and through git (`git add p && git commit -- p`) in a copy of dir taken before, and
// fails unless the commit's tree, the index and the status are the same. It returns the two
// directories, hew's first.
func commitLikeGit(t *testing.T, dir, p, content string) (string, string) {
	t.Helper()
	ref := copyRepo(t, dir)
	base, err := os.ReadFile(filepath.Join(dir, p))
	u := Update{Path: p, Base: base, BaseExists: err == nil, New: []byte(content)}
	r := open(t, dir)
	if err := r.CheckCommit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "change"}); err != nil {
		t.Fatalf("CheckCommit: %v", err)
	}
	if err := r.Accept([]Update{u}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "change"}); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	writeFile(t, ref, p, content)
	git(t, ref, "add", "--", p)
	git(t, ref, "commit", "-q", "-m", "change", "--", p)
	if got, want := stateOf(t, dir), stateOf(t, ref); got != want {
		t.Fatalf("hew's commit differs from git's:\nhew: %+v\ngit: %+v", got, want)
	}
	return dir, ref
}

func headBlob(t testing.TB, dir, p string) string {
	t.Helper()
	return git(t, dir, "cat-file", "blob", "HEAD:"+p)
}

func TestCommitAppliesCleanFilter(t *testing.T) {
	dir := newRepo(t, map[string]string{".gitattributes": "*.env filter=redact\n", "README": "hi\n"})
	git(t, dir, "config", "filter.redact.clean", "sed -e s/^TOKEN=.*/TOKEN=REDACTED/")
	git(t, dir, "config", "filter.redact.smudge", "cat")
	git(t, dir, "config", "filter.redact.required", "true")
	commitLikeGit(t, dir, "app.env", "USER=me\nTOKEN=hunter2\n")
	if blob := headBlob(t, dir, "app.env"); strings.Contains(blob, "hunter2") {
		t.Fatalf("the secret was committed: %q", blob)
	}
	if got := readFileT(t, dir, "app.env"); !strings.Contains(got, "hunter2") {
		t.Fatalf("the working tree lost the secret: %q", got)
	}
}

func TestRequiredFilterThatFailsRefusesBeforeWriting(t *testing.T) {
	dir := newRepo(t, map[string]string{".gitattributes": "*.env filter=broken\n", "README": "hi\n"})
	git(t, dir, "config", "filter.broken.clean", "exit 3")
	git(t, dir, "config", "filter.broken.required", "true")
	head := git(t, dir, "rev-parse", "HEAD")
	u := Update{Path: "app.env", New: []byte("TOKEN=hunter2\n")}
	r := open(t, dir)
	err := r.CheckCommit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "m"})
	if err == nil || !strings.Contains(err.Error(), "app.env") {
		t.Fatalf("CheckCommit = %v, want a refusal naming app.env", err)
	}
	if _, err := r.Commit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "m"}); err == nil {
		t.Fatal("Commit succeeded with a failing required filter")
	}
	if got := git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Fatalf("HEAD moved to %s", got)
	}
	if out, _ := gitErr(dir, "grep", "--cached", "hunter2"); out != "" {
		t.Fatalf("the secret reached the index: %s", out)
	}
}

func TestCommitAutocrlfTrue(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "one\ntwo\n"})
	git(t, dir, "config", "core.autocrlf", "true")
	os.Remove(filepath.Join(dir, "a.txt"))
	git(t, dir, "checkout", "--", "a.txt")
	if got := readFileT(t, dir, "a.txt"); got != "one\r\ntwo\r\n" {
		t.Fatalf("checkout gave %q", got)
	}
	commitLikeGit(t, dir, "a.txt", "one\r\ntwo\r\nthree\r\n")
	if blob := headBlob(t, dir, "a.txt"); blob != "one\ntwo\nthree\n" {
		t.Fatalf("HEAD has %q, want LF endings", blob)
	}
}

func TestCommitTextAttributeAndInput(t *testing.T) {
	for _, c := range []struct{ name, attrs, autocrlf string }{
		{"text", "* text\n", ""},
		{"text=auto", "* text=auto\n", ""},
		{"eol=crlf", "*.txt eol=crlf\n", ""},
		{"autocrlf=input", "", "input"},
		{"binary", "*.txt binary\n", "true"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"README": "hi\n"}
			if c.attrs != "" {
				files[".gitattributes"] = c.attrs
			}
			dir := newRepo(t, files)
			if c.autocrlf != "" {
				git(t, dir, "config", "core.autocrlf", c.autocrlf)
			}
			commitLikeGit(t, dir, "new.txt", "a\r\nb\r\n")
		})
	}
}

func TestCommitBinaryUnderAutocrlf(t *testing.T) {
	dir := newRepo(t, map[string]string{"README": "hi\n"})
	git(t, dir, "config", "core.autocrlf", "true")
	commitLikeGit(t, dir, "blob.dat", "\x00\x01\r\n\x02")
	if blob := headBlob(t, dir, "blob.dat"); blob != "\x00\x01\r\n\x02" {
		t.Fatalf("binary content converted: %q", blob)
	}
}

func TestCommitGitLFS(t *testing.T) {
	needTool(t, "git-lfs")
	dir := newRepo(t, map[string]string{"README": "hi\n"})
	git(t, dir, "lfs", "install", "--local")
	git(t, dir, "lfs", "track", "*.bin")
	git(t, dir, "add", ".gitattributes")
	git(t, dir, "commit", "-q", "-m", "lfs")
	content := strings.Repeat("large binary content\n", 100)
	commitLikeGit(t, dir, "data.bin", content)
	blob := headBlob(t, dir, "data.bin")
	if !strings.HasPrefix(blob, "version https://git-lfs.github.com/spec/v1") {
		t.Fatalf("HEAD has content, not an LFS pointer: %.80q", blob)
	}
	if out := git(t, dir, "lfs", "ls-files"); !strings.Contains(out, "data.bin") {
		t.Fatalf("git lfs ls-files does not list data.bin: %s", out)
	}
	// A checkpoint restore writes the content back, not the pointer.
	r := open(t, dir)
	id, err := r.Checkpoint(context.Background(), "before")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "data.bin", "overwritten\n")
	if err := r.RestoreCheckpoint(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := readFileT(t, dir, "data.bin"); got != content {
		t.Fatalf("restore wrote %.80q", got)
	}
}

func TestCommitGitCrypt(t *testing.T) {
	needTool(t, "git-crypt")
	dir := newRepo(t, map[string]string{"README": "hi\n"})
	git(t, dir, "crypt", "init")
	writeFile(t, dir, ".gitattributes", "secret/** filter=git-crypt diff=git-crypt\n")
	git(t, dir, "add", ".gitattributes")
	git(t, dir, "commit", "-q", "-m", "crypt")
	commitLikeGit(t, dir, "secret/key.txt", "password=hunter2\n")
	if blob := headBlob(t, dir, "secret/key.txt"); strings.Contains(blob, "hunter2") {
		t.Fatalf("committed in plain text: %q", blob)
	}
	if out, _ := gitErr(dir, "crypt", "status", "-e"); !strings.Contains(out, "encrypted: secret/key.txt") || strings.Contains(out, "NOT ENCRYPTED") {
		t.Fatalf("git-crypt status:\n%s", out)
	}
	// The checkpoint holds ciphertext; the restore writes plain text.
	r := open(t, dir)
	writeFile(t, dir, "secret/key.txt", "password=changed\n")
	id, err := r.Checkpoint(context.Background(), "edited")
	if err != nil {
		t.Fatal(err)
	}
	if out := git(t, dir, "cat-file", "-p", id+":secret/key.txt"); strings.Contains(out, "password=changed") {
		t.Fatal("the checkpoint stored the secret in plain text")
	}
	writeFile(t, dir, "secret/key.txt", "other\n")
	if err := r.RestoreCheckpoint(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := readFileT(t, dir, "secret/key.txt"); got != "password=changed\n" {
		t.Fatalf("restore wrote %q", got)
	}
}

func TestRestoreWritesCRLFWhereGitWould(t *testing.T) {
	dir := newRepo(t, map[string]string{".gitattributes": "*.txt eol=crlf\n", "a.txt": "x\ny\n"})
	os.Remove(filepath.Join(dir, "a.txt"))
	git(t, dir, "checkout", "--", "a.txt")
	r := open(t, dir)
	id, err := r.Checkpoint(context.Background(), "crlf")
	if err != nil {
		t.Fatal(err)
	}
	if out := git(t, dir, "cat-file", "-p", id+":a.txt"); out != "x\ny\n" {
		t.Fatalf("checkpoint stored %q, want LF as git add would", out)
	}
	writeFile(t, dir, "a.txt", "gone\r\n")
	if err := r.RestoreCheckpoint(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := readFileT(t, dir, "a.txt"); got != "x\r\ny\r\n" {
		t.Fatalf("restore wrote %q", got)
	}
	if st := git(t, dir, "status", "--porcelain"); st != "" {
		t.Fatalf("status after restore: %q", st)
	}
}

func TestUndoKeepsWorkingTreeEndings(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "one\ntwo\n"})
	git(t, dir, "config", "core.autocrlf", "true")
	os.Remove(filepath.Join(dir, "a.txt"))
	git(t, dir, "checkout", "--", "a.txt")
	commitLikeGit(t, dir, "a.txt", "one\r\ntwo\r\nthree\r\n")
	r := open(t, dir)
	if _, err := r.Undo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := readFileT(t, dir, "a.txt"); got != "one\r\ntwo\r\n" {
		t.Fatalf("undo wrote %q", got)
	}
	if st := git(t, dir, "status", "--porcelain"); st != "" {
		t.Fatalf("status after undo: %q", st)
	}
}
