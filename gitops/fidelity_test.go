package gitops

import (
	"context"
	"errors"
	"fmt"
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

// checkoutAgain removes the paths from dir's working tree and has git check them out again,
// so they carry the line endings the current configuration and attributes give.
func checkoutAgain(t testing.TB, dir string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		os.Remove(filepath.Join(dir, p))
	}
	git(t, dir, append([]string{"checkout", "--"}, paths...)...)
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
	checkoutAgain(t, dir, "a.txt")
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
	checkoutAgain(t, dir, "a.txt")
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
	checkoutAgain(t, dir, "a.txt")
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

// commitSigned commits a change to a.txt in dir through hew and fails unless git verify-commit
// accepts the commit.
func commitSigned(t *testing.T, dir string) string {
	t.Helper()
	writeFile(t, dir, "a.txt", "signed\n")
	r := open(t, dir)
	opts := CommitOptions{Files: []string{"a.txt"}, Message: "signed"}
	if err := r.CheckCommit(context.Background(), opts); err != nil {
		t.Fatalf("CheckCommit: %v", err)
	}
	h, err := r.Commit(context.Background(), opts)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if out, err := gitErr(dir, "verify-commit", "-v", h); err != nil {
		t.Fatalf("git verify-commit rejects hew's commit: %v\n%s", err, out)
	}
	return h
}

func TestCommitSignedOpenPGP(t *testing.T) {
	needTool(t, "gpg")
	home, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c := exec.Command("gpgconf", "--kill", "gpg-agent")
		c.Env = append(os.Environ(), "GNUPGHOME="+home)
		_ = c.Run()
		os.RemoveAll(home)
	})
	t.Setenv("GNUPGHOME", home)
	if out, err := exec.Command("gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Signer <signer@example.com>", "ed25519", "sign", "never").CombinedOutput(); err != nil {
		t.Fatalf("make a key: %v\n%s", err, out)
	}
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	git(t, dir, "config", "commit.gpgSign", "true")
	git(t, dir, "config", "user.signingKey", "signer@example.com")
	commitSigned(t, dir)

	// A key that does not exist: refused before anything, and never an unsigned commit.
	git(t, dir, "config", "user.signingKey", "nobody@example.com")
	head := git(t, dir, "rev-parse", "HEAD")
	writeFile(t, dir, "a.txt", "unsigned?\n")
	r := open(t, dir)
	opts := CommitOptions{Files: []string{"a.txt"}, Message: "m"}
	if err := r.CheckCommit(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "sign") {
		t.Fatalf("CheckCommit with a missing key = %v", err)
	}
	if _, err := r.Commit(context.Background(), opts); err == nil {
		t.Fatal("Commit with a missing key succeeded")
	}
	if got := git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Fatal("HEAD moved without a signature")
	}
}

func TestCommitSignedSSH(t *testing.T) {
	needTool(t, "ssh-keygen")
	keys := t.TempDir()
	key := filepath.Join(keys, "id")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "signer", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub := strings.TrimSpace(readFileT(t, keys, "id.pub"))
	writeFile(t, keys, "allowed", "test@example.com namespaces=\"git\" "+pub+"\n")
	for _, c := range []struct{ name, key string }{{"file", key + ".pub"}, {"key::", "key::" + pub}} {
		t.Run(c.name, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n"})
			git(t, dir, "config", "commit.gpgSign", "true")
			git(t, dir, "config", "gpg.format", "ssh")
			git(t, dir, "config", "user.signingKey", c.key)
			git(t, dir, "config", "gpg.ssh.allowedSignersFile", filepath.Join(keys, "allowed"))
			if c.name == "key::" {
				// A literal key signs through the agent; none runs here, so the commit must be
				// refused rather than made unsigned.
				head := git(t, dir, "rev-parse", "HEAD")
				writeFile(t, dir, "a.txt", "x\n")
				r := open(t, dir)
				if err := r.CheckCommit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"}); err == nil {
					t.Skip("an ssh agent holds the key here")
				}
				if _, err := r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"}); err == nil || git(t, dir, "rev-parse", "HEAD") != head {
					t.Fatalf("Commit without an agent: %v", err)
				}
				return
			}
			commitSigned(t, dir)
		})
	}
}

