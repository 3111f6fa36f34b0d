package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSweepStale: the private temp dirs of hews that are gone, older than an hour, are removed;
// a recent one, or one whose hew still runs, stays.
func TestSweepStale(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name string, mtime time.Time) string {
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(dir, "home"), 0o700); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(dir, mtime, mtime)
		return dir
	}
	gone := mk(tmpPrefix+"999999999-1", old)
	recent := mk(tmpPrefix+"999999999-2", time.Now())
	alive := mk(fmt.Sprintf("%s%d-3", tmpPrefix, os.Getpid()), old)
	other := mk("hew-sandbox-probe-4", old)
	sweepStale()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(gone); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stale temp dir of a hew that is gone was not removed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, dir := range []string{recent, alive, other} {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s was removed: %v", dir, err)
		}
	}
}
