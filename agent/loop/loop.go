// Package loop runs the conversation loop: prompt → model (streamed) → tool calls → results →
// model … until the model answers without calling a tool.
//
// The loop reports everything it does as events (package agent/event) to a Sink and knows
// nothing of who listens: the terminal UI, the headless writers and the session log consume the
// same stream. Tools act on the proposal layer, never on the user's working tree.
package loop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hew/agent/compact"
	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/proposal"
	"hew/agent/tools"
	"hew/gitops/diff"
)

// Agent holds one conversation with a model. It is not safe for concurrent use: one Send at a
// time.
type Agent struct {
	Provider llm.Provider
	Model    string
	System   string
	Tools    *tools.Set
	Env      *tools.Env
	Sink     event.Sink

	// ReasoningEffort and MaxOutputTokens are passed on to the provider.
	ReasoningEffort string
	MaxOutputTokens int
	// Cost prices a model call's usage in US dollars; nil means unknown (0).
	Cost func(llm.Usage) float64
	// ContextWindow is the model's window in tokens, when known.
	ContextWindow int64
	// Caps stops a run that goes too far; zero values mean no cap.
	Caps Caps
	// Small, when set, writes the compaction summaries (the small_model role); nil means the
	// agent's own model.
	Small *Helper
	// CompactAt is the share of ContextWindow the last prompt may fill before the agent
	// compacts the conversation ahead of its next model call; 0 means 0.85.
	CompactAt float64

	// mu guards what other goroutines read while a turn runs (History, Total, ContextUsed,
	// Plan): the turn's goroutine takes it to write these fields, readers to read them.
	mu      sync.Mutex
	history []llm.Message
	turn    int
	steps   int
	total   llm.Usage
	cost    float64
	// roleCost is the session's cost by model role (event.RoleAgent, ...).
	roleCost map[string]float64
	plan     []event.PlanStep
	// lastProposal is the change set last reported (none: empty), so that a batch that leaves
	// the proposal as it was (a command that only reads) is not reported.
	lastProposal []event.FileStat
	// learnedWindow is the window a server's refusal named, when smaller than the one assumed.
	learnedWindow int64
	// repeats counts the latest batch of tool calls made again with the same results.
	repeats repeatState
	// lastUsed is the context the last model call reported (prompt and answer) and lastLen
	// the length of the history it covers; messages after lastLen are estimated.
	lastUsed int64
	lastLen  int
}

// Helper is a model the agent calls for work besides the conversation, such as summaries.
type Helper struct {
	Provider llm.Provider
	Model    string
	// Cost prices a call's usage; nil means unknown (0).
	Cost func(llm.Usage) float64
}

// SmallHelper returns the model that writes summaries and commit messages: Small, else the
// agent's own model.
func (a *Agent) SmallHelper() Helper {
	if a.Small != nil {
		return *a.Small
	}
	return Helper{Provider: a.Provider, Model: a.Model, Cost: a.Cost}
}

// AccountSmall counts a call that h (see SmallHelper) made to the session's usage, under
// event.RoleSmall.
func (a *Agent) AccountSmall(h Helper, u llm.Usage) {
	var cost float64
	if h.Cost != nil {
		cost = h.Cost(u)
	}
	a.Account(event.Usage{Model: h.Model, Role: event.RoleSmall, Usage: u, CostUSD: cost})
}

// Caps bound a session. MaxSteps counts model calls (the "turns" of `--max-turns`).
type Caps struct {
	MaxSteps  int
	MaxTokens int64
	MaxCost   float64
}

// CapError reports that a cap stopped the run.
type CapError struct {
	Cap   string // "max_turns", "max_tokens" or "max_cost"
	Limit string
}

func (e *CapError) Error() string {
	return fmt.Sprintf("stopped: the %s cap (%s) was reached", strings.ReplaceAll(e.Cap, "_", "-"), e.Limit)
}

// History returns the conversation so far.
func (a *Agent) History() []llm.Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.history[:len(a.history):len(a.history)]
}

// SetHistory replaces the conversation, for resumed sessions and compaction.
func (a *Agent) SetHistory(h []llm.Message) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.history, a.lastUsed, a.lastLen = h, 0, 0
}

// Total returns the session's usage and cost so far.
func (a *Agent) Total() (llm.Usage, float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.total, a.cost
}

