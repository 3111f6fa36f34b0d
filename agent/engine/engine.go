// Package engine is the core's one entry point: it assembles a working session — repository,
// proposal layer, sandbox, tools, model provider, agent loop and session log — and offers the
// verbs the front ends (the terminal UI, `hew exec`, `hew review`'s sibling commands) need:
// send a prompt, run the tests on the proposal, review, accept, reject and edit proposed
// changes, commit, undo and rewind, and read the session's usage and conversation.
//
// Front ends call these verbs and listen to the session's events (Subscribe); they never
// reach into the parts. Every change to the proposal, whoever makes it, is reported as an
// event and so lands in the session log.
package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"hew/agent/approval"
	"hew/agent/config"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/llm/catalog"
	"hew/agent/llm/provider"
	"hew/agent/loop"
	"hew/agent/mcp"
	"hew/agent/project"
	"hew/agent/proposal"
	"hew/agent/redact"
	"hew/agent/runner"
	"hew/agent/session"
	"hew/agent/tools"
	"hew/gitops"
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

	// Choose, when resuming, lays the provider and model the user chose for this run (such as
	// --provider, --model, --region, --profile) over the session's own; nil continues on the
	// session's (see Resume).
	Choose func(*config.Config)

	// resume, when set, continues this saved session instead of starting one (see Resume).
	resume *session.State
	// lock holds the resumed session for this process (see session.LockFile).
	lock *session.Lock
}

// Secrets lists every secret value hew knows of in a session with cfg and this environment,
// for redaction (see agent/redact): the session log redacts them, and so do front ends that
// write logs of their own.
func Secrets(cfg config.Config, env []string, getenv func(string) string) []string {
	known := append(cfg.Secrets(), redact.URLPassword(cfg.OpenAI.BaseURL)...)
	return redact.Known(append(known, cfg.MCPSecrets(getenv)...), env, getenv)
}

