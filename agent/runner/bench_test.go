package runner

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"hew/agent/proposal"
	"hew/gitops/gittest"
	"hew/sandbox"
)

// BenchmarkRunLargeRepo runs one command (`run` as the agent runs it: over the proposal, its
// writes brought back) in the generated 75,000-file repository (gittest.LargeRepo; set
// HEW_LARGE_REPO to reuse one) on the Landlock-only backend, which has no overlay, and on
// bubblewrap, in the same loop. It reports the Landlock run's time over bwrap's (x-bwrap) and,
// once, the first Landlock run of a session (first-s), which builds the copy it reuses.
func BenchmarkRunLargeRepo(b *testing.B) {
	root := gittest.LargeRepo(b, gittest.LargeTree{})
	runner := func(backend string) *Runner {
		sb, err := sandbox.New(sandbox.Options{Backend: backend})
		if err != nil {
			b.Skipf("backend %s unavailable: %v", backend, err)
		}
		layer, err := proposal.Open(root, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		return &Runner{Sandbox: sync.OnceValues(func() (*sandbox.Sandbox, error) { return sb, nil }), Layer: layer,
			Policy: sandbox.PolicyWorkspaceWrite, Env: []string{"PATH=" + os.Getenv("PATH")}}
	}
	ll, bw := runner(sandbox.BackendLandlock), runner(sandbox.BackendBwrap)
	cmd := os.Getenv("HEW_BENCH_RUN")
	if cmd == "" {
		cmd = "echo $$ > out.txt && cat README.md"
	}
	run := func(r *Runner) time.Duration {
		start := time.Now()
		res, err := r.Run(context.Background(), cmd, 10*time.Minute)
		if err != nil || res.ExitCode != 0 {
			b.Fatalf("run: %v, exit %d: %s", err, res.ExitCode, res.Output)
		}
		if !strings.Contains(res.Output, "generated monorepo") {
			b.Fatalf("output %q", res.Output)
		}
		return time.Since(start)
	}
	first := run(ll)
	run(bw)
	var llTime, bwTime time.Duration
	for b.Loop() {
		llTime += run(ll)
		b.StopTimer()
		bwTime += run(bw)
		b.StartTimer()
	}
	b.ReportMetric(first.Seconds(), "first-s")
	b.ReportMetric(bwTime.Seconds()/float64(b.N), "bwrap-s")
	b.ReportMetric(float64(llTime)/float64(bwTime), "x-bwrap")
}
