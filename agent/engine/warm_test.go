package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hew/agent/engine"
	"hew/agent/engine/enginetest"
	"hew/agent/llm/llmtest"
	"hew/sandbox"
)

// Where the sandbox cannot mount the proposal over the tree (Landlock alone), the copy commands
// run in is made while the first turn runs, before any command asks for it; where it can
// (bubblewrap), no copy is made. Closing the session removes the copy. A turn of the UI (Send)
// and a task of hew exec (RunTask) both start it.
func TestFirstTurnWarmsTheCopyOnlyWhereOneIsNeeded(t *testing.T) {
	for _, c := range []struct {
		backend, via string
	}{{sandbox.BackendLandlock, "Send"}, {sandbox.BackendLandlock, "RunTask"}, {sandbox.BackendBwrap, "Send"}} {
		backend := c.backend
		t.Run(backend+"/"+c.via, func(t *testing.T) {
			if _, err := sandbox.New(sandbox.Options{Backend: backend}); err != nil {
				t.Skipf("backend %s unavailable: %v", backend, err)
			}
			dir := testRepo(t, map[string]string{"a.txt": "a\n", "sub/b.txt": "b\n"})
			o := enginetest.Options(t, dir, llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "nothing to run"}))
			o.Config.Sandbox.Backend = backend
			e, err := engine.New(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if c.via == "Send" {
				if _, err := e.Send(context.Background(), "look"); err != nil {
					t.Fatal(err)
				}
			} else if out := e.RunTask(context.Background(), engine.Task{Prompt: "look"}); out.Reason != "" {
				t.Fatal(out.Reason)
			}
			done := e.WarmDoneForTest()
			if done == nil {
				t.Fatal("no copy was started at the first turn")
			}
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the copy was not done in 30s")
			}
			copyDir := filepath.Join(filepath.Dir(e.LayerForTest().Upper()), "copy")
			b, err := os.ReadFile(filepath.Join(copyDir, "sub", "b.txt"))
			if backend == sandbox.BackendLandlock && string(b) != "b\n" {
				t.Errorf("the copy was not made before a command: sub/b.txt %q, %v", b, err)
			}
			if backend == sandbox.BackendBwrap && err == nil {
				t.Error("a copy was made for a sandbox that mounts the proposal over the tree")
			}
			e.Close()
			if _, err := os.Stat(copyDir); !os.IsNotExist(err) {
				t.Errorf("the copy outlived the session: %v", err)
			}
		})
	}
}