func TestRefusesDubiousOwnershipBeforeHooks(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the repository to another user")
	}
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	marker := filepath.Join(t.TempDir(), "hook-ran")
	writeFile(t, dir, ".git/hooks/pre-commit", "#!/bin/sh\ntouch "+marker+"\n")
	os.Chmod(filepath.Join(dir, ".git/hooks/pre-commit"), 0o755)
	writeFile(t, dir, "a.txt", "b\n")
	if out, err := exec.Command("chown", "-R", "12345:12345", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v\n%s", err, out)
	}
	if out, err := gitErr(dir, "status"); err == nil || !strings.Contains(out, "dubious ownership") {
		t.Fatalf("git itself accepts the repository: %v %s", err, out)
	}
	r := open(t, dir)
	opts := CommitOptions{Files: []string{"a.txt"}, Message: "m"}
	err := r.CheckCommit(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "dubious ownership") || !strings.Contains(err.Error(), "safe.directory "+dir) {
		t.Fatalf("CheckCommit = %v", err)
	}
	if _, err := r.Commit(context.Background(), opts); err == nil {
		t.Fatal("Commit succeeded")
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the hook of another user's repository ran")
	}
	// safe.directory from the command-line configuration lets it through, as it does git.
	t.Setenv("GIT_CONFIG_COUNT", "1")
	t.Setenv("GIT_CONFIG_KEY_0", "safe.directory")
	t.Setenv("GIT_CONFIG_VALUE_0", dir)
	if err := open(t, dir).CheckCommit(context.Background(), opts); err != nil {
		t.Fatalf("CheckCommit with safe.directory: %v", err)
	}
}

// conflicted makes a repository where `git <op> side` stopped on a conflict in c.txt.
func conflicted(t *testing.T, op string) string {
	t.Helper()
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "c.txt": "base\n"})
	git(t, dir, "checkout", "-q", "-b", "side")
	writeFile(t, dir, "c.txt", "side\n")
	git(t, dir, "commit", "-qam", "side")
	git(t, dir, "checkout", "-q", "main")
	writeFile(t, dir, "c.txt", "main\n")
	git(t, dir, "commit", "-qam", "main")
	if out, err := gitErr(dir, op, "side"); err == nil {
		t.Fatalf("git %s did not stop: %s", op, out)
	}
	return dir
}

func TestRefusesPartialCommitDuringMergeOrCherryPick(t *testing.T) {
	for _, op := range []string{"merge", "cherry-pick"} {
		t.Run(op, func(t *testing.T) {
			dir := conflicted(t, op)
			writeFile(t, dir, "a.txt", "edited\n")
			if out, err := gitErr(dir, "commit", "-m", "m", "--", "a.txt"); err == nil || !strings.Contains(out, "partial commit") {
				t.Fatalf("git commit -- a.txt: %v %s", err, out)
			}
			head, index := git(t, dir, "rev-parse", "HEAD"), git(t, dir, "ls-files", "-s")
			r := open(t, dir)
			opts := CommitOptions{Files: []string{"a.txt"}, Message: "m"}
			if err := r.CheckCommit(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "partial commit during") {
				t.Fatalf("CheckCommit = %v", err)
			}
			if _, err := r.Commit(context.Background(), opts); err == nil {
				t.Fatal("Commit succeeded")
			}
			if git(t, dir, "rev-parse", "HEAD") != head || git(t, dir, "ls-files", "-s") != index {
				t.Fatal("HEAD or the index changed")
			}
		})
	}
}

func TestRefusesUnmergedIndex(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "c.txt": "base\n"})
	writeFile(t, dir, "c.txt", "stashed\n")
	git(t, dir, "stash", "-q")
	writeFile(t, dir, "c.txt", "committed\n")
	git(t, dir, "commit", "-qam", "c")
	if _, err := gitErr(dir, "stash", "pop"); err == nil {
		t.Fatal("stash pop did not conflict")
	}
	index := git(t, dir, "ls-files", "-s")
	writeFile(t, dir, "a.txt", "edited\n")
	if _, err := open(t, dir).Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"}); err == nil || !strings.Contains(err.Error(), "unmerged") {
		t.Fatalf("Commit = %v", err)
	}
	if got := git(t, dir, "ls-files", "-s"); got != index {
		t.Fatalf("index changed:\n%s", got)
	}
	git(t, dir, "fsck", "--strict")
}

