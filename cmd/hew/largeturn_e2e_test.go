package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// TestTUITurnInLargeRepo measures, with HEW_LARGE=1 or HEW_LARGE_REPO=DIR, a turn of the built
// UI end to end — Enter to the answer on screen, the checkpoint taken before the turn included —
// in the generated 75,000-file repository (gittest.LargeRepo; HEW_LARGE_REPO reuses one) and in
// a small one, turn about, with git's own snapshot of the large tree (git add -A && git
// write-tree into a copy of the index) timed between them. Issue 19's goal: the large turn's
// median at most 1.2 × (the small turn's + git's snapshot's).
//
//	HEW_LARGE_REPO=/tmp/big go test ./cmd/hew -run TestTUITurnInLargeRepo -v
func TestTUITurnInLargeRepo(t *testing.T) {
	if os.Getenv("HEW_LARGE") == "" && os.Getenv("HEW_LARGE_REPO") == "" {
		t.Skip("set HEW_LARGE=1 or HEW_LARGE_REPO=DIR to time a turn in the large repository")
	}
	const turns = 7
	answers := make([]llmtest.Turn, turns+1)
	for i := range answers {
		answers[i] = llmtest.Turn{Text: fmt.Sprintf("Answer %d is here.", i)}
	}
	start := func(dir string) *tmuxSession {
		srv := llmtest.NewOpenAIServer(t, answers...)
		env := binaryEnv(t, t.TempDir(), "TERM=xterm-256color", "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+srv.URL())
		s := startTmux(t, dir, env, 100, 30)
		s.waitFor("Ask for a change")
		return s
	}
	large := gittest.LargeRepo(t, gittest.LargeTree{})
	small := start(gittest.NewRepo(t, map[string]string{"README.md": "# small\n", "main.go": "package main\n"}))
	big := start(large)
	// turn sends prompt i and returns how long its answer took to show.
	turn := func(s *tmuxSession, i int) time.Duration {
		s.keys("-l", fmt.Sprintf("question %d", i))
		want := fmt.Sprintf("Answer %d is here.", i)
		sent := time.Now()
		s.keys("Enter")
		for !strings.Contains(s.screen(), want) {
			if time.Since(sent) > time.Minute {
				t.Fatalf("the answer never showed:\n%s", s.screen())
			}
			time.Sleep(2 * time.Millisecond)
		}
		return time.Since(sent)
	}
	index := filepath.Join(t.TempDir(), "index")
	snapshot := func() time.Duration {
		script := "cp .git/index " + index + " && touch -r .git/index " + index +
			" && GIT_INDEX_FILE=" + index + " git add -A && GIT_INDEX_FILE=" + index + " git write-tree >/dev/null"
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = large
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		begin := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		return time.Since(begin)
	}
	turn(small, 0) // warm up: the page cache, git's stat data
	turn(big, 0)
	var s, l, g []time.Duration
	for i := 1; i <= turns; i++ {
		s = append(s, turn(small, i))
		g = append(g, snapshot())
		l = append(l, turn(big, i))
	}
	median := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	ms, mg, ml := median(s), median(g), median(l)
	ratio := float64(ml) / float64(ms+mg)
	t.Logf("Enter to answer, median of %d: small repository %v, large %v; git's snapshot of the large one %v; large / (small + git) = %.2f",
		turns, ms.Round(time.Millisecond), ml.Round(time.Millisecond), mg.Round(time.Millisecond), ratio)
	if ratio > 1.2 {
		t.Errorf("a turn in the large repository took %.2f × (a small repository's + git's snapshot), want at most 1.2", ratio)
	}
}
