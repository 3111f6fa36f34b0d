package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"hew/agent/config"
	"hew/agent/event"
	"hew/agent/loop"
	"hew/agent/proposal"
	"hew/agent/session"
	"hew/gitops"
)

// Resume continues saved session id (an id or a unique prefix of one) in o.Dir's repository:
// the conversation, plan, turn count and cost are restored, the changes accepted and not yet
// committed are remembered for the next commit (while the tree still holds them), the proposal is reopened with its
// pending changes, and new events are appended to the same session file. A session of another
// repository is refused, since its proposal lies over that repository's tree.
//
// The session continues on the provider and model it last ran on (with a Bedrock session's
// region and profile), whatever o.Config names, unless o.Choose lays another choice over them:
// a notice says which model the session is on (a switch is recorded by the SessionStarted). When
// the session's provider cannot be made (no credentials), the error says how to fix that or
// how to continue on another model.
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
		lock.Unlock()
		return nil, usage("session %s belongs to the repository %s, not %s; resume it from there", st.ID, st.Repo, repo.Root())
	}
	o.resume, o.lock = &st, lock
	configured := o.Config
	o.Config = onSessionModel(o.Config, st.Ran)
	own := o.Config
	if o.Choose != nil {
		o.Choose(&o.Config)
	}
	e, err := New(ctx, o)
	if err != nil {
		lock.Unlock()
		var pe *providerError
		if errors.As(err, &pe) {
			return nil, unusableProvider(st.ID, configured, o.Config, o.Choose != nil, pe)
		}
		return nil, err
	}
	e.announceModel(own, o.Config)
	e.restoreAccepted(st.Accepted)
	if st.Repaired > 0 {
		e.emitStart(event.Notice{Level: "warn", Text: count(st.Repaired, "tool call") + " had not finished when the session stopped; the model is told their results are unknown"})
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

// SavedEvents returns the events the session file held when the session was resumed, in
// order, and then those Resume emitted (which model it continues on), for showing its
// transcript as it was; nil for a new session.
func (e *Engine) SavedEvents() []event.Event { return e.saved }

// emitStart emits ev while Resume starts the engine, before front ends subscribe, and keeps it
// for SavedEvents.
func (e *Engine) emitStart(ev event.Event) {
	e.saved = append(e.saved[:len(e.saved):len(e.saved)], ev)
	e.events.Emit(ev)
}

// restore gives a resumed session's state to the engine and its agent.
func (o Options) restore(e *Engine, a *loop.Agent) {
	if o.resume == nil {
		return
	}
	e.saved = o.resume.Events
	a.Restore(loop.Restored{History: o.resume.History, Plan: o.resume.Plan, Turns: o.resume.Turns,
		Total: o.resume.Total, CostUSD: o.resume.CostUSD})
}

// count says n of a noun, singular for one: "1 file", "2 files".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// providerError says the model provider could not be made: no credentials, or a bad setting.
type providerError struct{ err error }

func (p *providerError) Error() string { return p.err.Error() }
func (p *providerError) Unwrap() error { return p.err }

// onSessionModel returns cfg with the provider and model a saved session last ran on (Bedrock's
// region and profile too, where the session recorded them). A session that recorded none, such
// as one that never started, keeps cfg's.
func onSessionModel(cfg config.Config, ran session.Ran) config.Config {
	if ran.Provider == "" {
		return cfg
	}
	cfg.Provider, cfg.Model = ran.Provider, ran.Model
	if ran.Provider == "bedrock" {
		if ran.Region != "" {
			cfg.Bedrock.Region = ran.Region
		}
		if ran.Profile != "" {
			cfg.Bedrock.Profile = ran.Profile
		}
	}
	return cfg
}

// where names a configuration's provider and model as the user knows them, such as
// "bedrock model anthropic.claude-sonnet-4 (region us-east-2, profile dev)".
func where(cfg config.Config) string {
	s := cfg.Provider + " model " + cfg.ModelOrDefault()
	if cfg.Provider != "bedrock" {
		return s
	}
	var at []string
	if cfg.Bedrock.Region != "" {
		at = append(at, "region "+cfg.Bedrock.Region)
	}
	if cfg.Bedrock.Profile != "" {
		at = append(at, "profile "+cfg.Bedrock.Profile)
	}
	if len(at) > 0 {
		s += " (" + strings.Join(at, ", ") + ")"
	}
	return s
}

// announceModel says which model a resumed session continues on: its own, or the one chosen
// for this run (which the session's SessionStarted records, so the next resume keeps it).
func (e *Engine) announceModel(own, now config.Config) {
	if where(own) == where(now) {
		e.emitStart(event.Notice{Text: "resumed on the session's own " + where(now) + " (--model or /model switches)"})
		return
	}
	e.emitStart(event.Notice{Level: "warn", Text: "switched from the session's " + where(own) + " to " + where(now) + ", as asked; the conversation goes on"})
}

// unusableProvider explains that a resumed session's provider could not be made, and how to
// fix that or continue on another model.
func unusableProvider(id string, configured, tried config.Config, chosen bool, err *providerError) error {
	whose := "session " + id + " ran on "
	if chosen {
		whose = "session " + id + " was to continue on "
	}
	fix := "set OPENAI_API_KEY (or openai.base_url for a compatible server)"
	if tried.Provider == "bedrock" {
		fix = "give AWS credentials for that profile and region (aws sso login, AWS_PROFILE or AWS_ACCESS_KEY_ID)"
	}
	// Another provider: the configured one, when it is not the one that failed.
	other := configured.Provider
	if other == tried.Provider {
		other = "bedrock"
		if tried.Provider == "bedrock" {
			other = "openai"
		}
	}
	model := config.DefaultModel(other)
	if other == configured.Provider {
		model = configured.ModelOrDefault()
	}
	return usage("%s%s, which cannot be used here: %v\nto continue it: %s ('hew doctor' checks), or continue on another model: hew resume %s --provider %s --model %s (hew exec --resume takes the same flags)",
		whose, where(tried), err.err, fix, id, other, model)
}
