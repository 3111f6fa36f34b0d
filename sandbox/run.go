package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"hew/sandbox/capture"
)

// overlayFailure starts the helper's status message when the overlay could not be mounted.
const overlayFailure = "overlay: "

// launch is a command ready to start, as a backend prepared it.
type launch struct {
	cmd     *exec.Cmd
	backend string
	status  *os.File // read end of the helper's status pipe, or nil
	statusW *os.File // its write end, closed in the parent once the helper started
	// closeCgroup, when set, closes the descriptor of the cgroup the helper is started in.
	closeCgroup func()
	// fallback, when set, makes the launch to use instead when starting in the cgroup fails:
	// one whose helper stage joins the cgroup itself.
	fallback func() (*launch, error)
	// setupFailed, when set, is called when bubblewrap failed before the command started (it
	// exits 1 with its own "bwrap: " message) or the helper stage could not mount the proposal
	// overlay: what New found may no longer hold.
	setupFailed func()
	// startFrom, when set, is a pids cgroup (v1) that cmd is started inside, from a thread that
	// joined it; release lets that thread go once cmd has ended.
	startFrom threadStarter
	release   func()
}

// A threadStarter starts a command from an OS thread of its own, which it keeps until release
// is called (see pidsCgroup.startFromThread on Linux).
type threadStarter interface {
	startFromThread(cmd *exec.Cmd) (release func(), err error)
}

// start starts l's command. When starting it inside its pids cgroup fails (a kernel without
// clone3's CLONE_INTO_CGROUP), it starts it (or its fallback) outside, and the helper stage joins
// the cgroup itself.
func (l *launch) start(ctx context.Context) error {
	if l.startFrom != nil {
		release, err := l.startFrom.startFromThread(l.cmd)
		if err != nil {
			release()
			return err
		}
		l.release = release
		return nil
	}
	if l.closeCgroup == nil {
		return l.cmd.Start()
	}
	defer l.closeCgroup()
	err := l.cmd.Start()
	if err == nil || l.cmd.Process != nil {
		return err
	}
	c := *l.cmd
	if l.fallback != nil {
		f, err := l.fallback()
		if err != nil {
			return err
		}
		f.cmd.Stdin, f.cmd.Stdout, f.cmd.Stderr, f.cmd.WaitDelay = c.Stdin, c.Stdout, c.Stderr, c.WaitDelay
		l.cmd, l.status, l.statusW, l.fallback = f.cmd, f.status, f.statusW, nil
		return l.cmd.Start()
	}
	attr := *c.SysProcAttr
	outsideCgroup(&attr)
	retry := exec.CommandContext(ctx, c.Path)
	retry.Args, retry.Env, retry.Dir, retry.ExtraFiles = c.Args, c.Env, c.Dir, c.ExtraFiles
	retry.Stdin, retry.Stdout, retry.Stderr, retry.WaitDelay = c.Stdin, c.Stdout, c.Stderr, c.WaitDelay
	retry.SysProcAttr = &attr
	if c.Cancel != nil { // the Landlock helper's: SIGTERM asks it to kill the tree
		retry.Cancel = func() error { return retry.Process.Signal(syscall.SIGTERM) }
	}
	l.cmd = retry
	return retry.Start()
}

