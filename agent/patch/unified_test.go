package patch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// git runs git in dir and returns its output.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func numbered(prefix string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(prefix + strconv.Itoa(i) + "\n")
	}
	return b.String()
}

// TestUnifiedFromGit makes changes in a real repository, takes "git diff" of them, and checks
// that applying that diff to the original tree gives the changed tree.
func TestUnifiedFromGit(t *testing.T) {
	long := numbered("line ", 60)
	cases := []struct {
		name   string
		before map[string]file
		after  map[string]file
	}{
		{"several hunks", map[string]file{"a.txt": f(long)},
			map[string]file{"a.txt": f(strings.NewReplacer("line 3\n", "three\n", "line 30\n", "", "line 58\n", "line 58\nextra\n").Replace(long))}},
		{"new, deleted and executable files", map[string]file{"gone.txt": f("bye\n"), "keep.txt": f("k\n")},
			map[string]file{"keep.txt": f("k\n"), "new.txt": f("hello\nworld\n"), "bin/run.sh": {data: "#!/bin/sh\necho\n", perm: 0o755}}},
		{"empty new file", map[string]file{"k.txt": f("k\n")}, map[string]file{"k.txt": f("k\n"), "empty.txt": f("")}},
		{"rename with a change", map[string]file{"old/name.txt": f(long)},
			map[string]file{"new/name.txt": f(strings.Replace(long, "line 10\n", "ten\n", 1))}},
		{"pure rename", map[string]file{"a.txt": f(long)}, map[string]file{"b.txt": f(long)}},
		{"mode change only", map[string]file{"s.sh": f("echo\n")}, map[string]file{"s.sh": {data: "echo\n", perm: 0o755}}},
		{"adding the final newline", map[string]file{"n.txt": f("a\nb")}, map[string]file{"n.txt": f("a\nb\n")}},
		{"removing the final newline", map[string]file{"n.txt": f("a\nb\n")}, map[string]file{"n.txt": f("a\nc")}},
		{"no newline on either side", map[string]file{"n.txt": f("a\nb\nc")}, map[string]file{"n.txt": f("A\nb\nc")}},
		{"CRLF file", map[string]file{"w.txt": f("one\r\ntwo\r\nthree\r\n")}, map[string]file{"w.txt": f("one\r\n2\r\nthree\r\n")}},
		{"names with spaces and accents", map[string]file{"my file.txt": f("x\n"), "café.txt": f("y\n")},
			map[string]file{"my file.txt": f("X\n"), "café.txt": f("Y\n")}},
		{"deleting a file without a final newline", map[string]file{"n.txt": f("a\nb"), "k": f("k\n")}, map[string]file{"k": f("k\n")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo := t.TempDir()
			git(t, repo, "init", "-q")
			git(t, repo, "config", "core.autocrlf", "false")
			writeTree(t, repo, tc.before)
			git(t, repo, "add", "-A")
			git(t, repo, "commit", "-q", "-m", "before")
			for name := range tc.before {
				os.Remove(filepath.Join(repo, name))
			}
			writeTree(t, repo, tc.after)
			git(t, repo, "add", "-A")
			diff := git(t, repo, "diff", "--cached", "-M")

			res, err, got := applyText(t, tc.before, diff)
			if err != nil {
				t.Fatalf("apply: %v\ndiff:\n%s", err, diff)
			}
			if d := diffTrees(tc.after, got); d != "" {
				t.Fatalf("tree after apply:\n%s\ndiff:\n%s", d, diff)
			}
			if len(res.Files) == 0 {
				t.Fatal("empty result")
			}
		})
	}
}

