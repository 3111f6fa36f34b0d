package sandbox

import (
	"context"
	"os"
	"os/exec"
)

const sandboxExec = "/usr/bin/sandbox-exec"

// quickDetect leaves the check to detect.
func quickDetect(Options) (Report, func() Report, bool) { return Report{}, nil, false }

// detect checks for sandbox-exec, the only macOS backend.
func detect(opts Options) Report {
	c := Check{Backend: BackendSandboxExec, Detail: "sandbox-exec with a generated profile; no overlay, no pid namespace (a timeout kills the process group)",
		CacheDetail: "scratch Go caches only: sandbox-exec has no mount namespace to read through the user's caches"}
	if _, err := os.Stat(sandboxExec); err != nil {
		c.Detail = sandboxExec + " is missing"
	} else {
		c.Available = true
	}
	rep := Report{Backend: BackendNone, Checks: []Check{c}}
	if c.Available {
		rep.choose(BackendSandboxExec)
	}
	return rep
}

// launch runs the command under sandbox-exec with a profile made for j.
func (s *Sandbox) launch(ctx context.Context, j *job) (*launch, error) {
	if j.Overlay != nil {
		return nil, ErrOverlayUnsupported
	}
	if j.Policy == PolicyFullAccess {
		return uncontained(ctx, j), nil
	}
	if s.Backend() != BackendSandboxExec {
		return nil, ErrNoContainment
	}
	cmd := exec.CommandContext(ctx, sandboxExec, "-p", j.seatbeltProfile().String(), "/bin/sh", "-c", j.Command)
	cmd.Dir, cmd.Env = j.Dir, j.env
	killGroupOnCancel(cmd)
	return &launch{cmd: cmd, backend: BackendSandboxExec}, nil
}

// runHelper is never asked for on macOS.
func runHelper(p *helperPlan, status *os.File) int {
	return helperFailed
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
