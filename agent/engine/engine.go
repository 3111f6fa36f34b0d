// Package engine assembles a working session — repository, proposal layer, sandbox, tools,
// model provider, agent loop and session log — and offers the operations both front ends (the
// terminal UI and `hew exec`) need: send a prompt, run the tests on the proposal, accept changes
// into the working tree, commit them.
package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"hew/agent/config"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/llm/catalog"
	"hew/agent/loop"
	"hew/agent/project"
	"hew/agent/proposal"
	"hew/agent/runner"
	"hew/agent/session"
	"hew/agent/tools"
	"hew/gitops"
	"hew/gitops/diff"
	"hew/prompts"
	"hew/sandbox"
)

// Options say how to start a session.
type Options struct {
	Config config.Config
	// Dir is the working directory; the repository is found from it.
	Dir string
	// Env is the environment commands start from (the sandbox scrubs secrets).
	Env    []string
	Getenv func(string) string
	// Provider, if set, replaces the one the configuration names (tests).
	Provider llm.Provider
	// Sinks receive every event besides the session log.
	Sinks []event.Sink
	// SandboxExecutable is the hew binary the sandbox re-executes; empty means this one.
	SandboxExecutable string

	// resume, when set, continues this saved session instead of starting one (see Resume).
	resume *session.State
}

// Engine is one session in one repository.
type Engine struct {
	Config config.Config
	Repo   *gitops.Repo
	Layer  *proposal.Layer
	// sandbox picks the backend on first use: detection spawns processes, and a session that
	// runs no command should not pay for it.
	sandbox  func() (*sandbox.Sandbox, error)
	Runner   *runner.Runner
	Agent    *loop.Agent
	Model    catalog.Model
	Log      *session.Log
	Events   *event.Broker
	Provider llm.Provider
	dir      string

	mu sync.Mutex
	// accepted holds the changes written into the working tree and not yet committed, by path;
	// a commit takes exactly these, so the user's own edits in the same files stay out of it.
	accepted map[string]gitops.Update
}

// ErrUsage marks configuration problems the user must fix (exit code 2).
var ErrUsage = errors.New("configuration")

// usageError is a configuration problem whose message stands alone; errors.Is matches ErrUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

