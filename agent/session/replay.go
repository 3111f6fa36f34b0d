package session

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/llm/failover"
)

// State is a conversation rebuilt from a session file, ready to be continued.
type State struct {
	Info
	// History is the conversation as the model last saw it: every complete message, with a
	// compaction replacing what came before it.
	History []llm.Message
	// Plan is the last plan the model set, if any.
	Plan []event.PlanStep
	// Total and CostUSD are the session's usage so far.
	Total llm.Usage
	// Repaired counts tool calls that had no result (the session ended while they ran) and
	// were answered with a note saying so.
	Repaired int
	// Ran is the provider and model the session last ran on.
	Ran Ran
	// Accepted are the changes the session accepted into the working tree and did not commit,
	// by path, as its Accepted events recorded them (none for sessions saved before they did).
	Accepted map[string]event.AcceptedChange
	// Events are the session's events in order, for showing its transcript as it was.
	Events []event.Event
}

// Ran is where a session's model ran: the provider, model, and for Bedrock the AWS region and
// profile (empty: the SDK's defaults). Provider is empty for a session that never started.
type Ran struct {
	Provider, Model, Region, Profile string
}

// Load reads the session file at path and rebuilds its conversation.
func Load(path string) (State, error) {
	evs, err := Read(path)
	if err != nil {
		return State{}, err
	}
	st := Replay(evs)
	st.Path = path
	st.ID = strings.TrimSuffix(filepath.Base(path), ".jsonl")
	return st, nil
}

// interruptedTool is the result given to a tool call whose result never reached the session.
const interruptedTool = "this tool call did not finish: the session ended while it ran, so its result is unknown; run it again if you need it"

// Replay rebuilds a conversation from a session's events. Each Message event adds to the
// history, each Compacted event replaces it, and each Failover event drops from it what only
// the previous provider could read, as the session did. Tool calls left without a result (the session
// was killed while they ran) get a result saying so, because providers refuse a conversation
// with an unanswered call. Accepted events add to the changes accepted and not committed, and
// Committed events take theirs out.
func Replay(evs []event.Event) State {
	st := State{Events: evs}
	for _, e := range evs {
		st.Info.add(e)
		switch e := e.(type) {
		case *event.SessionStarted:
			st.Ran = Ran{Provider: e.Provider, Model: e.Model, Region: e.Region, Profile: e.Profile}
		case *event.ModelSwitched:
			if e.Provider != st.Ran.Provider {
				st.Ran = Ran{Provider: e.Provider}
			}
			st.Ran.Model = e.Model
		case *event.Message:
			st.History = append(st.History, e.Message)
		case *event.Compacted:
			st.History = append([]llm.Message(nil), e.Messages...)
		case *event.Failover:
			// The conversation went on without what only the previous provider could read.
			st.History, _ = failover.Portable(st.History)
		case *event.PlanUpdated:
			st.Plan = e.Steps
		case *event.Usage:
			st.Total = e.Total
		case *event.Accepted:
			for _, c := range e.Changes {
				if st.Accepted == nil {
					st.Accepted = map[string]event.AcceptedChange{}
				}
				st.Accepted[c.Path] = c
			}
		case *event.Committed:
			for _, f := range e.Files {
				delete(st.Accepted, f)
			}
		}
	}
	st.History, st.Repaired = answerDangling(st.History)
	return st
}

// answerDangling inserts a result after each assistant message's tool calls for every call
// that has none, keeping results in call order.
func answerDangling(h []llm.Message) ([]llm.Message, int) {
	out := make([]llm.Message, 0, len(h))
	added := 0
	for i := 0; i < len(h); i++ {
		m := h[i]
		out = append(out, m)
		if m.Role != llm.RoleAssistant || len(m.ToolCalls) == 0 {
			continue
		}
		answered := map[string]bool{}
		j := i + 1
		for ; j < len(h) && h[j].Role == llm.RoleTool; j++ {
			answered[h[j].ToolCallID] = true
			out = append(out, h[j])
		}
		for _, c := range m.ToolCalls {
			if !answered[c.ID] {
				out = append(out, llm.Message{Role: llm.RoleTool, ToolCallID: c.ID, ToolName: c.Name, Text: interruptedTool, IsError: true})
				added++
			}
		}
		i = j - 1
	}
	return out, added
}

// ErrNoSession reports that no session matched.
var ErrNoSession = errors.New("no such session")

// Find returns the session in dir whose id is ref or starts with ref. A prefix that matches
// more than one session is an error listing them.
func Find(dir, ref string) (Info, error) {
	ref = strings.TrimSuffix(strings.TrimSpace(ref), ".jsonl")
	if ref == "" {
		return Info{}, fmt.Errorf("%w: the session id is empty; 'hew sessions' lists them", ErrNoSession)
	}
	all, err := List(dir)
	if err != nil {
		return Info{}, err
	}
	var hits []Info
	for _, in := range all {
		if in.ID == ref {
			return in, nil
		}
		if strings.HasPrefix(in.ID, ref) {
			hits = append(hits, in)
		}
	}
	switch len(hits) {
	case 0:
		return Info{}, fmt.Errorf("%w: %q is not a session in %s; 'hew sessions --all' lists them", ErrNoSession, ref, dir)
	case 1:
		return hits[0], nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return Info{}, fmt.Errorf("%w: %q matches %d sessions (%s); give more of the id", ErrNoSession, ref, len(hits), strings.Join(ids, ", "))
}

// Latest returns the newest session in dir for repository repo ("" means any repository).
func Latest(dir, repo string) (Info, error) {
	all, err := List(dir)
	if err != nil {
		return Info{}, err
	}
	for _, in := range all {
		if repo == "" || SameRepo(in.Repo, repo) {
			return in, nil
		}
	}
	where := "in " + dir
	if repo != "" {
		where = "for " + repo
	}
	return Info{}, fmt.Errorf("%w: there is no saved session %s", ErrNoSession, where)
}

// SameRepo reports whether two repository paths name the same directory.
func SameRepo(a, b string) bool {
	if a == b {
		return true
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

// Fork copies session id in dir to a new session and returns the new id. The copy holds every
// event that parses (a torn last line is left behind) and continues independently.
func Fork(dir, id string, now time.Time) (string, error) {
	evs, err := Read(filepath.Join(dir, id+".jsonl"))
	if err != nil {
		return "", err
	}
	newID := NewID(now)
	l, err := Create(dir, newID, nil)
	if err != nil {
		return "", err
	}
	for _, e := range evs {
		if s, ok := e.(*event.SessionStarted); ok {
			c := *s
			c.Session = newID
			e = &c
		}
		l.Emit(e)
	}
	if err := l.Close(); err != nil {
		os.Remove(l.Path)
		return "", fmt.Errorf("fork session %s: %w", id, err)
	}
	return newID, nil
}

// dropTornTail cuts a last line that lacks its newline (the write a kill interrupted), so that
// appended events start on a line of their own.
func dropTornTail(f *os.File) error {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil || size == 0 {
		return err
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	end := size
	for end > 0 {
		start := max(end-chunk, 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		b := buf[:n]
		if end == size && n > 0 && b[n-1] == '\n' {
			return nil // the file ends with a complete line
		}
		if i := strings.LastIndexByte(string(b), '\n'); i >= 0 {
			return f.Truncate(start + int64(i) + 1)
		}
		end = start
	}
	return f.Truncate(0)
}
