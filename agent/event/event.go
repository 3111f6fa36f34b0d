// Package event defines the typed stream of events the agent emits while it works.
//
// The agent knows nothing of who listens. The terminal UI, the headless progress and JSONL
// writers and the session log all consume the same events. Every event is a small struct whose
// Type method names it; Encode writes it as one JSON object with a "type" field, the form used
// by `hew exec --json` and by session files, and Decode reads it back.
package event

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"hew/agent/llm"
)

// SchemaVersion is the version of the event stream's JSON schema (docs/events.schema.json),
// carried by session_started as schema_version. Within a version, event types and fields are
// only added; a field that changes meaning or goes away bumps it.
const SchemaVersion = 1

// Event is one thing that happened.
type Event interface {
	// Type is the event's stable name in JSON output, such as "turn_started".
	Type() string
}

// SessionStarted opens a session.
type SessionStarted struct {
	Session  string    `json:"session"`
	Time     time.Time `json:"time"`
	Repo     string    `json:"repo"`
	Provider string    `json:"provider"`
	Model    string    `json:"model"`
	// Region and Profile are the AWS region and profile a Bedrock session was configured with
	// (empty: the SDK's defaults), so that resuming reaches the same place.
	Region  string `json:"region,omitempty"`
	Profile string `json:"profile,omitempty"`
	Sandbox string `json:"sandbox"` // backend and policy, e.g. "bwrap workspace-write"
	Resumed bool   `json:"resumed,omitempty"`
	// SchemaVersion is SchemaVersion where the stream is written for others (hew exec --json).
	SchemaVersion int `json:"schema_version,omitempty"`
}

// ModelSwitched says the session's model changed (/model, or --model when resuming) for the
// turns that follow; a resumed session continues on the last one.
type ModelSwitched struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
	From     string `json:"from,omitempty"` // the model before
}

// TurnStarted begins one user request and the model/tool steps that answer it.
type TurnStarted struct {
	Turn   int    `json:"turn"`
	Prompt string `json:"prompt"` // as the model was sent it
	// Feedback, when set, says Prompt begins with the review's feedback: the hunks the user
	// rejected and the note for them. Typed is then what the user typed after it (empty for
	// a turn that only sends the feedback).
	Feedback *ReviewFeedback `json:"feedback,omitempty"`
	Typed    string          `json:"typed,omitempty"`
}

// ReviewFeedback is what a turn tells the model of the review: how many of its hunks the user
// rejected and the user's note for them.
type ReviewFeedback struct {
	Hunks int    `json:"hunks"`
	Note  string `json:"note,omitempty"`
}

// Said is what the user said to start the turn: what they typed, without the review's
// feedback the prompt carries before it.
func (t TurnStarted) Said() string {
	if t.Feedback != nil {
		return t.Typed
	}
	return t.Prompt
}

// TextDelta is a piece of the assistant's answer as it streams.
type TextDelta struct {
	Text string `json:"text"`
}

// ReasoningDelta is a piece of the model's reasoning (or its summary) as it streams.
type ReasoningDelta struct {
	Text string `json:"text"`
}

// Message is a complete message added to the conversation: the user's prompt, an assistant
// message with its tool calls, or a tool result. Session files replay conversations from these.
type Message struct {
	Message llm.Message `json:"message"`
}

// ToolStarted says a tool call began.
type ToolStarted struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Summary   string          `json:"summary"` // one line for people, e.g. "run go test ./..."
}

// ToolFinished carries a tool call's result as the model will see it.
type ToolFinished struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Output   string        `json:"output"`
	IsError  bool          `json:"is_error,omitempty"`
	ExitCode *int          `json:"exit_code,omitempty"` // for run
	Duration time.Duration `json:"duration_ns"`
}

// PlanStep is one step of the visible plan.
type PlanStep struct {
	Step   string `json:"step"`
	Status string `json:"status"` // pending, in_progress or done
}

