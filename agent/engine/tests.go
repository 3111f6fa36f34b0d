package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"hew/agent/config"
	"hew/agent/event"
	"hew/agent/proposal"
	"hew/gitops"
	"hew/gitops/diff"
)

// ErrNoTestCommand is returned by RunTests when the session has no test command.
var ErrNoTestCommand = errors.New("no test command: pass --test-cmd or set test_cmd in .hew/config.toml")

// DefaultTestTimeout bounds a test run whose caller gives no timeout.
const DefaultTestTimeout = 10 * time.Minute

// What a test run ran on (TestStatus.On).
const (
	// TestedProposal is the working tree with the whole proposal over it.
	TestedProposal = "proposal"
	// TestedCommit is what a commit of the accepted changes would hold: HEAD with exactly the
	// accepted changes, without the pending proposal or the user's other uncommitted edits.
	TestedCommit = "commit"
)

// TestStatus is the session's last test run, as a review shows it.
type TestStatus struct {
	// Run is the last test run; nil when none ran.
	Run *event.TestRun
	// On says what it ran on: TestedProposal or TestedCommit.
	On string
	// Stale reports that the proposal or the accepted changes changed since it ran (an accept,
	// a reject, an edit, a turn, a rewind, an undo): its result no longer says anything about
	// what would be committed.
	Stale bool
}

// testState is the last test run and the proposal generation it ran at.
type testState struct {
	run *event.TestRun
	on  string
	gen uint64 // proposalGen when the run started
	// tree is the hash of the tree of the files the run saw (see viewTree); empty if unknown.
	tree string
	// proposalGen counts the changes to the proposal and the accepted changes (proposalChanged).
	proposalGen uint64
}

// proposalChanged records a change to the proposal or to what was accepted: the last test run
// is stale from now on.
func (e *Engine) proposalChanged() {
	e.mu.Lock()
	e.tests.proposalGen++
	e.mu.Unlock()
}

// TestStatus returns the session's last test run and whether it is stale.
func (e *Engine) TestStatus() TestStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return TestStatus{Run: e.tests.run, On: e.tests.on, Stale: e.tests.run != nil && e.tests.gen != e.tests.proposalGen}
}

// generation returns the current proposal generation.
func (e *Engine) generation() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tests.proposalGen
}

// record keeps tr, which started at generation gen on what on names and saw the files of
// tree, as the last test run.
func (e *Engine) record(tr event.TestRun, on string, gen uint64, tree string) {
	e.mu.Lock()
	e.tests.run, e.tests.on, e.tests.gen, e.tests.tree = &tr, on, gen, tree
	e.mu.Unlock()
}

// viewTree is the hash of the tree of the files a test run over layer sees: the working tree
// with the layer's changes. It is empty when it cannot be had; no two runs then compare equal.
func (e *Engine) viewTree(ctx context.Context, layer *proposal.Layer) string {
	changes, err := layer.Changes()
	if err != nil {
		return ""
	}
	ups, _ := updatesOf(changes)
	tree, err := e.repo.WorkingTreeWith(ctx, ups)
	if err != nil {
		return ""
	}
	return tree
}

// RunTests runs the session's test command (Defaults().TestCmd) over the proposal, in the
// sandbox, and reports it as a TestRun event. A timeout of 0 means DefaultTestTimeout.
func (e *Engine) RunTests(ctx context.Context, timeout time.Duration) (event.TestRun, error) {
	gen := e.generation()
	var tree string
	if e.defaults.TestCmd != "" {
		tree = e.viewTree(ctx, e.layer)
	}
	tr, err := e.runTests(ctx, timeout, e.layer)
	if err == nil {
		e.record(tr, TestedProposal, gen, tree)
		e.events.Emit(tr)
	}
	return tr, err
}