func TestIndexKeepsFlagsAndPassesFsck(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n", "d/c.txt": "c\n"})
	git(t, dir, "update-index", "--assume-unchanged", "b.txt")
	git(t, dir, "update-index", "--skip-worktree", "d/c.txt")
	commitLikeGit(t, dir, "a.txt", "changed\n")
	if got := git(t, dir, "ls-files", "-v"); !strings.Contains(got, "h b.txt") || !strings.Contains(got, "S d/c.txt") {
		t.Fatalf("flags lost:\n%s", got)
	}
	git(t, dir, "fsck", "--strict")
}

func TestObjectPermissions(t *testing.T) {
	for _, c := range []struct {
		shared string
		want   os.FileMode
	}{{"", 0o444 &^ processUmask()}, {"group", 0o444&^processUmask() | 0o440}, {"0640", 0o440}} {
		t.Run(c.shared, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n"})
			if c.shared != "" {
				git(t, dir, "config", "core.sharedRepository", c.shared)
			}
			r := open(t, dir)
			writeFile(t, dir, "n/new.txt", "new\n")
			h, err := r.Commit(context.Background(), CommitOptions{Files: []string{"n/new.txt"}, Message: "m"})
			if err != nil {
				t.Fatal(err)
			}
			id, err := r.Checkpoint(context.Background(), "cp")
			if err != nil {
				t.Fatal(err)
			}
			for _, obj := range []string{h, id, git(t, dir, "rev-parse", id+"^{tree}"), git(t, dir, "rev-parse", h+":n")} {
				obj = strings.TrimSpace(obj)
				fi, err := os.Stat(filepath.Join(dir, ".git/objects", obj[:2], obj[2:]))
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != c.want {
					t.Errorf("object %s is %v, want %v", obj, fi.Mode().Perm(), c.want)
				}
			}
		})
	}
}

func TestFileModeFalseAndPermissionsKept(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "secret.txt": "s\n"})
	git(t, dir, "config", "core.fileMode", "false")
	os.Chmod(filepath.Join(dir, "a.txt"), 0o755)
	os.Chmod(filepath.Join(dir, "secret.txt"), 0o600)
	writeFile(t, dir, "a.txt", "a2\n")
	ref := copyRepo(t, dir)
	if _, err := open(t, dir).Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	git(t, ref, "commit", "-q", "-m", "m", "--", "a.txt")
	if got, want := stateOf(t, dir), stateOf(t, ref); got != want {
		t.Fatalf("hew: %+v\ngit: %+v", got, want)
	}
	// An accepted change keeps the file's permissions.
	r := open(t, dir)
	if err := r.Accept([]Update{{Path: "secret.txt", Base: []byte("s\n"), BaseExists: true, New: []byte("s2\n")}}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "secret.txt")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret.txt became %v", fi.Mode().Perm())
	}
}

