package gittest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeTreeShape makes a small instance of the large tree and checks it against git: the
// files it calls tracked are exactly what git commits, the build output is ignored, and the
// marker is in one tracked file.
func TestLargeTreeShape(t *testing.T) {
	spec := LargeTree{Seed: 3, Tracked: 600, Ignored: 300, LargeFiles: 2, LargeSize: 16 << 10, FileSize: 200}
	dir := t.TempDir()
	if err := MakeLargeRepo(dir, spec); err != nil {
		t.Fatal(err)
	}
	listed := strings.Split(Git(t, dir, "ls-files"), "\n")
	if len(listed) != spec.Tracked {
		t.Errorf("git ls-files lists %d files, want %d", len(listed), spec.Tracked)
	}
	if others := Git(t, dir, "ls-files", "-o", "--exclude-standard"); others != "" {
		t.Errorf("files neither tracked nor ignored: %.300s", others)
	}
	ignored := strings.Split(Git(t, dir, "ls-files", "-o", "-i", "--exclude-standard"), "\n")
	if len(ignored) < spec.Ignored {
		t.Errorf("%d ignored files, want at least %d", len(ignored), spec.Ignored)
	}
	var gitignores, deep int
	for _, f := range listed {
		if filepath.Base(f) == ".gitignore" {
			gitignores++
		}
		if strings.Count(f, "/") >= 5 {
			deep++
		}
	}
	if gitignores < 2 || deep == 0 {
		t.Errorf("%d .gitignore files, %d files five levels deep: not the nested shape wanted", gitignores, deep)
	}
	if got := Git(t, dir, "grep", "-l", LargeTreeMarker); got != LargeTreeMarkerFile {
		t.Errorf("git grep finds the marker in %q, want %s", got, LargeTreeMarkerFile)
	}
	st, err := os.Stat(filepath.Join(dir, "assets/blob01.bin"))
	if err != nil || st.Size() != int64(spec.LargeSize) {
		t.Errorf("large file: %v, %v", st, err)
	}
	again := t.TempDir()
	if _, err := GenerateLargeTree(again, spec); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, LargeTreeMarkerFile))
	b, _ := os.ReadFile(filepath.Join(again, LargeTreeMarkerFile))
	if string(a) != string(b) {
		t.Error("the same seed made different trees")
	}
}