// Plan returns the last plan the model set with update_plan.
func (a *Agent) Plan() []event.PlanStep {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.plan
}

// Restored is the state of a saved session to continue from.
type Restored struct {
	History []llm.Message
	Plan    []event.PlanStep
	Turns   int
	Total   llm.Usage
	CostUSD float64
}

// Restore continues a saved session: its conversation, plan, turn count, usage and cost.
func (a *Agent) Restore(r Restored) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.history, a.plan, a.turn, a.total, a.cost = r.History, r.Plan, r.Turns, r.Total, r.CostUSD
	a.lastUsed, a.lastLen = 0, 0
}

// overhead estimates the tokens of what every request carries besides the conversation: the
// system prompt and the tool definitions.
func (a *Agent) overhead() int64 {
	n := len(a.System)
	if a.Tools != nil {
		for _, t := range a.Tools.Specs() {
			n += len(t.Name) + len(t.Description) + len(t.Parameters)
		}
	}
	return int64(n / 4)
}

// ContextUsed estimates the tokens the next model call's prompt takes: the size the last call
// reported plus about a token per four characters of what was added since.
func (a *Agent) ContextUsed() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.lastLen == 0 || a.lastLen > len(a.history) {
		return a.overhead() + compact.Estimate(a.history)
	}
	return a.lastUsed + compact.Estimate(a.history[a.lastLen:])
}

func (a *Agent) emit(e event.Event) {
	if a.Sink != nil {
		a.Sink.Emit(e)
	}
}

func (a *Agent) add(m llm.Message) {
	a.mu.Lock()
	a.history = append(a.history, m)
	a.mu.Unlock()
	a.emit(event.Message{Message: m})
}

// Send runs one turn: the user's prompt and every model call and tool call that answers it.
// It returns the model's final text. A cancelled ctx ends the turn with ctx's error after
// keeping whatever text had streamed.
func (a *Agent) Send(ctx context.Context, prompt string) (string, error) {
	return a.SendTurn(ctx, event.TurnStarted{Prompt: prompt})
}

// SendTurn runs one turn like Send, sending start.Prompt and reporting start (numbered) as the
// turn's TurnStarted, so that it can say which part of the prompt the user typed.
func (a *Agent) SendTurn(ctx context.Context, start event.TurnStarted) (string, error) {
	a.turn++
	start.Turn = a.turn
	prompt := start.Prompt
	a.emit(start)
	a.add(llm.Message{Role: llm.RoleUser, Text: prompt})
	final, reason, err := a.loop(ctx)
	if err != nil {
		msg, hint := describe(err)
		a.emit(event.Error{Message: msg, Hint: hint, Fatal: true})
	}
	a.emit(event.TurnFinished{Turn: a.turn, Reason: reason, Final: final})
	return final, err
}

func (a *Agent) loop(ctx context.Context) (final, reason string, err error) {
	for {
		if a.Caps.MaxSteps > 0 && a.steps >= a.Caps.MaxSteps {
			return final, "max_turns", &CapError{Cap: "max_turns", Limit: fmt.Sprint(a.Caps.MaxSteps)}
		}
		a.steps++
		if err := a.makeRoom(ctx); err != nil {
			if ctx.Err() != nil {
				return final, "interrupted", ctx.Err()
			}
			return final, "error", err
		}
		resp, err := a.stepRetried(ctx)
		for try := 0; try < overflowTries && llm.KindOf(err) == llm.ErrContextOverflow && ctx.Err() == nil; try++ {
			// The window is full after all: compact (learning the window the server named, when
			// it did) and try the same step again.
			a.learnWindow(err)
			cerr := a.compact(ctx, "overflow")
			if cerr != nil {
				if ctx.Err() == nil {
					err = fmt.Errorf("%w; %v", err, cerr)
				}
				break
			}
			resp, err = a.stepRetried(ctx)
		}
		if err != nil {
			if ctx.Err() != nil {
				return final, "interrupted", ctx.Err()
			}
			return final, "error", err
		}
		if resp.Stop == llm.StopFiltered {
			// What arrived is a filter's stub, not the model's answer: never the final text.
			return final, "error", filteredError(a.Provider.Name(), a.Model, resp.StopDetail)
		}
		if t := strings.TrimSpace(resp.Message.Text); t != "" {
			final = resp.Message.Text
		}
		if err := a.checkCaps(); err != nil {
			return final, err.Cap, err
		}
		if len(resp.Message.ToolCalls) == 0 {
			if resp.Stop == llm.StopMaxTokens {
				return final, "error", &llm.Error{Kind: llm.ErrBadRequest, Provider: a.Provider.Name(), Model: a.Model,
					Message: "the answer was cut at the output token limit", Hint: "raise max_output_tokens in the config"}
			}
			return final, "done", nil
		}
		if err := a.runTools(ctx, resp.Message.ToolCalls); err != nil {
			if errors.Is(err, ErrRepeating) {
				return final, "repeating", err
			}
			return final, "interrupted", err
		}
	}
}

