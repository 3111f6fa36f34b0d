package compact

import (
	"fmt"
	"strings"

	"hew/agent/llm"
	"hew/agent/proposal"
	"hew/agent/tools"
	"hew/gitops/diff"
)

// The local estimate of text per token, used between reported usages: 3.5 characters a token,
// on the safe side of the four that English prose takes, since source code and JSON take more
// tokens.
const (
	estimateChars  = 7 // characters per estimateTokens tokens
	estimateTokens = 2
)

// Sizes relative to the model's context window.
const (
	// DefaultWindow is the window, in tokens, assumed for a model whose window is unknown (not in
	// the catalogue, no context setting): small enough for most local models' configured
	// context, so a server that never refuses an oversized prompt (and cuts it silently, as
	// Ollama does) still gets a conversation that fits.
	DefaultWindow = 32_000
	// Target is the share of the window a compacted conversation is fitted under, leaving room
	// for the steps that follow.
	Target = 0.6
	// SendLimit is the share of the window no request may be estimated above: past it the
	// conversation is compacted, and a request still above it is not sent.
	SendLimit = 0.95
	// OutputShare is the share of the window one tool output may take when it joins the
	// conversation; OutputMin and OutputMax bound it in bytes.
	OutputShare = 0.125
	OutputMin   = 2 << 10
	OutputMax   = 32 << 10
)

// WindowOr returns window, or DefaultWindow when it is unknown (0 or less).
func WindowOr(window int64) int64 {
	if window <= 0 {
		return DefaultWindow
	}
	return window
}

// CharsFor returns how many bytes of text fit in tokens, counting three a token so that text
// that tokenises densely still fits.
func CharsFor(tokens int64) int { return int(max(tokens, 0) * 3) }

// OutputLimit returns the bytes one tool output may keep when it joins a conversation with
// window (0: unknown): OutputShare of the window, within OutputMin and OutputMax.
func OutputLimit(window int64) int {
	return min(max(CharsFor(int64(float64(WindowOr(window))*OutputShare)), OutputMin), OutputMax)
}

// Fit returns h with tool outputs cut until Estimate(h) is at most budget tokens: first the
// outputs the model has seen, then, largest first, every output, each down to no less than
// minOutput bytes. Every cut says what was left out. It reports whether h now fits; h itself
// is not changed.
func Fit(h []llm.Message, budget int64) ([]llm.Message, bool) {
	if Estimate(h) <= budget {
		return h, true
	}
	out := TrimSeen(h, seenLimit)
	for Estimate(out) > budget {
		big := -1
		for i, m := range out {
			if m.Role == llm.RoleTool && len(m.Text) > 2*minOutput && (big < 0 || len(m.Text) > len(out[big].Text)) {
				big = i
			}
		}
		if big < 0 {
			return out, false
		}
		over := int(Estimate(out)-budget) * estimateChars / estimateTokens
		limit := max(len(out[big].Text)-over-200, len(out[big].Text)/2, minOutput)
		out[big].Text = tools.ClipWhy(out[big].Text, limit, "trimmed to fit the context window: run the tool again, narrower, to see more")
	}
	return out, true
}

// Limits on what compaction keeps, in bytes.
const (
	seenLimit     = 1 << 10   // a seen tool output in the conversation as a whole
	tailLimit     = 4 << 10   // a seen tool output among the kept latest messages
	clipInSummary = 2 << 10   // a tool output in the transcript sent to be summarised
	maxTranscript = 400 << 10 // the transcript sent to be summarised
	maxProposal   = 6 << 10   // the proposal's diff kept after compaction
	minOutput     = 512       // the least of a tool output Fit keeps
)

// perMessage is the estimated overhead of one message (role, framing) in tokens.
const perMessage = 4

// Estimate returns a rough count of the tokens msgs take: about four characters a token.
func Estimate(msgs []llm.Message) int64 {
	var n int64
	for _, m := range msgs {
		chars := len(m.Text)
		for _, c := range m.ToolCalls {
			chars += len(c.Name) + len(c.Arguments)
		}
		for _, r := range m.Reasoning {
			chars += len(r.Text) + len(r.Encrypted)
		}
		n += int64(chars*estimateTokens/estimateChars) + perMessage
	}
	return n
}

// TrimSeen returns h with every tool output that the model has already answered (one before
// the last assistant message) cut to limit bytes, its head and tail kept and the cut counted.
// Outputs the model has not seen yet, and h itself, are left as they are.
func TrimSeen(h []llm.Message, limit int) []llm.Message {
	last := -1
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Role == llm.RoleAssistant {
			last = i
			break
		}
	}
	out := append([]llm.Message(nil), h...)
	for i := 0; i < last; i++ {
		if out[i].Role == llm.RoleTool && len(out[i].Text) > limit {
			out[i].Text = tools.ClipWhy(out[i].Text, limit, "compacted: run the tool again to see it whole")
		}
	}
	return out
}

// Transcript renders msgs as plain text for the summarising model, tool outputs clipped,
// within budget bytes; when it is longer, the oldest part is left out and the cut says so.
func Transcript(msgs []llm.Message, budget int) string {
	var b strings.Builder
	for _, m := range msgs {
		switch m.Role {
		case llm.RoleUser:
			fmt.Fprintf(&b, "USER:\n%s\n\n", m.Text)
		case llm.RoleAssistant:
			if t := strings.TrimSpace(m.Text); t != "" {
				fmt.Fprintf(&b, "ASSISTANT:\n%s\n\n", t)
			}
			for _, c := range m.ToolCalls {
				fmt.Fprintf(&b, "ASSISTANT CALLS %s %s\n\n", c.Name, tools.ClipWhy(c.Arguments, clipInSummary, "arguments clipped"))
			}
		case llm.RoleTool:
			status := "result"
			if m.IsError {
				status = "error"
			}
			fmt.Fprintf(&b, "TOOL %s %s:\n%s\n\n", m.ToolName, status, tools.ClipWhy(m.Text, clipInSummary, "output clipped"))
		}
	}
	s := b.String()
	if len(s) > budget {
		cut := len(s) - budget
		if i := strings.Index(s[cut:], "\n\n"); i >= 0 {
			cut += i + 2
		}
		s = fmt.Sprintf("[the oldest %d bytes of the transcript are left out]\n\n%s", cut, s[cut:])
	}
	return strings.TrimSpace(s)
}

// DescribeProposal summarises pending changes for the model: one line per file with its
// counts, then their unified diff while it stays short.
func DescribeProposal(changes []proposal.Change) string {
	if len(changes) == 0 {
		return ""
	}
	var list, diffs strings.Builder
	for _, c := range changes {
		added, removed := diff.Stat(c.Old, c.New)
		fmt.Fprintf(&list, "- %c %s (+%d -%d)\n", c.Op, c.Path, added, removed)
		oldPath, newPath := c.Path, c.Path
		switch c.Op {
		case proposal.Add:
			oldPath = ""
		case proposal.Delete:
			newPath = ""
		}
		diffs.WriteString(diff.Unified(oldPath, newPath, c.Old, c.New))
	}
	if diffs.Len() > maxProposal {
		return list.String() + "(the diff is too long to keep here; read the files to see the changes)\n"
	}
	return list.String() + "\n```diff\n" + diffs.String() + "```\n"
}
