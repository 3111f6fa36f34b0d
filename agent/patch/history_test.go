package patch

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestRealHistory replays real code changes: commits of the repository the test runs in (this
// project's own history). Each commit's change is taken as "git diff" (-U3 and -U1) and in the
// apply_patch format (plain "@@" and with git's function headings as "@@" anchors), applied to the
// parent's versions of the touched files, and checked against the commit's versions: the unified
// forms must give what git apply gives (the commit), and applying them again must be refused as
// already applied; the apply_patch forms must give the commit or refuse an ambiguous hunk, never
// a wrong tree.
//
// By default an evenly spread sample of commits is replayed; HEW_PATCH_HISTORY=all replays every
// commit, and HEW_PATCH_HISTORY=N a sample of N. HEW_PATCH_HISTORY_REPO=DIR replays another
// repository (a bare one will do) instead of this one. The test is skipped outside a git
// checkout, and commits whose parent is missing (a shallow clone) are passed over.
func TestRealHistory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := os.Getenv("HEW_PATCH_HISTORY_REPO")
	if repo == "" {
		top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
		if err != nil {
			t.Skip("not in a git checkout")
		}
		repo = strings.TrimSpace(string(top))
	}
	var err error
	sample := 12
	switch v := os.Getenv("HEW_PATCH_HISTORY"); v {
	case "":
	case "all":
		sample = 0
	default:
		if sample, err = strconv.Atoi(v); err != nil || sample < 1 {
			t.Fatalf("HEW_PATCH_HISTORY=%q: want \"all\" or a number of commits", v)
		}
	}
	commits := strings.Fields(git(t, repo, "rev-list", "--no-merges", "HEAD"))
	if sample > 0 && len(commits) > sample {
		picked := make([]string, sample)
		for i := range picked {
			picked[i] = commits[i*len(commits)/sample]
		}
		commits = picked
	}
	blobs := newBlobReader(t, repo)
	replayed := 0
	var st historyStats
	for _, c := range commits {
		if _, err := exec.Command("git", "-C", repo, "rev-parse", "--verify", "--quiet", c+"^").Output(); err != nil {
			continue // a root commit, or a shallow clone's boundary
		}
		t.Run(c[:10], func(t *testing.T) {
			replayCommit(t, repo, c, blobs, &st)
		})
		replayed++
	}
	if replayed == 0 {
		t.Skip("no commit with a parent to replay (a shallow clone?)")
	}
	t.Logf("%d commits replayed; unified: %d applied like git apply; apply_patch: %d applied, %d refused as ambiguous",
		replayed, st.unified, st.ap, st.apAmbiguous)
}

// historyStats counts the outcomes of TestRealHistory.
type historyStats struct{ unified, ap, apAmbiguous int }