// filteredError is the error for an answer a content filter or guardrail stopped; detail is
// the server's stop reason.
func filteredError(provider, model, detail string) *llm.Error {
	name := "a content filter"
	switch {
	case strings.Contains(detail, "guardrail"):
		name = "a Bedrock guardrail"
	case strings.Contains(detail, "content_filter"):
		name = "the server's content filter"
	}
	msg := "the answer was stopped by " + name
	if detail != "" {
		msg += " (" + detail + ")"
	}
	return &llm.Error{Kind: llm.ErrBadRequest, Final: true, Provider: provider, Model: model, Message: msg,
		Hint: "the partial answer was not used; rephrase the request, or check the filter or guardrail settings"}
}

// overflowTries is how many times a step the server refused as over the window is compacted
// and sent again.
const overflowTries = 3

// streamRetries is how many times a step whose stream broke before any tool call is sent
// again whole.
const streamRetries = 2

// stepRetried is step, sending the request again whole when the stream broke after the answer
// began but before the model called any tool: nothing was done on its answer yet, so nothing
// is done twice. (A stream that breaks before anything arrived is retried by the provider.)
func (a *Agent) stepRetried(ctx context.Context) (llm.Response, error) {
	resp, began, err := a.step(ctx)
	for try := 1; try <= streamRetries && began == beganText && llm.KindOf(err) == llm.ErrStream && ctx.Err() == nil; try++ {
		a.emit(event.Notice{Level: "warn", Text: fmt.Sprintf("%v; the answer broke off before any tool call: sending the request again (%d of %d)", errorText(err), try, streamRetries)})
		resp, began, err = a.step(ctx)
	}
	return resp, err
}

// How far a streamed answer got.
type began int

const (
	beganNothing began = iota
	beganText          // text or reasoning arrived
	beganTools         // a tool call arrived
)

// errorText is an error's message without the provider's hint.
func errorText(err error) string {
	var le *llm.Error
	if errors.As(err, &le) && le.Message != "" {
		return le.Message
	}
	return err.Error()
}

// Window returns the context window the agent compacts and fits requests to: the model's known
// one (or compact.DefaultWindow when unknown), or the smaller one a server's refusal named.
func (a *Agent) Window() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := compact.WindowOr(a.ContextWindow)
	if a.learnedWindow > 0 && a.learnedWindow < w {
		return a.learnedWindow
	}
	return w
}

// SetWindow sets the model's context window (0: unknown) for a switch to another model,
// forgetting a window learned from the previous model's server.
func (a *Agent) SetWindow(w int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ContextWindow, a.learnedWindow = w, 0
}

// windowRE finds the window in a server's refusal, as OpenAI and vLLM word it.
var windowRE = regexp.MustCompile(`(?i)maximum context length is (\d+) tokens`)

