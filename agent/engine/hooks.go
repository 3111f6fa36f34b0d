package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"mvdan.cc/sh/v3/syntax"

	"hew/gitops"
	"hew/sandbox"
)

// hookTimeout bounds one hook of a commit.
const hookTimeout = 10 * time.Minute

// hookEnv are the variables git gives hooks (besides those of each Hook) that the sandbox's
// allow-list would otherwise drop.
var hookEnv = []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
	"GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE"}

// runHook runs a commit hook the way the agent's commands run: in the sandbox, with the network
// off and the environment scrubbed of secrets. It may write the working tree and the git
// directory (hooks stage files and write objects) but not .git/config, the hooks directory, or
// the core.hooksPath directory, so a hook cannot rewrite what runs next. Under the full-access
// policy the user chose no containment, and hooks run as git runs them.
func (e *Engine) runHook(ctx context.Context, h gitops.Hook) (string, error) {
	sb, err := e.sandbox()
	if err != nil {
		if errors.Is(err, sandbox.ErrNoContainment) {
			return "", fmt.Errorf("the repository's %s hook runs contained, and %w; or set commit.no_verify to skip pre-commit and commit-msg", h.Name, err)
		}
		return "", fmt.Errorf("the %s hook: %w", h.Name, err)
	}
	quoted := make([]string, 0, 1+len(h.Args))
	for _, a := range append([]string{h.Path}, h.Args...) {
		q, err := syntax.Quote(a, syntax.LangPOSIX)
		if err != nil {
			return "", fmt.Errorf("the %s hook: %w", h.Name, err)
		}
		quoted = append(quoted, q)
	}
	allow := append([]string(nil), hookEnv...)
	for _, kv := range h.Env {
		name, _, _ := strings.Cut(kv, "=")
		allow = append(allow, name)
	}
	spec := sandbox.Spec{
		Command: strings.Join(quoted, " "), Dir: h.Dir, Workspace: e.repo.Root(),
		Policy: sandbox.PolicyWorkspaceWrite, Env: append(append([]string(nil), e.runner.Env...), h.Env...),
		AllowEnv: allow, Timeout: hookTimeout, GitWritable: true,
	}
	if e.runner.Policy == sandbox.PolicyFullAccess {
		spec.Policy = sandbox.PolicyFullAccess
	}
	if dir := e.repo.HooksDir(); within(dir, e.repo.Root()) {
		spec.ReadOnly = append(spec.ReadOnly, dir)
	}
	res, err := sb.Run(ctx, spec)
	if err != nil {
		return res.Output, fmt.Errorf("run the %s hook in the sandbox: %w", h.Name, err)
	}
	switch {
	case res.TimedOut:
		return res.Output, fmt.Errorf("the %s hook did not finish within %v", h.Name, hookTimeout)
	case res.ExitCode != 0 && res.Stopped != "":
		return res.Output, fmt.Errorf("exit status %d (%s)", res.ExitCode, res.Stopped)
	case res.ExitCode != 0:
		return res.Output, fmt.Errorf("exit status %d", res.ExitCode)
	}
	return res.Output, nil
}

// checkHooksCanRun reports, before anything is written, that the commit's hooks could not run:
// there are some, they run contained, and nothing here can contain them.
func (e *Engine) checkHooksCanRun() error {
	hooks := e.CommitHooks()
	if len(hooks) == 0 || e.runner.Policy == sandbox.PolicyFullAccess {
		return nil
	}
	sb, err := e.sandbox()
	if err == nil && sb.Backend() != sandbox.BackendNone {
		return nil
	}
	if err == nil {
		err = sandbox.ErrNoContainment
	}
	return fmt.Errorf("the repository's %s hook runs contained, and %w", strings.Join(hooks, ", "), err)
}

// within reports whether path is root or under it.
func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