func TestIdentityAsGitResolvesIt(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	home := t.TempDir()
	work := filepath.Join(home, "work.inc")
	writeFile(t, home, "work.inc", "[user]\n\temail = me@work.example\n[author]\n\tname = Work Author\n")
	writeFile(t, home, ".gitconfig", "[user]\n\tname = Personal\n\temail = me@home.example\n[includeIf \"gitdir:"+dir+"/\"]\n\tpath = "+work+"\n")
	env := map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": "2001-02-03T04:05:06Z",
		"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "committer.email", "GIT_CONFIG_VALUE_0": "ci@example.com"}
	git(t, dir, "config", "--unset", "user.name")
	git(t, dir, "config", "--unset", "user.email")
	r, err := OpenWith(dir, Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	info, err := r.AuthorIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Signature != (Signature{"Work Author", "me@work.example"}) || info.NameFrom != "author.name in "+work || info.EmailFrom != "user.email in "+work {
		t.Fatalf("identity: %+v", info)
	}
	writeFile(t, dir, "a.txt", "b\n")
	h, err := r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	got := git(t, dir, "log", "-1", "--format=%an <%ae> %aI|%cn <%ce>", h)
	if want := "Work Author <me@work.example> 2001-02-03T04:05:06+00:00|Personal <ci@example.com>\n"; got != want {
		t.Fatalf("commit identity %q, want %q", got, want)
	}
}

func TestHooksRunAsGitRunsThem(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
	hook := func(name, body string) {
		p := filepath.Join(dir, ".git/hooks", name)
		writeFile(t, dir, ".git/hooks/"+name, "#!/bin/sh\n"+body)
		os.Chmod(p, 0o755)
	}
	log := `echo "$(basename "$0") $(basename "${1:-none}") ${2:-} index=$(test -f "$GIT_INDEX_FILE" && echo yes)" >> .git/hooklog` + "\n"
	// The formatter upper-cases a.txt and stages the result, as pre-commit formatters do.
	hook("pre-commit", log+"tr a-z A-Z < a.txt > a.tmp && mv a.tmp a.txt && git add a.txt\n")
	hook("prepare-commit-msg", log+"echo prepared >> \"$1\"\n")
	hook("commit-msg", log+"echo checked >> \"$1\"\n")
	hook("post-commit", log)
	hewDir, gitDir := commitLikeGit(t, dir, "a.txt", "formatted by the hook\n")
	if got, want := readFileT(t, hewDir, ".git/hooklog"), readFileT(t, gitDir, ".git/hooklog"); got != want {
		t.Fatalf("hooks ran as\n%s\ngit ran them as\n%s", got, want)
	}
	if got := headBlob(t, hewDir, "a.txt"); got != "FORMATTED BY THE HOOK\n" {
		t.Fatalf("committed %q, not what the formatter staged", got)
	}
	if got, want := git(t, hewDir, "log", "-1", "--format=%B"), git(t, gitDir, "log", "-1", "--format=%B"); got != want {
		t.Fatalf("message %q, git's %q", got, want)
	}
}

func TestGitDirAndWorkTreeFromTheEnvironment(t *testing.T) {
	gitDir := filepath.Join(t.TempDir(), "repo.git")
	work := t.TempDir()
	decoy := newRepo(t, map[string]string{"a.txt": "decoy\n"}) // hew runs from inside another repository
	env := map[string]string{"GIT_DIR": gitDir, "GIT_WORK_TREE": work, "HOME": os.Getenv("HOME"), "GIT_CONFIG_NOSYSTEM": "1"}
	g := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = decoy
		cmd.Env = append(os.Environ(), "GIT_DIR="+gitDir, "GIT_WORK_TREE="+work)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	g("init", "-q", "-b", "main")
	g("config", "user.name", "Env")
	g("config", "user.email", "env@example.com")
	writeFile(t, work, "a.txt", "one\n")
	g("add", "a.txt")
	g("commit", "-q", "-m", "first")
	r, err := OpenWith(decoy, Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if r.Root() != work {
		t.Fatalf("root %s, want %s", r.Root(), work)
	}
	u := Update{Path: "a.txt", Base: []byte("one\n"), BaseExists: true, New: []byte("two\n")}
	if err := r.Accept([]Update{u}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "second"}); err != nil {
		t.Fatal(err)
	}
	if got := g("log", "--format=%s"); got != "second\nfirst\n" {
		t.Fatalf("log of GIT_DIR: %q", got)
	}
	if got := g("status", "--porcelain"); got != "" {
		t.Fatalf("status: %q", got)
	}
	if got := git(t, decoy, "log", "--format=%s"); got != "initial\n" && !strings.Contains(got, "initial") {
		t.Fatalf("the decoy repository changed: %q", got)
	}
	if got := readFileT(t, decoy, "a.txt"); got != "decoy\n" {
		t.Fatalf("the decoy's file changed: %q", got)
	}
}

func TestUndoRefusesCommitPushedUnderAnotherName(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	remote := t.TempDir()
	git(t, remote, "init", "-q", "--bare")
	git(t, dir, "remote", "add", "origin", remote)
	r := open(t, dir)
	writeFile(t, dir, "a.txt", "b\n")
	h, err := r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	git(t, dir, "push", "-q", "origin", "HEAD:refs/heads/review/other-name")
	var refused *RefusedError
	if _, err := r.Undo(context.Background()); !errors.As(err, &refused) || !strings.Contains(err.Error(), "origin/review/other-name") {
		t.Fatalf("Undo = %v", err)
	}
	if got := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")); got != h {
		t.Fatal("HEAD moved")
	}
}