// learnWindow takes the window a server's overflow error names when it is below the one
// assumed: a model whose window is unknown, or a server configured with less than the
// catalogue says (a local server's context setting).
func (a *Agent) learnWindow(err error) {
	m := windowRE.FindStringSubmatch(err.Error())
	if m == nil {
		return
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	if n > 0 && n < a.Window() {
		a.mu.Lock()
		a.learnedWindow = n
		a.mu.Unlock()
	}
}

// makeRoom compacts the conversation when it has passed the compaction threshold, and makes
// sure the next request is not estimated above compact.SendLimit of the window: outputs are
// trimmed further, and a conversation that still does not fit is not sent.
func (a *Agent) makeRoom(ctx context.Context) error {
	if a.nearlyFull() {
		if err := a.compact(ctx, "auto"); err != nil && ctx.Err() == nil {
			a.emit(event.Notice{Level: "warn", Text: err.Error()})
		}
	}
	limit := int64(float64(a.Window()) * compact.SendLimit)
	if a.ContextUsed() <= limit {
		return nil
	}
	fitted, ok := compact.Fit(a.History(), limit-a.overhead())
	a.setCompacted(fitted, "fit", a.ContextUsed())
	if !ok {
		return fmt.Errorf("not sent: the request would take about %d tokens, over the %d-token context window: %w", a.ContextUsed(), a.Window(), compact.ErrTooLarge)
	}
	return nil
}

// step makes one model call, streaming its text as events, and records the answer. It says how
// far the answer got, for a broken stream.
func (a *Agent) step(ctx context.Context) (llm.Response, began, error) {
	req := llm.Request{
		Model: a.Model, System: a.System, Messages: a.history, Tools: a.Tools.Specs(),
		MaxOutputTokens: a.MaxOutputTokens, ReasoningEffort: a.ReasoningEffort,
	}
	var partial strings.Builder
	got := beganNothing
	resp, err := a.Provider.Stream(ctx, req, func(d llm.Delta) {
		switch d.Kind {
		case llm.DeltaText:
			got = max(got, beganText)
			partial.WriteString(d.Text)
			a.emit(event.TextDelta{Text: d.Text})
		case llm.DeltaReasoning:
			got = max(got, beganText)
			a.emit(event.ReasoningDelta{Text: d.Text})
		case llm.DeltaToolCall:
			got = beganTools
		case llm.DeltaNotice:
			a.emit(event.Notice{Level: "warn", Text: d.Text})
		}
	})
	if err != nil {
		if partial.Len() > 0 && ctx.Err() != nil {
			// Keep what the user already saw; the conversation stays valid without tool calls.
			a.add(llm.Message{Role: llm.RoleAssistant, Text: partial.String() + "\n[interrupted]"})
		}
		if len(resp.Message.ToolCalls) > 0 {
			got = beganTools
		}
		return resp, got, err
	}
	a.add(resp.Message)
	used := resp.Usage.InputTokens + resp.Usage.OutputTokens
	a.mu.Lock()
	a.lastUsed, a.lastLen = used, len(a.history)
	a.mu.Unlock()
	a.account(resp.Usage, used)
	return resp, got, nil
}

// account adds one of the agent's model calls to the session's totals and reports it.
func (a *Agent) account(u llm.Usage, contextUsed int64) {
	var cost float64
	if a.Cost != nil {
		cost = a.Cost(u)
	}
	a.Account(event.Usage{Model: a.Model, Role: event.RoleAgent, Usage: u, CostUSD: cost,
		ContextUsed: contextUsed, ContextLimit: a.Window()})
}

// Account adds a model call's usage and cost (u.Usage, u.CostUSD, for u.Role, which "" means
// the agent's) to the session's totals, which count against the caps, and reports u with the
// totals filled in. The engine accounts this way for the calls other roles make.
func (a *Agent) Account(u event.Usage) {
	if u.Role == "" {
		u.Role = event.RoleAgent
	}
	a.mu.Lock()
	a.total = a.total.Add(u.Usage)
	a.cost += u.CostUSD
	if a.roleCost == nil {
		a.roleCost = map[string]float64{}
	}
	a.roleCost[u.Role] += u.CostUSD
	u.Total, u.TotalCostUSD, u.RoleCostUSD = a.total, a.cost, maps.Clone(a.roleCost)
	a.mu.Unlock()
	a.emit(u)
}

// RoleCosts returns the session's cost by model role, for the roles that made calls.
func (a *Agent) RoleCosts() map[string]float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.roleCost)
}

// nearlyFull reports whether the conversation has passed the compaction threshold.
func (a *Agent) nearlyFull() bool {
	at := a.CompactAt
	if at <= 0 {
		at = 0.85
	}
	return float64(a.ContextUsed()) >= at*float64(a.Window())
}

// Compact shortens the conversation now (the /compact command): the model summarises the
// older turns; the original request, the latest message, the plan and the pending proposal
// are kept.
func (a *Agent) Compact(ctx context.Context) error { return a.compact(ctx, "manual") }