// TestCommit runs the session's test command on exactly what committing the accepted changes
// would commit: the repository as HEAD has it with the accepted changes, leaving out the
// pending proposal, the user's other uncommitted edits and untracked files that are not
// ignored. It runs in the sandbox, over a throwaway layer; the proposal is not touched. When
// the last test run saw exactly these files — its tree (the working tree with what it ran over)
// has the same hash, as when every hunk of a tested proposal was accepted — its result is
// returned again without running the tests, and recorded as of what will be committed; cached
// reports that. A run is reported as a TestRun event.
func (e *Engine) TestCommit(ctx context.Context, timeout time.Duration) (tr event.TestRun, cached bool, err error) {
	if st := e.TestStatus(); st.Run != nil && !st.Stale && st.On == TestedCommit {
		return *st.Run, true, nil
	}
	if e.defaults.TestCmd == "" {
		return event.TestRun{}, false, ErrNoTestCommand
	}
	gen := e.generation()
	dir, err := os.MkdirTemp(config.StateDir(e.getenv), "commit-test-*")
	if err != nil {
		return event.TestRun{}, false, fmt.Errorf("test what will be committed: %w", err)
	}
	defer os.RemoveAll(dir)
	layer, err := e.commitLayer(ctx, filepath.Join(dir, "layer"))
	if err != nil {
		return event.TestRun{}, false, fmt.Errorf("test what will be committed: %w", err)
	}
	tree := e.viewTree(ctx, layer)
	e.mu.Lock()
	last, lastTree := e.tests.run, e.tests.tree
	e.mu.Unlock()
	if last != nil && last.Command == e.defaults.TestCmd && tree != "" && tree == lastTree {
		e.record(*last, TestedCommit, gen, tree)
		return *last, true, nil
	}
	if tr, err = e.runTests(ctx, timeout, layer); err != nil {
		return tr, false, err
	}
	e.record(tr, TestedCommit, gen, tree)
	e.events.Emit(tr)
	return tr, false, nil
}

// commitLayer makes a layer in dir over the working tree that shows what a commit of the
// accepted changes would hold.
func (e *Engine) commitLayer(ctx context.Context, dir string) (*proposal.Layer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	layer, err := proposal.OpenWith(e.repo.Root(), dir, proposal.Options{Getenv: e.getenv})
	if err != nil {
		return nil, err
	}
	work, err := e.repo.Uncommitted(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	accepted := make([]gitops.Update, 0, len(e.accepted))
	isAccepted := make(map[string]bool, len(e.accepted))
	for p, u := range e.accepted {
		accepted = append(accepted, u)
		isAccepted[p] = true
	}
	e.mu.Unlock()
	// The user's own uncommitted edits are not committed: the tests see HEAD's content.
	head := make(map[string][]byte, len(work))
	for _, w := range work {
		if isAccepted[w.Path] {
			if !w.Created {
				head[w.Path] = w.Old
			}
			continue
		}
		switch {
		case w.Created:
			err = layer.Remove(w.Path)
		case w.Old != nil:
			err = layer.WriteFile(w.Path, w.Old, 0)
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("leave out the uncommitted %s: %w", w.Path, err)
		}
	}
	// An accepted file is committed as HEAD has it plus exactly the accepted change: edits the
	// user made to it before or after stay out, as the commit leaves them out.
	for _, u := range accepted {
		if old, ok := head[u.Path]; ok && !u.Delete && u.BaseExists && !bytes.Equal(old, u.Base) {
			if merged, conflicts := diff.Merge(u.Base, old, u.New); len(conflicts) == 0 {
				u.New = merged
			}
		}
		cur, rerr := layer.ReadFile(u.Path)
		switch {
		case u.Delete && rerr == nil:
			err = layer.Remove(u.Path)
		case !u.Delete && (rerr != nil || !bytes.Equal(cur, u.New)):
			err = layer.WriteFile(u.Path, u.New, u.Mode.Perm())
		}
		if err != nil {
			return nil, fmt.Errorf("show the accepted %s: %w", u.Path, err)
		}
	}
	return layer, nil
}

// runTests runs the test command over layer.
func (e *Engine) runTests(ctx context.Context, timeout time.Duration, layer *proposal.Layer) (event.TestRun, error) {
	cmd := e.defaults.TestCmd
	if cmd == "" {
		return event.TestRun{}, ErrNoTestCommand
	}
	if timeout <= 0 {
		timeout = DefaultTestTimeout
	}
	r := *e.runner
	r.Layer = layer
	res, err := r.Run(ctx, cmd, timeout)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // stopped, not failed: no result to keep
	}
	if err != nil {
		return event.TestRun{}, fmt.Errorf("run tests (%s): %w", cmd, err)
	}
	return event.TestRun{Command: cmd, ExitCode: res.ExitCode, Passed: res.ExitCode == 0 && !res.TimedOut, Output: res.Output, Duration: res.Duration}, nil
}