// replayCommit replays one commit in every form.
func replayCommit(t *testing.T, repo, c string, blobs *blobReader, st *historyStats) {
	parent := c + "^"
	before, after := map[string]file{}, map[string]file{}
	var paths []string
	for _, line := range strings.Split(strings.TrimSpace(git(t, repo, "diff", "--raw", "--no-abbrev", "-M", parent, c)), "\n") {
		if line == "" {
			continue
		}
		meta, names, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta) // :oldmode newmode oldsha newsha status
		ps := strings.Split(names, "\t")
		for _, mode := range f[:2] {
			if mode != ":000000" && mode != "000000" && strings.TrimPrefix(mode, ":") != "100644" && strings.TrimPrefix(mode, ":") != "100755" {
				return // a symbolic link or submodule: not a patch engine's business
			}
		}
		if strings.TrimPrefix(f[0], ":") != "000000" {
			before[ps[0]] = blobs.file(t, f[2], f[0])
		}
		if f[1] != "000000" {
			after[ps[len(ps)-1]] = blobs.file(t, f[3], f[1])
		}
		paths = append(paths, ps...)
	}
	if len(paths) == 0 {
		return // an empty commit
	}
	for name, fl := range before {
		if isBinary([]byte(fl.data)) {
			t.Skipf("%s is binary", name)
		}
	}
	for _, fl := range after {
		if isBinary([]byte(fl.data)) {
			t.Skip("a binary file")
		}
	}
	// The files the commit does not touch stay as they are in after.
	for name, fl := range before {
		if _, ok := after[name]; !ok && !contains(paths, name) {
			after[name] = fl
		}
	}
	for _, u := range []string{"-U3", "-U1"} {
		diff := git(t, repo, append([]string{"diff", "-M", u, parent, c, "--"}, paths...)...)
		gitTree, ok := gitApply(t, before, diff)
		if !ok {
			t.Fatalf("%s: git apply refused the commit's own diff", u)
		}
		_, err, got := applyText(t, before, diff)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if d := diffTrees(gitTree, got); d != "" {
			t.Fatalf("%s: differs from git apply:\n%s", u, d)
		}
		st.unified++
		if u == "-U3" {
			if _, err, again := applyText(t, got, diff); err == nil {
				// Added lines that repeat the context around them (a function added after
				// one that ends the same way) can leave the diff applicable again; git
				// apply agrees then. Otherwise a second application must be refused.
				if _, gitAgain := gitApply(t, got, diff); !gitAgain {
					t.Errorf("%s: applying the diff a second time succeeded", u)
				}
			} else if d := diffTrees(got, again); d != "" {
				t.Errorf("%s: a refused second application changed the tree:\n%s", u, d)
			}
			for _, anchored := range []bool{false, true} {
				ap, ok := toApplyPatch(diff, anchored)
				if !ok {
					continue
				}
				_, err, got := applyText(t, before, ap)
				switch {
				case err != nil && errKind(err) == ErrAmbiguous:
					st.apAmbiguous++
					t.Logf("apply_patch (anchored %v): refused as ambiguous: %v", anchored, firstLine(err.Error()))
				case err != nil:
					t.Errorf("apply_patch (anchored %v): %v", anchored, err)
				default:
					if d := diffTrees(gitTree, got); d != "" {
						t.Errorf("apply_patch (anchored %v): WRONG tree:\n%s", anchored, d)
					}
					st.ap++
				}
			}
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// toApplyPatch rewrites a git diff in the apply_patch format, with each hunk under a plain "@@"
// or, when anchored, under "@@ <git's function heading>" (when git did not shorten it). It reports false for what the format
// cannot say (mode changes, a missing final newline, empty files).
func toApplyPatch(diff string, anchored bool) (string, bool) {
	var b strings.Builder
	b.WriteString("*** Begin Patch\n")
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "diff --git "):
			// Read the header up to the first hunk or the next file.
			// An empty file has no "---" and "+++" lines: its name is only in this header.
			var op string
			from, to := splitGitPaths(strings.TrimPrefix(l, "diff --git "))
			from, to = strings.TrimPrefix(from, "a/"), strings.TrimPrefix(to, "b/")
			j := i + 1
			for ; j < len(lines) && !strings.HasPrefix(lines[j], "@@") && !strings.HasPrefix(lines[j], "diff --git "); j++ {
				h := lines[j]
				switch {
				case strings.HasPrefix(h, "old mode"), strings.HasPrefix(h, "new mode"), strings.HasPrefix(h, "Binary"):
					return "", false
				case strings.HasPrefix(h, "new file mode"):
					if !strings.HasSuffix(h, "644") {
						return "", false // an add cannot say the file is executable
					}
					op = "add"
				case strings.HasPrefix(h, "deleted file mode"):
					op = "delete"
				case strings.HasPrefix(h, "rename from "):
					from = strings.TrimPrefix(h, "rename from ")
				case strings.HasPrefix(h, "rename to "):
					to = strings.TrimPrefix(h, "rename to ")
				case strings.HasPrefix(h, "--- a/"):
					from = strings.TrimPrefix(h, "--- a/")
				case strings.HasPrefix(h, "+++ b/"):
					to = strings.TrimPrefix(h, "+++ b/")
				}
			}
			if strings.ContainsAny(from+to, "\"\t") {
				return "", false
			}
			switch op {
			case "add":
				if j == len(lines) || strings.HasPrefix(lines[j], "diff --git ") {
					return "", false // an empty new file
				}
				fmt.Fprintf(&b, "*** Add File: %s\n", to)
				j++ // the "@@" line
			case "delete":
				fmt.Fprintf(&b, "*** Delete File: %s\n", from)
				for j < len(lines) && !strings.HasPrefix(lines[j], "diff --git ") {
					j++
				}
			default:
				fmt.Fprintf(&b, "*** Update File: %s\n", from)
				if to != "" && to != from {
					fmt.Fprintf(&b, "*** Move to: %s\n", to)
				}
			}
			i = j - 1
		case strings.HasPrefix(l, "@@"):
			heading := ""
			if k := strings.Index(l[2:], "@@"); k >= 0 {
				heading = strings.TrimSpace(l[2+k+2:])
			}
			if anchored && heading != "" && len(heading) < 80 { // git cuts headings at 80 bytes
				b.WriteString("@@ " + heading + "\n")
			} else {
				b.WriteString("@@\n")
			}
		case strings.HasPrefix(l, `\`):
			return "", false
		default:
			b.WriteString(l + "\n")
		}
	}
	b.WriteString("*** End Patch\n")
	return b.String(), true
}

// blobReader reads blobs through one "git cat-file --batch".
type blobReader struct {
	in  io.WriteCloser
	out *bufio.Reader
}

func newBlobReader(t *testing.T, repo string) *blobReader {
	cmd := exec.Command("git", "-C", repo, "cat-file", "--batch")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	return &blobReader{in: in, out: bufio.NewReader(out)}
}

// file returns a blob as a test file with the given git mode.
func (r *blobReader) file(t *testing.T, sha, mode string) file {
	t.Helper()
	fmt.Fprintln(r.in, sha)
	header, err := r.out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(header)
	if len(fields) != 3 {
		t.Fatalf("git cat-file: %q", header)
	}
	size, _ := strconv.Atoi(fields[2])
	data := make([]byte, size+1)
	if _, err := io.ReadFull(r.out, data); err != nil {
		t.Fatal(err)
	}
	perm := fs.FileMode(0o644)
	if strings.TrimPrefix(mode, ":") == "100755" {
		perm = 0o755
	}
	return file{data: string(data[:size]), perm: perm}
}