// compact shortens the conversation for reason ("auto", "overflow" or "manual") and records
// the new history as a Compacted event, so that a resumed session starts from it.
func (a *Agent) compact(ctx context.Context, reason string) error {
	in := compact.Input{History: a.history, Plan: a.plan}
	if a.Env != nil && a.Env.Layer != nil {
		if changes, err := a.Env.Layer.Changes(); err == nil {
			in.Proposal = compact.DescribeProposal(changes)
		}
	}
	writer := a.SmallHelper()
	res, err := compact.Compact(ctx, compact.Options{Provider: writer.Provider, Model: writer.Model, MaxOutputTokens: a.MaxOutputTokens,
		Window: a.Window(), Overhead: a.overhead(), Summarise: reason != "auto"}, in)
	if res.Usage != (llm.Usage{}) {
		a.AccountSmall(writer, res.Usage)
	}
	if err != nil && !(errors.Is(err, compact.ErrTooLarge) && res.History != nil) {
		return fmt.Errorf("compact the conversation: %w", err)
	}
	a.setCompacted(res.History, reason, res.Before)
	a.emit(event.Notice{Text: fmt.Sprintf("compacted the conversation (%s): about %d → %d tokens", reason, res.Before, res.After)})
	return nil
}

// setCompacted replaces the conversation with a shorter one and records it as a Compacted
// event, so that a resumed session starts from it.
func (a *Agent) setCompacted(h []llm.Message, reason string, before int64) {
	after := a.overhead() + compact.Estimate(h)
	a.mu.Lock()
	a.history = h
	a.lastUsed, a.lastLen = after, len(a.history)
	a.mu.Unlock()
	a.emit(event.Compacted{Messages: h, Before: before, After: after, Reason: reason})
}

func (a *Agent) checkCaps() *CapError {
	if a.Caps.MaxCost > 0 && a.cost >= a.Caps.MaxCost {
		return &CapError{Cap: "max_cost", Limit: fmt.Sprintf("$%.2f", a.Caps.MaxCost)}
	}
	if a.Caps.MaxTokens > 0 && a.total.InputTokens+a.total.OutputTokens >= a.Caps.MaxTokens {
		return &CapError{Cap: "max_tokens", Limit: fmt.Sprint(a.Caps.MaxTokens)}
	}
	return nil
}

// runTools executes one batch of tool calls. Consecutive read-only calls run in parallel;
// the others run one at a time in the order the model gave. Results go into the history in
// call order.
func (a *Agent) runTools(ctx context.Context, calls []llm.ToolCall) error {
	env := a.toolEnv()
	results := make([]tools.Result, len(calls))
	changed := false
	for i := 0; i < len(calls); {
		j := i + 1
		if a.readOnly(calls[i]) {
			for j < len(calls) && a.readOnly(calls[j]) {
				j++
			}
		}
		var wg sync.WaitGroup
		for k := i; k < j; k++ {
			a.emit(event.ToolStarted{ID: calls[k].ID, Name: calls[k].Name, Arguments: rawJSON(calls[k].Arguments), Summary: a.summary(calls[k])})
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				results[k] = a.runTool(ctx, env, calls[k])
			}(k)
		}
		wg.Wait()
		for k := i; k < j; k++ {
			changed = changed || results[k].Changed
		}
		i = j
	}
	if changed {
		a.emitProposal()
	}
	verdict := a.repeats.observe(calls, results)
	if verdict == repeatWarn {
		last := len(results) - 1
		results[last].Output += fmt.Sprintf("\n\n[hew: you have made this same call with the same result %d times in a row. Repeating it will not change the result: try something different, or stop and explain what blocks you.]", a.repeats.count)
	}
	for k, c := range calls {
		if c.Name == "update_plan" && !results[k].IsError {
			var p struct {
				Steps []event.PlanStep `json:"steps"`
			}
			if json.Unmarshal([]byte(c.Arguments), &p) == nil {
				a.mu.Lock()
				a.plan = p.Steps
				a.mu.Unlock()
			}
		}
		a.add(llm.Message{Role: llm.RoleTool, ToolCallID: c.ID, ToolName: c.Name, Text: results[k].Output, IsError: results[k].IsError})
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if verdict == repeatStop {
		return fmt.Errorf("%w: the same tool call (%s) gave the same result %d times in a row, even after the model was told", ErrRepeating, a.summary(calls[0]), a.repeats.count)
	}
	return nil
}

