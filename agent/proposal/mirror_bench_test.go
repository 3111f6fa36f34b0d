package proposal

import (
	"testing"
	"time"

	"hew/gitops/gittest"
)

// BenchmarkInCopyLargeRepo brings the copy of the generated 75,000-file repository up to date
// for a command that changes nothing (the copy made once, before the timer).
func BenchmarkInCopyLargeRepo(b *testing.B) {
	root := gittest.LargeRepo(b, gittest.LargeTree{})
	l, err := Open(root, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := l.InCopy(false, func(string) error { return nil }); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "first-s")
	for b.Loop() {
		if err := l.InCopy(true, func(string) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	l.DropCopy()
}