// Engine is one session in one repository. Its methods are the verbs front ends use; it is
// safe to read its state (usage, conversation, context) from another goroutine while a turn
// runs, but the verbs that change the session must not run concurrently with a turn unless
// they say otherwise.
type Engine struct {
	cfg      config.Config
	defaults Defaults
	repo     *gitops.Repo
	layer    *proposal.Layer
	// sandbox picks the backend on first use: detection spawns processes, and a session that
	// runs no command should not pay for it.
	sandbox func() (*sandbox.Sandbox, error)
	// probe builds the sandbox once, without the notice sandbox emits: warmCopy asks it which
	// backend commands will use before the first command runs.
	probe func() (*sandbox.Sandbox, error)
	// warm makes the copy of the tree commands run in, where the sandbox needs one, while the
	// first turn reads and thinks (see warmCopy).
	warm       sync.Once
	warmCancel context.CancelFunc // nil when none started
	warmDone   chan struct{}      // closed when it has finished
	runner     *runner.Runner
	agent      *loop.Agent
	model      catalog.Model
	log        *session.Log
	events     *event.Broker
	provider   llm.Provider
	gate       *approval.Gate
	mcp        *mcp.Manager // nil when no MCP server is configured
	dir        string
	getenv     func(string) string

	mu sync.Mutex
	// accepted holds the changes written into the working tree and not yet committed, by path;
	// a commit takes exactly these, so the user's own edits in the same files stay out of it.
	accepted map[string]gitops.Update
	// available holds the models AvailableModels last listed, by id, for SwitchModel.
	available map[string]ModelChoice
	// saved are a resumed session's events as its file held them (see SavedEvents).
	saved []event.Event
	// messageWriter writes commit messages (see SetCommitMessageWriter); nil: DescribeCommit.
	messageWriter CommitMessageWriter
	// rejectedSinceCommit records a rejection since the last commit: a commit message then
	// does not claim the task was done (CommitDraft.Partial).
	rejectedSinceCommit bool
	// tests is the last test run and what it ran on (see TestStatus).
	tests testState
	// fallback is the failover chain the agent's requests go through; nil without one.
	fallback *fallback
	// started is what the session was started with, for sessions started beside it (Options).
	started Options
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
	defaults, err := decideDefaults(cfg, repo.Root())
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, defaults: defaults, repo: repo, events: &event.Broker{}, dir: o.Dir, getenv: o.Getenv,
		started: Options{Config: cfg, Dir: o.Dir, Env: o.Env, Getenv: o.Getenv, SandboxExecutable: o.SandboxExecutable}}
	for _, s := range o.Sinks {
		e.events.Subscribe(s)
	}

	modelID := cfg.ModelOrDefault()
	if e.model, err = provider.Model(cfg); err != nil {
		return nil, usage("%v", err)
	}
	if err := provider.CheckAgent(e.model); err != nil {
		return nil, usage("%v", err)
	}

	e.provider = o.Provider
	if e.provider == nil {
		if e.provider, err = provider.New(ctx, cfg, e.model, o.Getenv); err != nil {
			return nil, &providerError{err: err}
		}
	}
	// A model the catalogue lacks: its context from the server's model list, or an
	// application inference profile's base model.
	e.model = provider.Refine(ctx, cfg, e.provider, e.model)

	state := config.StateDir(o.Getenv)
	id := o.sessionID()
	if e.layer, err = proposal.OpenWith(repo.Root(), filepath.Join(state, "proposals", id), proposal.Options{Getenv: o.Getenv}); err != nil {
		return nil, err
	}
	sbOpts := sandbox.Options{Backend: cfg.Sandbox.Backend, Executable: o.SandboxExecutable,
		ReadPaths: config.ExpandHome(cfg.Sandbox.ReadPaths, o.Getenv), VerdictFile: sandbox.DefaultVerdictFile(o.Getenv)}
	e.probe = sync.OnceValues(func() (*sandbox.Sandbox, error) { return sandbox.New(sbOpts) })
	e.sandbox = sync.OnceValues(func() (*sandbox.Sandbox, error) {
		sb, err := e.probe()
		if err == nil {
			e.events.Emit(event.Notice{Text: "sandbox: " + sb.Backend() + " " + e.policyLabel()})
		}
		return sb, err
	})
	policy, err := sandbox.ParsePolicy(cfg.Sandbox.Policy)
	if err != nil {
		return nil, usage("%v", err)
	}
	e.runner = &runner.Runner{Sandbox: e.sandbox, Layer: e.layer, Policy: policy, Network: cfg.Sandbox.Network,
		Env: o.Env, AllowEnv: cfg.Sandbox.AllowEnv, OutputLimit: 64 << 10,
		Notice: runner.OnceEach(func(text string) { e.events.Emit(event.Notice{Text: "sandbox: " + text}) })}

	if e.log, err = o.openLog(session.Dir(state), id, Secrets(cfg, o.Env, o.Getenv)); err != nil {
		return nil, err
	}
	e.events.Subscribe(e.log)

	ins, err := project.LoadInstructions(repo.Root(), o.Dir)
	if err != nil {
		return nil, err
	}
	env := &tools.Env{Layer: e.layer, Runner: e.runner, OutputLimit: 32 << 10,
		OnPlan: func(steps []event.PlanStep) { e.events.Emit(event.PlanUpdated{Steps: steps}) }}
	e.agent = &loop.Agent{
		Provider: e.provider, Model: modelID,
		System:          project.SystemPrompt(prompts.Text("system.md"), ins),
		Tools:           tools.NewSet(editTool(cfg.EditTool, e.model)),
		Env:             env,
		Sink:            event.SinkFunc(e.emitMarked),
		ReasoningEffort: cfg.ReasoningEffort,
		MaxOutputTokens: cfg.MaxOutputTokens,
		ContextWindow:   int64(e.model.ContextWindow),
		Cost:            e.model.Cost,
		Caps:            loop.Caps{MaxSteps: cfg.Limits.MaxTurns, MaxTokens: cfg.Limits.MaxTokens, MaxCost: cfg.Limits.MaxCost},
	}
	o.restore(e, e.agent)
	if err := e.setUpRoles(ctx); err != nil {
		return nil, err
	}
	started := event.SessionStarted{Session: id, Time: time.Now().UTC(), Repo: repo.Root(), Provider: cfg.Provider,
		Model: modelID, Sandbox: e.policyLabel(), Resumed: o.resume != nil}
	if cfg.Provider == "bedrock" {
		started.Region, started.Profile = cfg.Bedrock.Region, cfg.Bedrock.Profile
	}
	e.events.Emit(started)
	if n := cfg.Project.IgnoredNotice(); n != "" {
		e.events.Emit(event.Notice{Level: "warn", Text: n})
	}
	if err := e.startMCP(ctx, o.Env, sbOpts); err != nil {
		return nil, err
	}
	if policy == sandbox.PolicyFullAccess {
		e.events.Emit(event.Notice{Level: "warn", Text: "commands run WITHOUT a sandbox (policy full-access): they can read your credentials and change anything"})
	}
	return e, nil
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
	if e.cfg.Sandbox.Network {
		net = "network on"
	}
	return fmt.Sprintf("%s, %s", e.cfg.Sandbox.Policy, net)
}

