package gitindex

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hew/gitops/gittest"
)

// TestWalkReadsWhatGitWrote walks indexes git wrote in each version, with conflicts,
// intent-to-add and skip-worktree entries and names sharing long prefixes (which version 4
// compresses), and compares every entry with git ls-files --stage --debug; a truncated or
// padded file is refused.
func TestWalkReadsWhatGitWrote(t *testing.T) {
	files := map[string]string{"a.txt": "a\n", "dir/b.txt": "b\n", "dir/sub/c.txt": "c\n", "dir/sub/cc.txt": "cc\n", "z": "z\n"}
	for i := range 20 {
		files[fmt.Sprintf("deep/er/and/deeper/file%02d.go", i)] = fmt.Sprint(i)
	}
	dir := gittest.NewRepo(t, files)
	gittest.WriteFile(t, filepath.Join(dir, "new.txt"), "new\n")
	gittest.Git(t, dir, "add", "-N", "new.txt")
	gittest.Git(t, dir, "update-index", "--skip-worktree", "dir/b.txt")
	// A conflict: stages 1 to 3 of one path.
	blob := strings.TrimSpace(gittest.Git(t, dir, "hash-object", "-w", "a.txt"))
	cmd := gittest.Command(dir, nil, "update-index", "--index-info")
	cmd.Stdin = strings.NewReader(fmt.Sprintf("0 %s\tm.txt\n100644 %s 1\tm.txt\n100644 %s 2\tm.txt\n100644 %s 3\tm.txt\n", strings.Repeat("0", 40), blob, blob, blob))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("update-index --index-info: %v\n%s", err, out)
	}
	for _, version := range []string{"2", "3", "4"} {
		t.Run("version "+version, func(t *testing.T) {
			gittest.Git(t, dir, "update-index", "--index-version", version)
			b, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			exts, err := Walk(b, SHA1, func(name, head []byte, ext uint16) {
				got = append(got, fmt.Sprintf("%06o %x %d\t%s skip=%v ita=%v size=%d", Mode(head), Hash(head),
					Stage(head), name, ext&ExtSkipWorktree != 0, ext&ExtIntentToAdd != 0, Size(head)))
			})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range strings.Split(strings.TrimSpace(gittest.Git(t, dir, "ls-files", "--stage", "--debug")), "\n") {
				if !strings.HasPrefix(line, " ") {
					want = append(want, line)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d entries, git lists %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], want[i]+" ") {
					t.Errorf("entry %d: %s, git: %s", i, got[i], want[i])
				}
				if strings.HasSuffix(want[i], "\tdir/b.txt") != strings.Contains(got[i], "skip=true") ||
					strings.HasSuffix(want[i], "\tnew.txt") != strings.Contains(got[i], "ita=true") {
					t.Errorf("entry %d flags: %s", i, got[i])
				}
			}
			if len(exts) == 0 {
				t.Error("no extensions (git writes the cached trees)")
			}
			for _, bad := range [][]byte{b[:len(b)-1], b[:len(b)/2], append(append([]byte{}, b...), 0), b[:12]} {
				if _, err := Walk(bad, SHA1, func(_, _ []byte, _ uint16) {}); err == nil {
					t.Errorf("a damaged index of %d bytes (of %d) was read", len(bad), len(b))
				}
			}
		})
	}
}