func TestUnifiedHandWritten(t *testing.T) {
	runApplyCases(t, []applyCase{{
		name:  "diff -u with timestamps and no git header",
		files: map[string]file{"a.c": f("int a;\nint b;\n")},
		patch: "--- a.c\t2024-01-01 00:00:00.000000000 +0000\n+++ a.c\t2024-01-02 00:00:00.000000000 +0000\n@@ -1,2 +1,2 @@\n int a;\n-int b;\n+long b;\n",
		want:  map[string]file{"a.c": f("int a;\nlong b;\n")},
	}, {
		name:  "miscounted hunk header from a model",
		files: map[string]file{"a.txt": f("1\n2\n3\n4\n")},
		patch: "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n 1\n-2\n+two\n 3\n-4\n+four\n",
		want:  map[string]file{"a.txt": f("1\ntwo\n3\nfour\n")},
	}, {
		name:  "a removed line that looks like a header",
		files: map[string]file{"a.txt": f("x\n-- y\n")},
		patch: "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,1 @@\n x\n--- y\n",
		want:  map[string]file{"a.txt": f("x\n")},
	}, {
		name:  "wrong line numbers still apply by content",
		files: map[string]file{"a.txt": f("p\nq\nr\n")},
		patch: "--- a/a.txt\n+++ b/a.txt\n@@ -40,2 +40,2 @@\n q\n-r\n+R\n",
		want:  map[string]file{"a.txt": f("p\nq\nR\n")},
	}, {
		name:  "line numbers break a tie",
		files: map[string]file{"a.txt": f("x\ny\nx\ny\n")},
		patch: "--- a/a.txt\n+++ b/a.txt\n@@ -3,2 +3,2 @@\n x\n-y\n+Y\n",
		want:  map[string]file{"a.txt": f("x\ny\nx\nY\n")},
	}, {
		name:  "format-patch mail with a signature",
		files: map[string]file{"a.txt": f("a\n")},
		patch: "From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] change\n\n---\n a.txt | 2 +-\n\ndiff --git a/a.txt b/a.txt\nindex 1..2 100644\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n-- \n2.39.5\n",
		want:  map[string]file{"a.txt": f("b\n")},
	}, {
		name:    "new file that already exists",
		files:   map[string]file{"a.txt": f("a\n")},
		patch:   "diff --git a/a.txt b/a.txt\nnew file mode 100644\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+b\n",
		wantErr: []string{"a.txt", "already exists"},
		kind:    ErrRefused,
	}, {
		name:    "deleting a file that has other content",
		files:   map[string]file{"a.txt": f("a\nmore\n")},
		patch:   "diff --git a/a.txt b/a.txt\ndeleted file mode 100644\n--- a/a.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n",
		wantErr: []string{"a.txt", "1 line(s) the diff does not remove"},
		kind:    ErrRefused,
	}, {
		name:    "binary diff",
		files:   map[string]file{"a.txt": f("a\n")},
		patch:   "diff --git a/i.png b/i.png\nindex 1..2 100644\nBinary files a/i.png and b/i.png differ\n",
		wantErr: []string{"binary"},
		kind:    ErrSyntax,
	}, {
		name:    "truncated hunk",
		files:   map[string]file{"a.txt": f("a\nb\nc\n")},
		patch:   "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n a\n-b\n",
		wantErr: []string{"ends inside a hunk", "cut off"},
		kind:    ErrSyntax,
	}, {
		name:    "stale context",
		files:   map[string]file{"a.txt": f("a\nB\nc\n")},
		patch:   "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n",
		wantErr: []string{"a.txt: hunk 1 of 1", "not found", "closest lines", "1| a", "2| B"},
		kind:    ErrNoMatch,
	}, {
		name:    "symlink mode",
		files:   map[string]file{"a.txt": f("a\n")},
		patch:   "diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+a.txt\n\\ No newline at end of file\n",
		wantErr: []string{"120000", "regular file"},
		kind:    ErrSyntax,
	}, {
		name:    "path into .git",
		files:   map[string]file{"a.txt": f("a\n")},
		patch:   "--- a/.git/config\n+++ b/.git/config\n@@ -1 +1 @@\n-a\n+b\n",
		wantErr: []string{".git"},
		kind:    ErrRefused,
	}})
}

func TestParseDetection(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Format
		err  string
	}{
		{"*** Begin Patch\n*** Delete File: a\n*** End Patch", FormatApplyPatch, ""},
		{"```\n*** Begin Patch\n*** Delete File: a\n*** End Patch\n```\n", FormatApplyPatch, ""},
		{"<<EOF\n*** Begin Patch\n*** Delete File: a\n*** End Patch\nEOF", FormatApplyPatch, ""},
		{"--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", FormatUnified, ""},
		{"diff --git a/x b/x\nold mode 100644\nnew mode 100755\n", FormatUnified, ""},
		{"just some prose\n", 0, "not a patch"},
		{"", 0, "not a patch"},
	} {
		p, err := Parse(tc.text)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) error %v, want %q", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil || p.Format != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want format %v", tc.text, p, err, tc.want)
		}
	}
}