func usage(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// New starts a session.
func New(ctx context.Context, o Options) (*Engine, error) {
	cfg := o.Config
	repo, err := gitops.Open(o.Dir)
	if err != nil {
		return nil, usage("%v", err)
	}
	e := &Engine{Config: cfg, Repo: repo, Events: &event.Broker{}, dir: o.Dir}
	for _, s := range o.Sinks {
		e.Events.Subscribe(s)
	}

	modelID := cfg.ModelOrDefault()
	if e.Model, err = ResolveModel(cfg); err != nil {
		return nil, err
	}

	e.Provider = o.Provider
	if e.Provider == nil {
		if e.Provider, err = NewProvider(ctx, cfg, e.Model, o.Getenv); err != nil {
			return nil, err
		}
	}

	state := config.StateDir(o.Getenv)
	id := o.sessionID()
	if e.Layer, err = proposal.OpenWith(repo.Root(), filepath.Join(state, "proposals", id), proposal.Options{Getenv: o.Getenv}); err != nil {
		return nil, err
	}
	sbOpts := sandbox.Options{Backend: cfg.Sandbox.Backend, Executable: o.SandboxExecutable}
	e.sandbox = sync.OnceValues(func() (*sandbox.Sandbox, error) {
		sb, err := sandbox.New(sbOpts)
		if err == nil {
			e.Events.Emit(event.Notice{Text: "sandbox: " + sb.Backend() + " " + e.policyLabel()})
		}
		return sb, err
	})
	policy, err := sandbox.ParsePolicy(cfg.Sandbox.Policy)
	if err != nil {
		return nil, usage("%v", err)
	}
	e.Runner = &runner.Runner{Sandbox: e.sandbox, Layer: e.Layer, Policy: policy, Network: cfg.Sandbox.Network,
		Env: o.Env, AllowEnv: cfg.Sandbox.AllowEnv, OutputLimit: 64 << 10}

	if e.Log, err = o.openLog(session.Dir(state), id, cfg.Secrets()); err != nil {
		return nil, err
	}
	e.Events.Subscribe(e.Log)

	ins, err := project.LoadInstructions(repo.Root(), o.Dir)
	if err != nil {
		return nil, err
	}
	env := &tools.Env{Layer: e.Layer, Runner: e.Runner, OutputLimit: 32 << 10,
		OnPlan: func(steps []event.PlanStep) { e.Events.Emit(event.PlanUpdated{Steps: steps}) }}
	e.Agent = &loop.Agent{
		Provider: e.Provider, Model: modelID,
		System:          project.SystemPrompt(prompts.Text("system.md"), ins),
		Tools:           tools.NewSet(editTool(cfg.EditTool, e.Model)),
		Env:             env,
		Sink:            e.Events,
		ReasoningEffort: cfg.ReasoningEffort,
		MaxOutputTokens: cfg.MaxOutputTokens,
		ContextWindow:   int64(e.Model.ContextWindow),
		Cost:            e.Model.Cost,
		Caps:            loop.Caps{MaxSteps: cfg.Limits.MaxTurns, MaxTokens: cfg.Limits.MaxTokens, MaxCost: cfg.Limits.MaxCost},
	}
	o.restore(e.Agent)
	e.Events.Emit(event.SessionStarted{Session: id, Time: time.Now().UTC(), Repo: repo.Root(), Provider: cfg.Provider,
		Model: modelID, Sandbox: e.policyLabel(), Resumed: o.resume != nil})
	if policy == sandbox.PolicyFullAccess {
		e.Events.Emit(event.Notice{Level: "warn", Text: "commands run WITHOUT a sandbox (policy full-access): they can read your credentials and change anything"})
	}
	return e, nil
}

// ResolveModel describes the configured model from the catalogue (with the configuration's
// overrides); a model the catalogue does not know gets no prices and no context window.
func ResolveModel(cfg config.Config) (catalog.Model, error) {
	cat, err := catalog.Default().Merge(cfg.Models)
	if err != nil {
		return catalog.Model{}, usage("%v", err)
	}
	id := cfg.ModelOrDefault()
	if m, ok := cat.Lookup(cfg.Provider, id); ok {
		return m, nil
	}
	return catalog.Model{Provider: cfg.Provider, ID: id, Tools: true}, nil
}

func editTool(configured string, m catalog.Model) string {
	switch configured {
	case "both":
		return ""
	case "":
		return m.EditTool
	}
	return configured
}

// Sandbox returns the sandbox commands run in, waiting for backend detection if it is still
// under way.
func (e *Engine) Sandbox() (*sandbox.Sandbox, error) { return e.sandbox() }

// SandboxLabel says which containment commands get, such as "bwrap workspace-write, network
// off". The first call detects the backend, which takes tens of milliseconds.
func (e *Engine) SandboxLabel() string {
	sb, err := e.sandbox()
	if err != nil {
		return "unavailable: " + err.Error()
	}
	return sb.Backend() + " " + e.policyLabel()
}

// policyLabel says what the policy allows, such as "workspace-write, network off".
func (e *Engine) policyLabel() string {
	net := "network off"
	if e.Config.Sandbox.Network {
		net = "network on"
	}
	return fmt.Sprintf("%s, %s", e.Config.Sandbox.Policy, net)
}

// SessionID is the session's id.
func (e *Engine) SessionID() string { return e.Log.ID }

// Close ends the session, keeping its file and any pending proposal.
func (e *Engine) Close() error { return e.Log.Close() }

// Send runs one turn of the conversation.
// Before the turn the working tree is checkpointed (see Checkpoint), so `hew undo
// --to-checkpoint` and /rewind can bring back the tree as it was.
func (e *Engine) Send(ctx context.Context, prompt string) (string, error) {
	first, _, _ := strings.Cut(prompt, "\n")
	e.Checkpoint(ctx, "before: "+clipWords(first, 60))
	return e.Agent.Send(ctx, prompt)
}

// Checkpoint snapshots the working tree (tracked and untracked files, not ignored ones) under
// hew's private ref without touching the index or the user's refs. A failure is reported as a
// warning: it must not stop the user's work.
func (e *Engine) Checkpoint(ctx context.Context, label string) string {
	id, err := e.Repo.Checkpoint(ctx, label)
	if err != nil {
		e.Events.Emit(event.Notice{Level: "warn", Text: "could not checkpoint the working tree: " + err.Error()})
		return ""
	}
	return id
}

// RunTests runs cmd over the proposal and reports it as a TestRun event.
func (e *Engine) RunTests(ctx context.Context, cmd string, timeout time.Duration) (event.TestRun, error) {
	r, err := e.Runner.Run(ctx, cmd, timeout)
	if err != nil {
		return event.TestRun{}, fmt.Errorf("run tests (%s): %w", cmd, err)
	}
	tr := event.TestRun{Command: cmd, ExitCode: r.ExitCode, Passed: r.ExitCode == 0 && !r.TimedOut, Output: r.Output, Duration: r.Duration}
	e.Events.Emit(tr)
	return tr, nil
}

// Changes lists the proposal's changes.
func (e *Engine) Changes() ([]proposal.Change, error) { return e.Layer.Changes() }

// Patch renders the whole proposal as a git-style unified diff.
func (e *Engine) Patch() (string, error) {
	changes, err := e.Layer.Changes()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range changes {
		oldPath, newPath := c.Path, c.Path
		if c.Op == proposal.Add {
			oldPath = ""
		}
		if c.Op == proposal.Delete {
			newPath = ""
		}
		b.WriteString(diff.Unified(oldPath, newPath, c.Old, c.New))
	}
	return b.String(), nil
}

// Accept writes the proposal's changes to the named paths (all when paths is empty) into the
// working tree and removes them from the proposal. It returns the paths written.
func (e *Engine) Accept(paths []string) ([]string, error) {
	changes, err := e.Layer.Changes()
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	var ups []gitops.Update
	var done []string
	for _, c := range changes {
		if len(paths) > 0 && !want[c.Path] {
			continue
		}
		ups = append(ups, gitops.Update{Path: c.Path, Base: c.Base, BaseExists: c.BaseExists, New: c.New,
			Delete: c.Op == proposal.Delete, Mode: c.NewMode})
		done = append(done, c.Path)
	}
	if len(ups) == 0 {
		return nil, nil
	}
	e.Checkpoint(context.Background(), "before accepting "+strings.Join(done, ", "))
	if err := e.Repo.Accept(ups); err != nil {
		return nil, err
	}
	e.recordAccepted(ups)
	if err := e.Layer.Drop(done...); err != nil {
		return done, fmt.Errorf("accepted changes were written, but clearing them from the proposal failed: %w", err)
	}
	e.Events.Emit(event.Accepted{Files: done})
	return done, nil
}

// recordAccepted remembers accepted updates for the next commit. A path accepted twice keeps
// its first base and its latest content.
func (e *Engine) recordAccepted(ups []gitops.Update) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.accepted == nil {
		e.accepted = map[string]gitops.Update{}
	}
	for _, u := range ups {
		if prev, ok := e.accepted[u.Path]; ok {
			u.Base, u.BaseExists = prev.Base, prev.BaseExists
		}
		e.accepted[u.Path] = u
	}
}