// Run runs spec.Command contained by the sandbox's backend and waits for it, at most
// spec.Timeout; on timeout the whole process tree is killed. A command that ran but failed is a
// Result with a non-zero ExitCode, not an error. Run returns ErrOverlayUnsupported when
// spec.Overlay is set and the backend cannot mount it, ErrNoContainment when nothing can contain
// the command and the policy is not full-access, and ctx's error when ctx ends first.
func (s *Sandbox) Run(ctx context.Context, spec Spec) (Result, error) {
	j, err := s.prepare(spec)
	if err != nil {
		return Result{}, err
	}
	defer j.cleanup()
	runCtx, cancel := context.WithTimeout(ctx, j.Timeout)
	defer cancel()
	l, err := s.launch(runCtx, j)
	if err != nil {
		return Result{}, err
	}
	out := capture.New(j.OutputLimit)
	stdin, closeStdin, err := commandStdin(j.Stdin)
	if err != nil {
		closeAll(l.status, l.statusW)
		return Result{}, err
	}
	defer closeStdin()
	l.cmd.Stdin = stdin
	l.cmd.Stdout, l.cmd.Stderr = out, out
	if j.Stdout != nil {
		l.cmd.Stdout = j.Stdout
	}
	l.cmd.WaitDelay = helperCleanupWindow
	start := time.Now()
	if err := l.start(runCtx); err != nil {
		closeAll(l.status, l.statusW)
		return Result{}, fmt.Errorf("sandbox: start %s: %w", l.cmd.Path, err)
	}
	status := make(chan string, 1)
	if l.status != nil {
		l.statusW.Close()
		go func() { status <- readStatus(l.status) }()
	} else {
		status <- ""
	}
	waitErr := l.cmd.Wait()
	if l.release != nil {
		l.release()
	}
	if j.Overlay != nil {
		unlockOverlayWork(j.Overlay.Work) // the caller removes it later
	}
	res := Result{
		ExitCode:     exitCode(l.cmd.ProcessState),
		Output:       out.String(),
		OmittedBytes: out.Omitted(),
		Duration:     time.Since(start),
		Backend:      l.backend,
		Notices:      j.notices,
	}
	switch {
	case j.Policy == PolicyFullAccess:
	case j.pids != nil && res.ExitCode != 0 && j.pids.hitMax():
		res.Stopped = fmt.Sprintf("stopped: process limit %d reached (a fork failed)", j.limits.Processes)
	default:
		res.Stopped = j.limits.stoppedBy(res.ExitCode, res.Output, l.backend != BackendLandlock || j.pids != nil)
	}
	if l.setupFailed != nil && res.ExitCode == 1 && strings.HasPrefix(res.Output, "bwrap: ") {
		l.setupFailed()
	}
	if msg := <-status; msg != "" {
		if rest, ok := strings.CutPrefix(msg, overlayFailure); ok {
			if l.setupFailed != nil {
				l.setupFailed()
			}
			return res, fmt.Errorf("%w: %s", ErrOverlayUnsupported, rest)
		}
		return res, fmt.Errorf("sandbox: %s helper stage failed: %s", l.backend, msg)
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if errors.Is(runCtx.Err(), context.DeadlineExceeded) {
		res.TimedOut = true
		return res, nil
	}
	var ee *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &ee) && !errors.Is(waitErr, exec.ErrWaitDelay) {
		return res, fmt.Errorf("sandbox: wait for command: %w", waitErr)
	}
	return res, nil
}

// commandStdin is what the command reads: nothing for nil, and never a terminal itself: a
// terminal's bytes are copied through a pipe, so no sandboxed process holds a descriptor of the
// user's terminal to change its modes or inject input with. The returned function ends the copy
// (a read already waiting on the terminal is left to finish on its own).
func commandStdin(r io.Reader) (io.Reader, func(), error) {
	f, ok := r.(*os.File)
	if !ok || !isTerminal(f) {
		return r, func() {}, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: pipe for the command's input: %w", err)
	}
	go func() {
		io.Copy(pw, f)
		pw.Close()
	}()
	return pr, func() { pr.Close(); pw.Close() }, nil
}

// exitCode is the command's exit status, 128+n when signal n ended it.
func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// readStatus reads the helper's status pipe to its end, closes it, and returns what the helper
// reported: empty when all went well.
func readStatus(f *os.File) string {
	b, _ := io.ReadAll(f)
	f.Close()
	return strings.TrimSpace(string(b))
}

// closeAll closes the files that are not nil.
func closeAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}

// uncontained runs the command directly, for the full-access policy: in its own process group,
// which a timeout kills.
func uncontained(ctx context.Context, j *job) *launch {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", j.Command)
	cmd.Dir, cmd.Env = j.Dir, j.env
	killGroupOnCancel(cmd)
	return &launch{cmd: cmd, backend: uncontainedBackend}
}

// killGroupOnCancel starts cmd in a process group of its own and makes cancelling its context
// kill the whole group.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