func (a *Agent) readOnly(c llm.ToolCall) bool {
	t, ok := a.Tools.Get(c.Name)
	return !ok || t.ReadOnly
}

func (a *Agent) summary(c llm.ToolCall) string {
	if t, ok := a.Tools.Get(c.Name); ok {
		return t.Summary(rawJSON(c.Arguments))
	}
	return c.Name
}

// toolEnv is the tools' environment for one batch: each output is capped at its share of the
// context window (compact.OutputLimit), within the cap the Env sets.
func (a *Agent) toolEnv() *tools.Env {
	if a.Env == nil {
		return nil
	}
	env := *a.Env
	limit := compact.OutputLimit(a.Window())
	if env.OutputLimit <= 0 || env.OutputLimit > limit {
		env.OutputLimit = limit
	}
	return &env
}

func (a *Agent) runTool(ctx context.Context, env *tools.Env, c llm.ToolCall) tools.Result {
	start := time.Now()
	var r tools.Result
	t, ok := a.Tools.Get(c.Name)
	switch {
	case !ok:
		r = tools.Result{IsError: true, Output: fmt.Sprintf("there is no tool %q; the tools are: %s", c.Name, strings.Join(a.Tools.Names(), ", "))}
	case !json.Valid([]byte(orEmptyObject(c.Arguments))):
		r = tools.Result{IsError: true, Output: fmt.Sprintf("the arguments for %s are not valid JSON: %s. Send one JSON object matching the tool's schema", c.Name, clipArgs(c.Arguments))}
	default:
		r = t.Run(ctx, env, json.RawMessage(orEmptyObject(c.Arguments)))
	}
	if ctx.Err() != nil && !r.IsError {
		r = tools.Result{IsError: true, Output: "interrupted by the user"}
	}
	// The run time leaves out the wait for the user's approval.
	ran := max(time.Since(start)-r.Waited, 0)
	a.emit(event.ToolFinished{ID: c.ID, Name: c.Name, Output: r.Output, IsError: r.IsError, ExitCode: r.ExitCode, Duration: ran})
	return r
}

// emitProposal reports the proposal's change set, unless it is the one last reported.
func (a *Agent) emitProposal() {
	if a.Env == nil || a.Env.Layer == nil {
		return
	}
	ev, err := ProposalStats(a.Env.Layer)
	if err != nil {
		a.emit(event.Error{Message: err.Error()})
		return
	}
	a.mu.Lock()
	same := slices.Equal(ev.Files, a.lastProposal)
	a.mu.Unlock()
	if same {
		return
	}
	ev.Cause = event.CauseTools
	a.emit(ev)
	a.ProposalReported(ev.Files)
}

// ProposalReported records the change set last reported to listeners, by whoever changed the
// proposal (the user's edit, accept or reject go through the engine, which calls this), so that
// the loop reports its own next change even when it restores a change set reported before.
func (a *Agent) ProposalReported(files []event.FileStat) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lastProposal = files
}

func orEmptyObject(s string) string {
	if strings.TrimSpace(s) == "" {
		return "{}"
	}
	return s
}

func rawJSON(s string) json.RawMessage {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func clipArgs(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// describe splits an error into a message and a hint for people.
func describe(err error) (msg, hint string) {
	var le *llm.Error
	if errors.As(err, &le) {
		return fmt.Sprintf("%s: %s", le.Provider, le.Message), le.Hint
	}
	var ce *CapError
	if errors.As(err, &ce) {
		return ce.Error(), "raise the cap or split the task"
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted", ""
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the time limit ran out", "raise --timeout"
	}
	return err.Error(), ""
}

// ProposalStats summarises a proposal's change set as a ProposalChanged event.
func ProposalStats(l *proposal.Layer) (event.ProposalChanged, error) {
	changes, err := l.Changes()
	if err != nil {
		return event.ProposalChanged{}, err
	}
	ev := event.ProposalChanged{Files: []event.FileStat{}}
	for _, c := range changes {
		added, removed := diff.Stat(c.Old, c.New)
		ev.Files = append(ev.Files, event.FileStat{Path: c.Path, Op: string(c.Op), Added: added, Removed: removed})
	}
	return ev, nil
}