func TestUndoWhenTheBranchTracksALocalBranch(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	git(t, dir, "checkout", "-q", "-b", "topic", "--track", "main")
	r := open(t, dir)
	writeFile(t, dir, "a.txt", "b\n")
	if _, err := r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Undo(context.Background()); err != nil {
		t.Fatalf("Undo: %v", err)
	}
	if got := git(t, dir, "log", "-1", "--format=%s"); got != git(t, dir, "log", "-1", "--format=%s", "main") {
		t.Fatalf("HEAD is at %q", got)
	}
}

func TestCheckpointsSkipLargeUntrackedFilesAndArePruned(t *testing.T) {
	for _, tool := range []string{"", "none"} {
		t.Run("git="+tool, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n", "big-tracked.bin": strings.Repeat("t", 2000)})
			r, err := OpenWith(dir, Options{Now: fixedClock(), GitProgram: tool, MaxCheckpoints: 3, MaxUntrackedSize: 1000})
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "huge.log", strings.Repeat("x", 1001))
			writeFile(t, dir, "small.txt", "s\n")
			res, err := r.TakeCheckpoint(context.Background(), "one")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(res.Skipped, ",") != "huge.log" {
				t.Fatalf("skipped %v", res.Skipped)
			}
			if got := git(t, dir, "ls-tree", "-r", "--name-only", res.ID); got != "a.txt\nbig-tracked.bin\nsmall.txt\n" {
				t.Fatalf("checkpoint holds:\n%s", got)
			}
			var ids []string
			for i := range 4 {
				writeFile(t, dir, "a.txt", fmt.Sprintf("%d\n", i))
				id, err := r.Checkpoint(context.Background(), fmt.Sprintf("cp %d", i))
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			cps, err := r.Checkpoints()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cps {
				got = append(got, c.ID)
			}
			if want := []string{ids[3], ids[2], ids[1]}; strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("checkpoints %v, want the newest three %v", got, want)
			}
			// The IDs of the checkpoints kept did not change, and restoring one still works.
			if err := r.RestoreCheckpoint(context.Background(), ids[1][:8]); err != nil {
				t.Fatal(err)
			}
			if got := readFileT(t, dir, "a.txt"); got != "1\n" {
				t.Fatalf("restored a.txt = %q", got)
			}
		})
	}
}

