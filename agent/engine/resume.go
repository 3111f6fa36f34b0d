package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"hew/agent/config"
	"hew/agent/event"
	"hew/agent/loop"
	"hew/agent/proposal"
	"hew/agent/session"
	"hew/gitops"
)

// Resume continues saved session id (an id or a unique prefix of one) in o.Dir's repository:
// the conversation, plan, turn count and cost are restored, the proposal is reopened with its
// pending changes, and new events are appended to the same session file. A session of another
// repository is refused, since its proposal lies over that repository's tree.
func Resume(ctx context.Context, o Options, id string) (*Engine, error) {
	dir := session.Dir(config.StateDir(o.Getenv))
	info, err := session.Find(dir, id)
	if err != nil {
		return nil, usage("%v", err)
	}
	// Hold the session before reading it, so no other process appends between the read and
	// this one's first event.
	lock, err := session.LockFile(info.Path)
	if err != nil {
		return nil, err
	}
	st, err := session.Load(info.Path)
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	if repo, err := gitops.Open(o.Dir); err == nil && st.Repo != "" && !session.SameRepo(st.Repo, repo.Root()) {
		return nil, usage("session %s belongs to the repository %s, not %s; resume it from there", st.ID, st.Repo, repo.Root())
	}
	o.resume, o.lock = &st, lock
	e, err := New(ctx, o)
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	if st.Repaired > 0 {
		e.events.Emit(event.Notice{Level: "warn", Text: fmt.Sprintf("%d tool call(s) had not finished when the session stopped; the model is told their results are unknown", st.Repaired)})
	}
	return e, nil
}

// ForkSession copies saved session id (an id or a unique prefix), with its pending proposal, to
// a new session and returns the new id; Resume continues it. The original stays as it was.
func ForkSession(getenv func(string) string, id string) (string, error) {
	state := config.StateDir(getenv)
	dir := session.Dir(state)
	info, err := session.Find(dir, id)
	if err != nil {
		return "", usage("%v", err)
	}
	newID, err := session.Fork(dir, info.ID, time.Now())
	if err != nil {
		return "", err
	}
	if info.Repo != "" {
		if err := copyProposal(info.Repo, filepath.Join(state, "proposals", info.ID), filepath.Join(state, "proposals", newID)); err != nil {
			return "", fmt.Errorf("fork session %s: %w", info.ID, err)
		}
	}
	return newID, nil
}

// LatestSession returns the id of the newest session saved for the repository around dir.
func LatestSession(getenv func(string) string, dir string) (string, error) {
	repo, err := gitops.Open(dir)
	if err != nil {
		return "", usage("%v", err)
	}
	info, err := session.Latest(session.Dir(config.StateDir(getenv)), repo.Root())
	if err != nil {
		return "", usage("%v", err)
	}
	return info.ID, nil
}

// copyProposal writes the pending changes of the proposal in from into a new proposal in to.
func copyProposal(root, from, to string) error {
	src, err := proposal.Open(root, from)
	if err != nil {
		return err
	}
	changes, err := src.Changes()
	if err != nil {
		return err
	}
	dst, err := proposal.Open(root, to)
	if err != nil {
		return err
	}
	for _, c := range changes {
		if c.Op == proposal.Delete {
			err = dst.Remove(c.Path)
		} else {
			err = dst.WriteFile(c.Path, c.New, c.NewMode.Perm())
		}
		if err != nil {
			return fmt.Errorf("copy the proposed change to %s: %w", c.Path, err)
		}
	}
	return nil
}

// sessionID is the id of the session New starts or resumes.
func (o Options) sessionID() string {
	if o.resume != nil {
		return o.resume.ID
	}
	return session.NewID(time.Now())
}

// openLog creates the session file, or reopens it to append when resuming.
func (o Options) openLog(dir, id string, secrets []string) (*session.Log, error) {
	if o.resume != nil {
		l, err := session.Append(dir, id, secrets)
		if err == nil {
			l.Hold(o.lock)
		}
		return l, err
	}
	return session.Create(dir, id, secrets)
}

// restore gives a resumed session's state to the agent.
func (o Options) restore(a *loop.Agent) {
	if o.resume == nil {
		return
	}
	a.Restore(loop.Restored{History: o.resume.History, Plan: o.resume.Plan, Turns: o.resume.Turns,
		Total: o.resume.Total, CostUSD: o.resume.CostUSD})
}