// PlanUpdated carries the whole plan after update_plan.
type PlanUpdated struct {
	Steps []PlanStep `json:"steps"`
}

// FileStat summarises one changed file of a proposal.
type FileStat struct {
	Path    string `json:"path"`
	Op      string `json:"op"` // "A", "M", "D" or "R" (renamed)
	From    string `json:"from,omitempty"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	// Control names the kind of control file this is — one that steers hew, git, hooks or CI,
	// such as "CI configuration" — or is empty for an ordinary file.
	Control string `json:"control,omitempty"`
}

// ProposalChanged says the pending proposal now differs from the tree as listed. Every change
// to the proposal is reported by one, whoever made it.
type ProposalChanged struct {
	Files []FileStat `json:"files"`
	// Cause says what changed the proposal: "tools" (the model's tools and commands), "editor"
	// (the user edited a proposed file), "accept", "reject", "rewind" or "undo".
	Cause string `json:"cause,omitempty"`
	// Path names the file the user edited, with cause "editor".
	Path string `json:"path,omitempty"`
}

// The causes of a ProposalChanged.
const (
	CauseTools  = "tools"
	CauseEditor = "editor"
	CauseAccept = "accept"
	CauseReject = "reject"
	CauseRewind = "rewind"
	CauseUndo   = "undo" // an undone commit's change, proposed again
)

// TestRun is the result of running the project's test command against the proposal.
type TestRun struct {
	Command  string        `json:"command"`
	ExitCode int           `json:"exit_code"`
	Passed   bool          `json:"passed"`
	Output   string        `json:"output"` // capped, head and tail kept
	Duration time.Duration `json:"duration_ns"`
}

// Usage reports the tokens and cost of one model call and the session's running totals.
type Usage struct {
	Model string `json:"model"`
	// Role is what the call was for: RoleAgent, RoleSmall (summaries, commit messages) or
	// RoleReview (reviews, second opinions).
	Role         string    `json:"role,omitempty"`
	Usage        llm.Usage `json:"usage"`
	CostUSD      float64   `json:"cost_usd"`
	Total        llm.Usage `json:"total"`
	TotalCostUSD float64   `json:"total_cost_usd"`
	ContextUsed  int64     `json:"context_used,omitempty"`   // prompt tokens of the last call
	ContextLimit int64     `json:"context_window,omitempty"` // the model's window, when known
	// RoleCostUSD is the session's cost so far by role.
	RoleCostUSD map[string]float64 `json:"role_cost_usd,omitempty"`
}

// The model roles a Usage names.
const (
	RoleAgent  = "agent"
	RoleSmall  = "small"
	RoleReview = "review"
)

// Failover says the turn moved on to the next model of the fallback chain because the one in
// use kept failing; the conversation carries over without what only the old provider could
// read (Dropped says what, such as "2 reasoning blocks").
type Failover struct {
	From    string `json:"from"` // "provider:model"
	To      string `json:"to"`
	Reason  string `json:"reason"`
	Dropped string `json:"dropped"`
}

// Attempt reports one attempt of a best-of-N run (hew exec --try / --best-of): the model, its
// session (which keeps the proposal), the test result, the size of its change, cost and time.
type Attempt struct {
	Index   int    `json:"index"` // from 1
	Model   string `json:"model"` // "provider:model"
	Session string `json:"session,omitempty"`
	// Tests is "passed", "failed", "none" (no test command) or "not run" (the attempt failed).
	Tests    string        `json:"tests"`
	Files    int           `json:"files"`
	Added    int           `json:"added"`
	Removed  int           `json:"removed"`
	CostUSD  float64       `json:"cost_usd"`
	Duration time.Duration `json:"duration_ns"`
	Error    string        `json:"error,omitempty"`
	// Chosen marks the attempt the policy picked; Patch is where its proposal is saved.
	Chosen bool   `json:"chosen,omitempty"`
	Patch  string `json:"patch,omitempty"`
}

// SecondOpinion reports another model's review of the proposal before acceptance; Blocked
// says findings at or above the blocking severity stopped the acceptance.
type SecondOpinion struct {
	Model    string          `json:"model"`
	Summary  string          `json:"summary,omitempty"`
	Findings []ReviewFinding `json:"findings"`
	Blocks   string          `json:"blocks"` // the severity that blocks: high, medium, low or none
	Blocked  bool            `json:"blocked"`
}

// ReviewFinding is one finding of a SecondOpinion.
type ReviewFinding struct {
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Title    string `json:"title"`
	Detail   string `json:"detail,omitempty"`
}

// Error reports a failure; Hint says what the user can do about it.
type Error struct {
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	Fatal   bool   `json:"fatal,omitempty"` // the turn or run ended because of it
}

// TurnFinished ends a turn. Reason is "done", "interrupted", "max_turns", "error" or a cap name.
type TurnFinished struct {
	Turn   int    `json:"turn"`
	Reason string `json:"reason"`
	Final  string `json:"final,omitempty"` // the assistant's last text
}

// Compacted says the conversation was shortened to fit the model's context window: Messages
// replace the whole history from here on, so a resumed session replays them instead of the
// messages before. Before and After estimate the conversation's size in tokens.
type Compacted struct {
	Messages []llm.Message `json:"messages"`
	Before   int64         `json:"before_tokens"`
	After    int64         `json:"after_tokens"`
	Reason   string        `json:"reason"` // "auto", "overflow" or "manual"
}

// Accepted says proposal changes were written into the user's working tree.
type Accepted struct {
	Files []string `json:"files"`
	// Changes are the accepted, uncommitted changes to Files as a commit needs them, so that
	// a resumed session can still commit them. Sessions saved before hew recorded them have none.
	Changes []AcceptedChange `json:"changes,omitempty"`
}

// AcceptedChange is an accepted change not yet committed: the file's content when the change
// was proposed (Base) and as accepted (New), as ids of git blobs stored in the repository.
type AcceptedChange struct {
	Path string `json:"path"`
	Base string `json:"base,omitempty"` // empty: the change creates the file
	New  string `json:"new,omitempty"`  // empty: the change deletes the file
	// Mode is the new file's mode bits (see gitops.Update.Mode); zero keeps the file's mode.
	Mode uint32 `json:"mode,omitempty"`
}

// Rejected says proposal changes were discarded; Note is what the model was told.
type Rejected struct {
	Files []string `json:"files"`
	Note  string   `json:"note,omitempty"`
}

// Committed says a commit was made.
type Committed struct {
	Hash    string   `json:"hash"`
	Branch  string   `json:"branch"`
	Subject string   `json:"subject"`
	Files   []string `json:"files"`
}

// Notice is a one-line status message for people ("sandbox: bwrap", "using direct mode").
type Notice struct {
	Text  string `json:"text"`
	Level string `json:"level,omitempty"` // "info" (default) or "warn"
}

// Text says the failover for people.
func (e Failover) Text() string {
	return fmt.Sprintf("switched model: %s failed (%s); the turn continues on %s (dropped from the conversation: %s)", e.From, e.Reason, e.To, e.Dropped)
}

// Text says the second opinion's verdict for people and lists its findings, one per line.
func (e SecondOpinion) Text() string {
	var b strings.Builder
	verdict := "does not block acceptance"
	if e.Blocked {
		verdict = "BLOCKS acceptance (findings at or above " + e.Blocks + ")"
	}
	noun := "findings"
	if len(e.Findings) == 1 {
		noun = "finding"
	}
	fmt.Fprintf(&b, "second opinion from %s: %d %s; %s", e.Model, len(e.Findings), noun, verdict)
	for _, f := range e.Findings {
		loc := f.File
		if f.Line > 0 {
			loc = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		fmt.Fprintf(&b, "\n  %-6s %s  %s", strings.ToUpper(f.Severity), loc, f.Title)
	}
	return b.String()
}

// Type implementations.
func (SessionStarted) Type() string  { return "session_started" }
func (TurnStarted) Type() string     { return "turn_started" }
func (TextDelta) Type() string       { return "text_delta" }
func (ReasoningDelta) Type() string  { return "reasoning_delta" }
func (Message) Type() string         { return "message" }
func (ToolStarted) Type() string     { return "tool_started" }
func (ToolFinished) Type() string    { return "tool_finished" }
func (PlanUpdated) Type() string     { return "plan_updated" }
func (ProposalChanged) Type() string { return "proposal_changed" }
func (TestRun) Type() string         { return "test_run" }
func (Usage) Type() string           { return "usage" }
func (Error) Type() string           { return "error" }
func (TurnFinished) Type() string    { return "turn_finished" }
func (Compacted) Type() string       { return "compacted" }
func (Accepted) Type() string        { return "accepted" }
func (Rejected) Type() string        { return "rejected" }
func (Committed) Type() string       { return "committed" }
func (Notice) Type() string          { return "notice" }
func (ModelSwitched) Type() string   { return "model_switched" }
func (Failover) Type() string        { return "failover" }
func (Attempt) Type() string         { return "attempt" }
func (SecondOpinion) Type() string   { return "second_opinion" }

var constructors = map[string]func() Event{
	"session_started":  func() Event { return &SessionStarted{} },
	"turn_started":     func() Event { return &TurnStarted{} },
	"text_delta":       func() Event { return &TextDelta{} },
	"reasoning_delta":  func() Event { return &ReasoningDelta{} },
	"message":          func() Event { return &Message{} },
	"tool_started":     func() Event { return &ToolStarted{} },
	"tool_finished":    func() Event { return &ToolFinished{} },
	"plan_updated":     func() Event { return &PlanUpdated{} },
	"proposal_changed": func() Event { return &ProposalChanged{} },
	"test_run":         func() Event { return &TestRun{} },
	"usage":            func() Event { return &Usage{} },
	"error":            func() Event { return &Error{} },
	"turn_finished":    func() Event { return &TurnFinished{} },
	"compacted":        func() Event { return &Compacted{} },
	"accepted":         func() Event { return &Accepted{} },
	"rejected":         func() Event { return &Rejected{} },
	"committed":        func() Event { return &Committed{} },
	"notice":           func() Event { return &Notice{} },
	"model_switched":   func() Event { return &ModelSwitched{} },
	"failover":         func() Event { return &Failover{} },
	"attempt":          func() Event { return &Attempt{} },
	"second_opinion":   func() Event { return &SecondOpinion{} },
}

// Value returns the event struct e points to when e is a pointer (as Decode returns), and e
// itself otherwise, so that consumers can switch on the struct types alone.
func Value(e Event) Event {
	if v := reflect.ValueOf(e); v.Kind() == reflect.Pointer && !v.IsNil() {
		if ev, ok := v.Elem().Interface().(Event); ok {
			return ev
		}
	}
	return e
}

// Types returns the type names of every event, sorted.
func Types() []string {
	out := make([]string, 0, len(constructors))
	for t := range constructors {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Encode returns e as one line of JSON (no trailing newline): the event's fields plus "type".
func Encode(e Event) ([]byte, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s event: %w", e.Type(), err)
	}
	typ, _ := json.Marshal(e.Type())
	out := make([]byte, 0, len(body)+len(typ)+9)
	out = append(out, `{"type":`...)
	out = append(out, typ...)
	if len(body) > 2 {
		out = append(out, ',')
	}
	return append(out, body[1:]...), nil
}

// Decode parses one line written by Encode. The result is a pointer to the event struct.
func Decode(line []byte) (Event, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	mk, ok := constructors[head.Type]
	if !ok {
		return nil, fmt.Errorf("decode event: unknown type %q", head.Type)
	}
	e := mk()
	if err := json.Unmarshal(line, e); err != nil {
		return nil, fmt.Errorf("decode %s event: %w", head.Type, err)
	}
	return e, nil
}