func TestWithoutGitRefusesWhatNeedsIt(t *testing.T) {
	noGit := func(t *testing.T, dir string) *Repo {
		r, err := OpenWith(dir, Options{Now: fixedClock(), GitProgram: "none"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("plain commit as git", func(t *testing.T) {
		dir := newRepo(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
		git(t, dir, "update-index", "--assume-unchanged", "b.txt")
		ref := copyRepo(t, dir)
		writeFile(t, dir, "a.txt", "changed\n")
		writeFile(t, ref, "a.txt", "changed\n")
		if _, err := noGit(t, dir).Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"}); err != nil {
			t.Fatal(err)
		}
		git(t, ref, "commit", "-q", "-m", "m", "--", "a.txt")
		if got, want := stateOf(t, dir), stateOf(t, ref); got.tree != want.tree || got.status != want.status {
			t.Fatalf("hew: %+v\ngit: %+v", got, want)
		}
		git(t, dir, "fsck", "--strict")
	})
	for name, setup := range map[string]func(dir string){
		"filter":   func(dir string) { writeFile(t, dir, ".gitattributes", "*.txt filter=x\n") },
		"autocrlf": func(dir string) { git(t, dir, "config", "core.autocrlf", "true") },
		"signing":  func(dir string) { git(t, dir, "config", "commit.gpgSign", "true") },
	} {
		t.Run(name, func(t *testing.T) {
			dir := newRepo(t, map[string]string{"a.txt": "a\n"})
			setup(dir)
			head := git(t, dir, "rev-parse", "HEAD")
			writeFile(t, dir, "a.txt", "changed\n")
			_, err := noGit(t, dir).Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"})
			if err == nil || !strings.Contains(err.Error(), "needs the git command") {
				t.Fatalf("Commit = %v", err)
			}
			if git(t, dir, "rev-parse", "HEAD") != head {
				t.Fatal("HEAD moved")
			}
		})
	}
}

func TestUncommittedComparesAsGitDiffDoes(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "one\ntwo\n", "b.txt": "b\n"})
	git(t, dir, "config", "core.autocrlf", "true")
	checkoutAgain(t, dir, "a.txt", "b.txt")
	writeFile(t, dir, "a.txt", "one\r\nTWO\r\n")
	changes, err := open(t, dir).Uncommitted(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Path != "a.txt" || string(changes[0].New) != "one\nTWO\n" {
		t.Fatalf("changes: %+v (git diff --name-only HEAD: %q)", changes, git(t, dir, "diff", "--name-only", "HEAD"))
	}
}

func TestNoVerifyAndMessageCleanupAsGit(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	for name, body := range map[string]string{
		"pre-commit":         "exit 1\n",
		"commit-msg":         "exit 1\n",
		"prepare-commit-msg": "printf '\\n\\n# a comment  \\n\\n' >> \"$1\"\n",
	} {
		writeFile(t, dir, ".git/hooks/"+name, "#!/bin/sh\n"+body)
		os.Chmod(filepath.Join(dir, ".git/hooks", name), 0o755)
	}
	ref := copyRepo(t, dir)
	msg := "\n  subject  \n\n\n\nbody line   \n\n"
	writeFile(t, dir, "a.txt", "b\n")
	writeFile(t, ref, "a.txt", "b\n")
	if _, err := open(t, dir).Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: msg, NoVerify: true}); err != nil {
		t.Fatal(err)
	}
	git(t, ref, "commit", "-q", "--no-verify", "-m", msg, "--", "a.txt")
	if got, want := git(t, dir, "cat-file", "-p", "HEAD"), git(t, ref, "cat-file", "-p", "HEAD"); strings.SplitN(got, "\n\n", 2)[1] != strings.SplitN(want, "\n\n", 2)[1] {
		t.Fatalf("message %q, git's %q", strings.SplitN(got, "\n\n", 2)[1], strings.SplitN(want, "\n\n", 2)[1])
	}
}

