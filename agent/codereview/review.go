// Package codereview is the pipeline behind `hew review`: it asks a model to review a diff and
// reports its findings. (The hunk-by-hunk review of a proposal is tui/changeset's view over
// engine verbs; this package is code review of changes already made.)
//
// Collect gets the change from git (uncommitted work, a branch against its base, or one
// commit); Run sends it with the code around each change to the model with the review prompt,
// asks for findings as one JSON object, and parses the answer robustly, asking once more when
// it is malformed. A Report renders as text, JSON (a stable schema, see docs/ci.md) or Markdown
// for a pull-request comment.
package codereview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"hew/agent/llm"
	"hew/prompts"
)

// SchemaVersion is the version of the JSON report; it changes only when a field changes
// meaning or is removed.
const SchemaVersion = 1

// Severities, most severe first.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// Finding is one problem the model found.
type Finding struct {
	Title        string  `json:"title"`
	File         string  `json:"file"`
	StartLine    int     `json:"start_line"`
	EndLine      int     `json:"end_line"`
	Severity     string  `json:"severity"`
	Confidence   float64 `json:"confidence"`
	Explanation  string  `json:"explanation"`
	SuggestedFix string  `json:"suggested_fix,omitempty"`
}

// Report is the result of a review.
type Report struct {
	Version  int       `json:"version"`
	Target   string    `json:"target"`
	Model    string    `json:"model"`
	Files    []string  `json:"files"`
	Summary  string    `json:"summary"`
	Findings []Finding `json:"findings"`
	Usage    llm.Usage `json:"usage"`
	CostUSD  float64   `json:"cost_usd"`
}

// Options say how to run a review.
type Options struct {
	Provider        llm.Provider
	Model           string
	MaxOutputTokens int
	ReasoningEffort string
	// Cost prices a call's usage; nil means unknown.
	Cost func(llm.Usage) float64
	// Context is how many lines around each change are shown numbered; 0 means 20.
	Context int
}

// ErrMalformed reports a model answer that was not the JSON asked for, twice.
var ErrMalformed = errors.New("the model's review is not valid JSON")

// Run reviews files (of target, named for the report) with one model call, or two when the
// first answer does not parse.
func Run(ctx context.Context, o Options, target string, files []File) (Report, error) {
	r := Report{Version: SchemaVersion, Target: target, Model: o.Model, Files: []string{}, Findings: []Finding{}}
	for _, f := range files {
		r.Files = append(r.Files, f.Path)
	}
	msgs := []llm.Message{{Role: llm.RoleUser, Text: Prompt(target, files, o.Context)}}
	for attempt := 1; ; attempt++ {
		req := llm.Request{Model: o.Model, System: prompts.Text("review.md"), Messages: msgs,
			MaxOutputTokens: o.MaxOutputTokens, ReasoningEffort: o.ReasoningEffort}
		resp, err := o.Provider.Stream(ctx, req, func(llm.Delta) {})
		r.Usage = r.Usage.Add(resp.Usage)
		if o.Cost != nil {
			r.CostUSD += o.Cost(resp.Usage)
		}
		if err != nil {
			return r, fmt.Errorf("ask the model for a review: %w", err)
		}
		summary, findings, perr := Parse(resp.Message.Text)
		if perr == nil {
			r.Summary, r.Findings = summary, findings
			return r, nil
		}
		if attempt == 2 {
			return r, fmt.Errorf("%w (asked twice; the last answer began %q): %v", ErrMalformed, clip(resp.Message.Text, 120), perr)
		}
		msgs = append(msgs, llm.Message{Role: llm.RoleAssistant, Text: resp.Message.Text},
			llm.Message{Role: llm.RoleUser, Text: fmt.Sprintf("Your answer could not be used: %v. Answer again with only the JSON object in the shape the instructions give, with no other text.", perr)})
	}
}

// Parse reads the model's answer: one JSON object with "summary" and "findings", possibly
// wrapped in a Markdown fence or surrounded by prose. Severities are normalised to high,
// medium or low, confidences clamped to [0, 1], and line ranges ordered.
func Parse(text string) (string, []Finding, error) {
	raw, err := jsonObject(text)
	if err != nil {
		return "", nil, err
	}
	var ans struct {
		Summary  string `json:"summary"`
		Findings []struct {
			Finding
			Confidence any `json:"confidence"`
			Line       int `json:"line"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(raw), &ans); err != nil {
		return "", nil, fmt.Errorf("the JSON object does not have the review's shape: %v", err)
	}
	out := []Finding{}
	for i, a := range ans.Findings {
		f := a.Finding
		if strings.TrimSpace(f.Title) == "" || strings.TrimSpace(f.File) == "" {
			return "", nil, fmt.Errorf("finding %d has no title or file", i+1)
		}
		sev, ok := severity(f.Severity)
		if !ok {
			return "", nil, fmt.Errorf("finding %d has severity %q; use high, medium or low", i+1, f.Severity)
		}
		f.Severity = sev
		f.Confidence = confidence(a.Confidence)
		if f.StartLine <= 0 {
			f.StartLine = a.Line
		}
		if f.EndLine < f.StartLine {
			f.EndLine = f.StartLine
		}
		f.File = strings.TrimPrefix(strings.TrimPrefix(f.File, "b/"), "./")
		out = append(out, f)
	}
	return strings.TrimSpace(ans.Summary), out, nil
}

// jsonObject finds the JSON object in text: the whole text, the inside of a fence, or the
// span from the first '{' to the last '}'.
func jsonObject(text string) (string, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return "", errors.New("the answer is empty")
	}
	if json.Valid([]byte(s)) && strings.HasPrefix(s, "{") {
		return s, nil
	}
	if i := strings.Index(s, "```"); i >= 0 {
		inner := s[i+3:]
		inner = inner[strings.IndexByte(inner, '\n')+1:]
		if j := strings.Index(inner, "```"); j >= 0 {
			if c := strings.TrimSpace(inner[:j]); json.Valid([]byte(c)) && strings.HasPrefix(c, "{") {
				return c, nil
			}
		}
	}
	i, j := strings.IndexByte(s, '{'), strings.LastIndexByte(s, '}')
	if i < 0 || j < i {
		return "", errors.New("the answer holds no JSON object")
	}
	if c := s[i : j+1]; json.Valid([]byte(c)) {
		return c, nil
	}
	var probe any
	err := json.Unmarshal([]byte(s[i:j+1]), &probe)
	return "", fmt.Errorf("the answer's JSON object does not parse: %v", err)
}

func severity(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "high", "error", "major":
		return High, true
	case "medium", "moderate", "warning":
		return Medium, true
	case "low", "minor", "info", "nit", "suggestion":
		return Low, true
	}
	return "", false
}

func confidence(v any) float64 {
	var c float64
	switch v := v.(type) {
	case float64:
		c = v
	case string:
		switch strings.ToLower(v) {
		case "high":
			c = 0.9
		case "medium":
			c = 0.6
		case "low":
			c = 0.3
		}
	}
	if c > 1 && c <= 100 {
		c /= 100 // a percentage
	}
	return min(max(c, 0), 1)
}

// Rank orders severities: high 3, medium 2, low 1, anything else 0.
func Rank(severity string) int {
	switch severity {
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// Fails reports whether a finding reaches threshold (high, medium or low).
func (r Report) Fails(threshold string) bool {
	t := Rank(threshold)
	for _, f := range r.Findings {
		if t > 0 && Rank(f.Severity) >= t {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