// Accepted lists the paths accepted into the working tree and not yet committed.
func (e *Engine) Accepted() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.accepted))
	for p := range e.accepted {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Commit commits the accepted changes to files (every accepted, uncommitted change when files
// is empty) with message, on a new branch when branch is not empty. Each file is committed as
// HEAD has it plus exactly the accepted change: edits the user made to the same file stay
// uncommitted. The trailer from the configuration names hew and the model.
func (e *Engine) Commit(ctx context.Context, files []string, message, branch string) (string, error) {
	trailer := strings.ReplaceAll(e.Config.Commit.Trailer, "{model}", e.Agent.Model)
	if trailer == "none" {
		trailer = ""
	}
	e.mu.Lock()
	var ups []gitops.Update
	if len(files) == 0 {
		files = make([]string, 0, len(e.accepted))
		for p := range e.accepted {
			files = append(files, p)
		}
		sort.Strings(files)
	}
	for _, f := range files {
		u, ok := e.accepted[f]
		if !ok {
			e.mu.Unlock()
			return "", fmt.Errorf("commit: %s has no accepted change to commit", f)
		}
		ups = append(ups, u)
	}
	e.mu.Unlock()
	if len(ups) == 0 {
		return "", errors.New("commit: nothing was accepted, so there is nothing to commit")
	}
	hash, err := e.Repo.Commit(ctx, gitops.CommitOptions{Updates: ups, Message: message, Branch: branch,
		Trailer: trailer, NoVerify: e.Config.Commit.NoVerify})
	if err != nil {
		return "", err
	}
	e.mu.Lock()
	for _, f := range files {
		delete(e.accepted, f)
	}
	e.mu.Unlock()
	if branch == "" {
		if h, err := e.Repo.Head(); err == nil {
			branch = h.Branch
		}
	}
	subject, _, _ := strings.Cut(message, "\n")
	e.Events.Emit(event.Committed{Hash: hash, Branch: branch, Subject: subject, Files: files})
	return hash, nil
}

// CommitMessage builds a commit message from the task and the model's final answer: the
// answer's first line as the subject (cut to 72 characters), the rest and the task as the body.
func CommitMessage(task, final string) string {
	final = strings.TrimSpace(final)
	subject, body, _ := strings.Cut(final, "\n")
	subject = strings.TrimSpace(strings.TrimLeft(subject, "#*- "))
	if subject == "" {
		subject, _, _ = strings.Cut(strings.TrimSpace(task), "\n")
		body = final
	}
	subject = clipWords(strings.TrimRight(subject, ".:"), 72)
	var b strings.Builder
	b.WriteString(subject)
	if body = strings.TrimSpace(body); body != "" {
		b.WriteString("\n\n" + body)
	}
	b.WriteString("\n\nTask: " + strings.TrimSpace(task))
	return b.String()
}

func clipWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n-1]
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
