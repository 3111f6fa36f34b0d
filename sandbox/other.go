//go:build !linux && !darwin

package sandbox

import (
	"context"
	"os"
)

// quickDetect leaves the check to detect.
func quickDetect(Options) (Report, func() Report, bool) { return Report{}, nil, false }

// detect finds no backend: this platform has none.
func detect(opts Options) Report {
	return Report{Backend: BackendNone}
}

// launch can only run full-access commands here, uncontained.
func (s *Sandbox) launch(ctx context.Context, j *job) (*launch, error) {
	if j.Overlay != nil {
		return nil, ErrOverlayUnsupported
	}
	if j.Policy == PolicyFullAccess {
		return uncontained(ctx, j), nil
	}
	return nil, ErrNoContainment
}

// runHelper is never asked for on this platform.
func runHelper(p *helperPlan, status *os.File) int {
	return helperFailed
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