func TestLinkedWorktreeCommitAndCheckpoint(t *testing.T) {
	main := newRepo(t, map[string]string{"a.txt": "one\ntwo\n"})
	dir := filepath.Join(t.TempDir(), "wt")
	git(t, main, "worktree", "add", "-q", "-b", "feature", dir)
	git(t, main, "config", "core.autocrlf", "true") // shared by both worktrees
	checkoutAgain(t, dir, "a.txt")
	r := open(t, dir)
	id, err := r.Checkpoint(context.Background(), "wt")
	if err != nil {
		t.Fatal(err)
	}
	u := Update{Path: "a.txt", Base: []byte("one\r\ntwo\r\n"), BaseExists: true, New: []byte("one\r\nTWO\r\n")}
	if err := r.Accept([]Update{u}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if got := git(t, dir, "show", "feature:a.txt"); got != "one\nTWO\n" {
		t.Fatalf("feature has %q", got)
	}
	if st := git(t, dir, "status", "--porcelain"); st != "" {
		t.Fatalf("worktree status %q", st)
	}
	if st := git(t, main, "status", "--porcelain"); st != "" || git(t, main, "rev-parse", "--abbrev-ref", "HEAD") != "main\n" {
		t.Fatalf("the main worktree changed: %q", st)
	}
	if err := r.RestoreCheckpoint(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := readFileT(t, dir, "a.txt"); got != "one\r\ntwo\r\n" {
		t.Fatalf("restored %q", got)
	}
	if refs := git(t, main, "for-each-ref", "--format=%(refname)", "refs/hew/"); !strings.Contains(refs, "refs/hew/cp/wt/") {
		t.Fatalf("checkpoint refs: %s", refs)
	}
}

func TestIdentityFromGitConfigGlobalAndEMAIL(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	git(t, dir, "config", "--unset", "user.name")
	git(t, dir, "config", "--unset", "user.email")
	global := filepath.Join(t.TempDir(), "global.cfg")
	writeFile(t, filepath.Dir(global), "global.cfg", "[user]\n\tname = From Global\n")
	env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": global, "EMAIL": "mail@example.com"}
	r, err := OpenWith(dir, Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	info, err := r.AuthorIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Signature != (Signature{"From Global", "mail@example.com"}) || info.NameFrom != "user.name in "+global || info.EmailFrom != "EMAIL" {
		t.Fatalf("identity %+v", info)
	}
}

func TestRunHookCmdIsTheSeamHooksRunThrough(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	writeFile(t, dir, ".git/hooks/pre-commit", "#!/bin/sh\necho \"pre-commit in $WRAPPED\"\n")
	os.Chmod(filepath.Join(dir, ".git/hooks/pre-commit"), 0o755)
	var seen []string
	r, err := OpenWith(dir, Options{Now: fixedClock(), RunHookCmd: func(cmd *exec.Cmd) error {
		seen = append(seen, filepath.Base(cmd.Path)+" "+strings.Join(cmd.Args[1:], " "))
		cmd.Env = append(cmd.Env, "WRAPPED=the sandbox")
		if err := cmd.Run(); err != nil {
			return err
		}
		return errors.New("refused by the wrapper")
	}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "a.txt", "b\n")
	_, err = r.Commit(context.Background(), CommitOptions{Files: []string{"a.txt"}, Message: "m"})
	var he *HookError
	if !errors.As(err, &he) || !strings.Contains(he.Output, "pre-commit in the sandbox") {
		t.Fatalf("Commit = %v", err)
	}
	if len(seen) != 1 || seen[0] != "pre-commit " {
		t.Fatalf("the seam saw %q", seen)
	}
}

func TestLargeUntrackedSkippedWithIndexV4AndExtendedFlags(t *testing.T) {
	files := map[string]string{"big-tracked.bin": strings.Repeat("t", 3000)}
	for i := range 50 {
		files[fmt.Sprintf("dir/sub/file%02d.txt", i)] = "x\n"
	}
	dir := newRepo(t, files)
	git(t, dir, "update-index", "--index-version", "4")
	git(t, dir, "update-index", "--skip-worktree", "dir/sub/file07.txt")
	writeFile(t, dir, "dir/sub/huge-untracked.dat", strings.Repeat("u", 3000))
	writeFile(t, dir, "dir/sub/small-untracked.txt", "s\n")
	r, err := OpenWith(dir, Options{Now: fixedClock(), MaxUntrackedSize: 2000})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.TakeCheckpoint(context.Background(), "v4")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Skipped, ",") != "dir/sub/huge-untracked.dat" {
		t.Fatalf("skipped %v", res.Skipped)
	}
	tree := git(t, dir, "ls-tree", "-r", "--name-only", res.ID)
	if strings.Contains(tree, "huge-untracked") || !strings.Contains(tree, "small-untracked.txt") || !strings.Contains(tree, "big-tracked.bin") {
		t.Fatalf("checkpoint holds:\n%s", tree)
	}
}

func TestCommitOfAnEditToAnUncommittedFileSaysWhy(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	writeFile(t, dir, "mine.txt", "my own file\n")
	u := Update{Path: "mine.txt", Base: []byte("my own file\n"), BaseExists: true, New: []byte("my own file\nplus hew's line\n")}
	err := open(t, dir).CheckCommit(context.Background(), CommitOptions{Updates: []Update{u}, Message: "m"})
	if err == nil || !strings.Contains(err.Error(), "not in HEAD") || !strings.Contains(err.Error(), "git add mine.txt") {
		t.Fatalf("CheckCommit = %v", err)
	}
	if got := readFileT(t, dir, "mine.txt"); got != "my own file\n" {
		t.Fatalf("mine.txt = %q", got)
	}
}
