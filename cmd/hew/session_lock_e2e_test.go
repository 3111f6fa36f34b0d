package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"hew/agent/llm/llmtest"
)

// TestASessionInUseCannotBeResumed runs the built binary twice at once on one session: while
// the first process waits on the model, a resume of its session is refused with exit 1 and the
// session file gets nothing from it; once the first process is gone, the resume works.
func TestASessionInUseCannotBeResumed(t *testing.T) {
	t.Parallel()
	dir, h := goRepo(t), newHome(t)
	fake := llmtest.NewOpenAIServer(t)
	base, stalled := stallingServer(t, fake, 0)

	first := h.cmd(dir, base, "exec", "--accept", "never", "ORIGINAL: why does TestAdd fail?")
	var stderr bytes.Buffer
	first.Stderr = &stderr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Process.Kill(); first.Wait() })
	select {
	case <-stalled:
	case <-time.After(30 * time.Second):
		t.Fatalf("the first request never came\n%s", stderr.String())
	}
	files := h.sessionFiles()
	if len(files) != 1 {
		t.Fatalf("session files: %v", files)
	}
	before := readFile(t, files[0])

	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "It subtracts."})
	_, stderr2, code := h.run(dir, srv.URL(), "exec", "--accept", "never", "--resume", "--last", "SECOND: and the fix?")
	if code != exitFailed || !strings.Contains(stderr2, "in use by another hew process") {
		t.Fatalf("resume while in use: exit %d\n%s", code, stderr2)
	}
	if len(srv.Requests()) != 0 || readFile(t, files[0]) != before {
		t.Error("the refused resume called the model or wrote to the session")
	}

	first.Process.Kill()
	first.Wait()
	stdout, stderr3, code := h.run(dir, srv.URL(), "exec", "--accept", "never", "--resume", "--last", "SECOND: and the fix?")
	if code != 0 || !strings.Contains(stdout, "It subtracts.") {
		t.Fatalf("resume after the first process ended: exit %d\n%s\n%s", code, stdout, stderr3)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
