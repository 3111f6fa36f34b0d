package engine

// CommitHooks names the git hooks a commit runs (pre-commit, commit-msg; none when the
// configuration skips them), so that a front end can say what a commit waits for.
func (e *Engine) CommitHooks() []string {
	if e.cfg.Commit.NoVerify {
		return nil
	}
	return e.repo.CommitHooks()
}