// SessionID is the session's id.
func (e *Engine) SessionID() string { return e.log.ID }

// Close ends the session, keeping its file and any pending proposal; the copy of the tree
// commands ran in where the sandbox has no overlay is removed. A new session in which no turn
// started and nothing changed is not kept, so that it is not listed (see
// session.Log.CloseUnlessUsed).
func (e *Engine) Close() error { return e.close(false) }

// CloseToResume ends the session as Close does but keeps its file even when nothing was asked
// in it, for a caller that resumes it at once (to apply a configuration just trusted).
func (e *Engine) CloseToResume() error { return e.close(true) }

// close is Close; keep keeps a session in which nothing was asked.
func (e *Engine) close(keep bool) error {
	if e.mcp != nil {
		e.mcp.Close()
	}
	e.warm.Do(func() {}) // none starts from now on
	if e.warmCancel != nil {
		e.warmCancel()
		<-e.warmDone
	}
	e.layer.DropCopy()
	if keep {
		return e.log.Close()
	}
	return e.log.CloseUnlessUsed()
}

// Send runs one turn of the conversation.
// Before the turn the working tree is checkpointed (see Checkpoint), so `hew undo
// --to-checkpoint` and /rewind can bring back the tree as it was.
func (e *Engine) Send(ctx context.Context, prompt string) (string, error) {
	return e.sendTurn(ctx, event.TurnStarted{Prompt: prompt})
}

// SendWithFeedback runs one turn like Send that first tells the model the review's feedback —
// the hunks rejected (see RejectionNote) and note — then typed, what the user typed (which may
// be empty). The turn's TurnStarted keeps typed apart from the feedback, so that transcripts,
// session lists and commit messages show what the user typed. With no feedback it is Send.
func (e *Engine) SendWithFeedback(ctx context.Context, typed string, rejected []Resolution, note string) (string, error) {
	text, err := RejectionNote(rejected, note)
	if err != nil {
		return e.Send(ctx, typed)
	}
	if strings.TrimSpace(typed) != "" {
		text += "\n\n" + typed
	}
	return e.sendTurn(ctx, event.TurnStarted{Prompt: text, Feedback: FeedbackOf(rejected, note), Typed: typed})
}

// sendTurn checkpoints the working tree, labelled with what the user said, and runs the turn.
func (e *Engine) sendTurn(ctx context.Context, start event.TurnStarted) (string, error) {
	label := start.Said()
	if strings.TrimSpace(label) == "" {
		label = "review feedback"
	}
	first, _, _ := strings.Cut(label, "\n")
	e.warmUp()
	e.Checkpoint(ctx, "before: "+clipWords(first, 60))
	return e.agent.SendTurn(ctx, start)
}

// warmUp starts, at a session's first turn, what its first command will need (see warmCopy):
// a session in which nothing is asked prepares nothing.
func (e *Engine) warmUp() { e.warm.Do(e.startWarmCopy) }

// startWarmCopy starts warmCopy in the background.
func (e *Engine) startWarmCopy() {
	if e.runner.Policy == sandbox.PolicyFullAccess {
		return // commands run in the tree itself
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.warmCancel, e.warmDone = cancel, make(chan struct{})
	go func() {
		defer close(e.warmDone)
		e.warmCopy(ctx)
	}()
}

// warmCopy makes the copy of the tree commands run in ahead of the first command, where the
// sandbox cannot mount the proposal over the tree (Landlock alone) or the policy is read-only:
// in a large repository the copy takes seconds, which the first turn's reading and thinking
// then hide. The sandbox is built here through probe, which the first command reuses, so that
// the session's notice of which sandbox it uses still comes with that command.
func (e *Engine) warmCopy(ctx context.Context) {
	if e.runner.Policy != sandbox.PolicyReadOnly {
		sb, err := e.probe()
		if err != nil || sb.CanOverlay() {
			return
		}
	}
	e.layer.PrepareCopy(ctx) // a failure shows, with its reason, when the command runs
}

// Subscribe sends the session's events to s from now on, until the returned function is
// called. Events are delivered as the event.Broker documents.
func (e *Engine) Subscribe(s event.Sink) (unsubscribe func()) { return e.events.Subscribe(s) }

// Notify reports a notice for people through the session's events (and so the session log).
func (e *Engine) Notify(level, text string) { e.events.Emit(event.Notice{Level: level, Text: text}) }
