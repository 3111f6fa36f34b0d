package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// tmuxSession drives the built hew binary in a detached tmux session of a fixed size.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
}

func startTmux(t *testing.T, dir string, env []string, width, height int, args ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	// The socket is unique to the test and the call: parallel tests number their temporary
	// directories alike.
	tmp := t.TempDir()
	s := &tmuxSession{t: t, socket: "hew-e2e-" + filepath.Base(filepath.Dir(tmp)) + "-" + filepath.Base(tmp), name: "hew"}
	command := append([]string{"env", "-i"}, env...)
	command = append(command, hewBinary(t))
	command = append(command, args...)
	s.tmux("-f", "/dev/null", "new-session", "-d", "-s", s.name, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), "-c", dir,
		shellJoin(command))
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names (such as "Enter" or "C-c") or literal text with -l.
func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", s.name) }

// waitFor waits until the screen shows every one of want, failing with the screen if not.
func (s *tmuxSession) waitFor(want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scr := s.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(scr, w)
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", want, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cpuTicks returns the user and system CPU time of process pid in clock ticks.
func cpuTicks(t *testing.T, pid string) int {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	// The fields after the command name (which is in parentheses): utime is the 12th, stime 13th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	u, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return u + st
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

const twelveLines = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\n"

const endsPatch = `*** Begin Patch
*** Update File: words.txt
@@
-one
+ONE
 two
@@
 eleven
-twelve
+TWELVE
*** End Patch`

// TestTUIReviewAcceptsOneHunkAndCommitsIt drives the built binary in tmux, end to end.
func TestTUIReviewAcceptsOneHunkAndCommitsIt(t *testing.T) {
	t.Parallel() // after the in-process tests, while the binary builds
	dir := gittest.NewRepo(t, map[string]string{"words.txt": twelveLines})
	head := gittest.Git(t, dir, "rev-parse", "HEAD")

	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": endsPatch})}},
		llmtest.Turn{Text: "Capitalise the first and last words\n\nBoth ends are upper case now."},
	)
	home := t.TempDir()
	env := binaryEnv(t, home, "TERM=xterm-256color", "OPENAI_API_KEY="+fakeKey, "OPENAI_BASE_URL="+srv.URL())
	s := startTmux(t, dir, env, 120, 40)
	s.waitFor("Ask for a change")
	// Idle, the UI schedules nothing; what remains is Bubble Tea's renderer checking for a new
	// frame 120 times a second (tui.FrameRate), about 0.5% of a core, which the bound allows.
	pid := strings.TrimSpace(s.tmux("list-panes", "-t", s.name, "-F", "#{pane_pid}"))
	time.Sleep(300 * time.Millisecond)
	before := cpuTicks(t, pid)
	time.Sleep(2 * time.Second)
	if used := cpuTicks(t, pid) - before; used > 8 { // a busy loop would use about 200
		t.Errorf("idle UI used %d clock ticks of CPU in 2s", used)
	} else {
		t.Logf("idle UI used %d clock ticks (1/100 s) of CPU in 2s", used)
	}
	s.keys("-l", "capitalise the ends")
	s.keys("Enter")
	scr := s.waitFor("Review", "words.txt", "hunk 1/2", "+ONE")
	if !strings.Contains(scr, "-one") {
		t.Errorf("the hunk's removed line is not shown:\n%s", scr)
	}

	s.keys("y")
	s.waitFor("accepted 1 hunk into words.txt", "hunk 1/1", "+TWELVE")
	s.keys("c")
	s.waitFor("Commit message", "not tested: no test command is set")
	s.keys("Enter")
	s.waitFor("✓ committed")

	// The commit holds the first hunk only; the second is still only proposed.
	if got := gittest.Git(t, dir, "rev-parse", "HEAD~1"); got != head {
		t.Errorf("HEAD~1 = %s, want %s", got, head)
	}
	if files := gittest.Git(t, dir, "show", "--name-only", "--format=", "HEAD"); files != "words.txt" {
		t.Errorf("commit touches %q", files)
	}
	committed := gittest.Git(t, dir, "show", "HEAD:words.txt")
	if !strings.HasPrefix(committed, "ONE\ntwo") || !strings.HasSuffix(committed, "eleven\ntwelve") {
		t.Errorf("committed words.txt:\n%s", committed)
	}
	if subject := gittest.Git(t, dir, "log", "-1", "--format=%s"); subject != "Update words.txt" {
		t.Errorf("subject %q", subject)
	}
	if st := gittest.Git(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status = %q, want clean", st)
	}
	gittest.Git(t, dir, "fsck", "--no-progress")

	// esc goes back to the transcript; ctrl+c twice quits and the session is saved.
	s.keys("Escape")
	s.waitFor("Ask for a change")
	// ctrl+y copies the last answer with OSC 52; tmux, told to accept it, keeps it as a buffer.
	s.tmux("set-option", "-g", "set-clipboard", "on")
	s.keys("C-y")
	s.waitFor("copied the last answer to the clipboard")
	if buf := s.tmux("show-buffer"); !strings.Contains(buf, "Both ends are upper case now.") {
		t.Errorf("the clipboard holds %q", buf)
	}
	s.keys("C-c")
	s.waitFor("press ctrl+c again to quit")
	s.keys("C-c")
	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("tmux", "-L", s.socket, "has-session", "-t", s.name).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("hew did not quit:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if files := sessionFiles(filepath.Join(home, "state")); len(files) != 1 {
		t.Fatalf("session files: %v", files)
	}

	// hew resume --last opens the UI on the saved conversation, with the hunk still proposed.
	r := startTmux(t, dir, env, 120, 40, "resume", "--last")
	r.waitFor("capitalise the ends", "Both ends are upper case now.", "1 file pending: ctrl+r reviews it")
	r.keys("C-r")
	r.waitFor("Review", "hunk 1/1", "+TWELVE")
}

func TestNoTerminalPointsToExec(t *testing.T) {
	ios, _, errOut := testIO(t, goRepo(t), nil)
	if code := Main([]string{"fix it"}, ios); code != exitUsage || !strings.Contains(errOut.String(), "hew exec") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
