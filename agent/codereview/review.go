// Package codereview is the pipeline behind `hew review`: it asks a model to review a diff and
// reports its findings. (The hunk-by-hunk review of a proposal is tui/changeset's view over
// engine verbs; this package is code review of changes already made.)
//
// Collect gets the change from git (uncommitted work, a branch against its base, or one
// commit); Run splits it into requests that fit the model's context window (the files of one
// directory together), sends each with the code around every change and the review prompt,
// asks for findings as one JSON object, parses the answers robustly (asking once more when one
// is malformed), and merges the findings, dropping duplicates. Files it does not review are
// reported with the reason. A Report renders as text, JSON (a stable schema, see docs/ci.md),
// Markdown for a pull-request comment, or SARIF 2.1.0 for code scanning.
package codereview

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"hew/agent/llm"
	"hew/prompts"
)

// SchemaVersion is the version of the JSON report; it changes only when a field changes
// meaning or is removed. Version 2: a finding's start_line and end_line are absent when the
// finding has no line (they were 0), and skipped and requests were added.
const SchemaVersion = 2

// Severities, most severe first.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// Finding is one problem the model found. StartLine and EndLine are 0 when the finding is not
// tied to lines (the file as a whole); they are then left out of JSON and SARIF.
type Finding struct {
	Title        string  `json:"title"`
	File         string  `json:"file"`
	StartLine    int     `json:"start_line,omitempty"`
	EndLine      int     `json:"end_line,omitempty"`
	Severity     string  `json:"severity"`
	Confidence   float64 `json:"confidence"`
	Explanation  string  `json:"explanation"`
	SuggestedFix string  `json:"suggested_fix,omitempty"`
}

// Report is the result of a review.
type Report struct {
	Version int    `json:"version"`
	Target  string `json:"target"`
	Model   string `json:"model"`
	// Files are the files reviewed; Skipped the changed files that were not, with the reason.
	Files    []string  `json:"files"`
	Skipped  []Skipped `json:"skipped"`
	Summary  string    `json:"summary"`
	Findings []Finding `json:"findings"`
	// Requests counts the requests sent: the change's parts (split to fit the window), asked
	// again when an answer was unusable, any a server refused as too large, and the one that
	// summarises a split review. (Retries after network errors are not counted.)
	Requests int       `json:"requests"`
	Usage    llm.Usage `json:"usage"`
	CostUSD  float64   `json:"cost_usd"`
	// Error says why part of the review failed; empty when every request succeeded.
	Error string `json:"error,omitempty"`
}

// NewReport returns the report of a review of target that has not run: no files, no findings.
func NewReport(target, model string) Report {
	return Report{Version: SchemaVersion, Target: target, Model: model, Files: []string{}, Skipped: []Skipped{}, Findings: []Finding{}}
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
	// Window is the model's context window in tokens; 0 means DefaultWindow. No request is
	// built larger than fits it with room for the answer.
	Window int64
	// Exclude lists patterns of files not to review, besides DefaultExcludes.
	Exclude []string
	// Jobs is how many requests are in flight at once; 0 means 4.
	Jobs int
	// Progress, when set, is called as each request of a review split into several ends, with
	// how many have ended and how many there are. Calls may come from several goroutines.
	Progress func(done, total int)
}

// DefaultWindow is the context window assumed when Options.Window is 0.
const DefaultWindow = 32768

// ErrMalformed reports a model answer that was not the JSON asked for, twice.
var ErrMalformed = errors.New("the model's review is not valid JSON")

// ErrWindowTooSmall reports a context window too small to hold the review prompt and an answer.
var ErrWindowTooSmall = errors.New("the model's context window is too small for a review")

// MaxRequestBytes caps the change one request carries, whatever the window: a model reviews a
// smaller change more closely, and the requests of a large one run side by side.
const MaxRequestBytes = 300 << 10

// budget returns how many bytes of change one request may carry in o's window: 90% of the
// window, less room for the answer, the instructions and a retry's note, at three bytes a token
// (source code tokenises densely), and at most MaxRequestBytes.
func (o Options) budget() (int, error) {
	window := o.Window
	if window <= 0 {
		window = DefaultWindow
	}
	answer := min(max(window/4, 1024), 32768)
	if o.MaxOutputTokens > 0 {
		answer = int64(o.MaxOutputTokens)
	}
	system := int64(len(prompts.Text("review.md"))/3 + 1)
	tokens := window*9/10 - answer - system - 400
	bytes := int(tokens)*3 - 1024 // the header and the retry note
	if bytes < 2048 {
		return 0, fmt.Errorf("%w: %d tokens leave no room for the change once the instructions and the answer (%d tokens) are counted; use a model with a larger window, or set context in [[models]] if it has one", ErrWindowTooSmall, window, answer)
	}
	return min(bytes, MaxRequestBytes), nil
}

// result is what one request gave.
type result struct {
	requests int // sent: 2 when the first answer was unusable
	summary  string
	findings []Finding
	usage    llm.Usage
	cost     float64
	err      error
}

// Run reviews files (of target, named for the report): it splits them into requests that fit
// o.Window, sends them (o.Jobs at a time), and merges the findings. The report always lists
// every file, reviewed or skipped with the reason. When a request fails, its files are skipped
// as SkipFailed, the other requests' findings are kept, and Run returns the report with the
// first such error; the error is the context's when ctx ends first.
func Run(ctx context.Context, o Options, target string, files []File) (Report, error) {
	r := NewReport(target, o.Model)
	budget, err := o.budget()
	if err != nil {
		return r, err
	}
	if err := ValidateExcludes(o.Exclude); err != nil {
		return r, err
	}
	exclude := append(DefaultExcludes(), o.Exclude...)
	if o.Context <= 0 {
		o.Context = 20
	}
	chunks, skipped := plan(files, budget, o.Context, exclude)
	r.Skipped = append(r.Skipped, skipped...)
	results := o.askAll(ctx, target, chunks)

	// A server that refuses a request as over a smaller window than assumed names its window:
	// the files of the refused requests are planned again for it and sent once more.
	if w := refusedWindow(results); w > 0 && ctx.Err() == nil {
		small := o
		small.Window = w
		if b, err := small.budget(); err == nil {
			byPath := map[string]File{}
			for _, f := range files {
				byPath[f.Path] = f
			}
			var redo []File
			for i, res := range results {
				if llm.KindOf(res.err) != llm.ErrContextOverflow {
					continue
				}
				for _, p := range chunks[i].paths() {
					redo = append(redo, byPath[p])
				}
				// The refused request is counted, with its usage, but reports nothing.
				chunks[i], results[i] = chunk{}, result{usage: res.usage, cost: res.cost, requests: res.requests}
			}
			again, skipped := plan(redo, b, o.Context, exclude)
			r.Skipped = append(r.Skipped, skipped...)
			chunks = append(chunks, again...)
			results = append(results, small.askAll(ctx, target, again)...)
		}
	}

	var firstErr error
	var summaries []string
	var found []Finding
	for i, res := range results {
		r.Requests += res.requests
		r.Usage = r.Usage.Add(res.usage)
		r.CostUSD += res.cost
		if res.err != nil {
			if firstErr == nil || (ctx.Err() != nil && !errors.Is(firstErr, ctx.Err())) {
				firstErr = res.err
			}
			for _, p := range chunks[i].paths() {
				r.Skipped = append(r.Skipped, Skipped{p, SkipFailed, clip(res.err.Error(), 300)})
			}
			continue
		}
		r.Files = append(r.Files, chunks[i].paths()...)
		if res.summary != "" {
			summaries = append(summaries, res.summary)
		}
		found = append(found, res.findings...)
	}
	r.Files = unique(r.Files)
	r.Skipped = dropReviewed(r.Skipped, r.Files)
	sort.SliceStable(r.Skipped, func(i, j int) bool { return r.Skipped[i].Path < r.Skipped[j].Path })
	r.Summary = o.summarise(ctx, &r, summaries)
	r.Findings = Merge(found)
	if firstErr != nil {
		r.Error = firstErr.Error()
		if len(results) > 1 {
			firstErr = fmt.Errorf("%w (%d of %d parts of the review failed; their files are listed as not reviewed)", firstErr, failed(results), len(results))
		}
	}
	return r, firstErr
}

// summarise makes one summary of the parts' summaries: the one itself, or the model's summary
// of them all (one more small request, counted in r), or, when that fails, all of them.
func (o Options) summarise(ctx context.Context, r *Report, summaries []string) string {
	joined := strings.Join(summaries, "\n\n")
	if len(summaries) < 2 || ctx.Err() != nil {
		return joined
	}
	var b strings.Builder
	for i, s := range summaries {
		fmt.Fprintf(&b, "Part %d: %s\n\n", i+1, clip(s, 1000))
	}
	req := llm.Request{Model: o.Model, System: prompts.Text("review_summary.md"), MaxOutputTokens: o.MaxOutputTokens,
		ReasoningEffort: o.ReasoningEffort, Messages: []llm.Message{{Role: llm.RoleUser, Text: b.String()}}}
	if budget, err := o.budget(); err != nil || b.Len() > budget {
		return joined
	}
	resp, err := o.Provider.Stream(ctx, req, func(llm.Delta) {})
	r.Usage = r.Usage.Add(resp.Usage)
	if o.Cost != nil {
		r.CostUSD += o.Cost(resp.Usage)
	}
	r.Requests++
	text := strings.TrimSpace(resp.Message.Text)
	if err != nil || resp.Stop == llm.StopFiltered || text == "" || strings.HasPrefix(text, "{") {
		return joined
	}
	return clip(text, 1500)
}

// askAll sends the requests of chunks, o.Jobs at a time, and returns their results in order.
func (o Options) askAll(ctx context.Context, target string, chunks []chunk) []result {
	results := make([]result, len(chunks))
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = 4
	}
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, c := range chunks {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := ctx.Err(); err != nil {
				results[i].err = err
				return
			}
			var b strings.Builder
			b.WriteString(header(target, len(c.paths()), i+1, len(chunks)))
			for _, p := range c.parts {
				b.WriteString(p.text)
			}
			results[i] = o.ask(ctx, b.String())
			if o.Progress != nil && len(chunks) > 1 {
				mu.Lock()
				done++
				o.Progress(done, len(chunks))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return results
}

// windowRE finds the window in a server's refusal, as OpenAI and vLLM word it.
var windowRE = regexp.MustCompile(`(?i)maximum context length is (\d+) tokens`)

// refusedWindow returns the smallest window a refusal among results names, or 0.
func refusedWindow(results []result) int64 {
	var w int64
	for _, res := range results {
		if llm.KindOf(res.err) != llm.ErrContextOverflow {
			continue
		}
		if m := windowRE.FindStringSubmatch(res.err.Error()); m != nil {
			if n, _ := strconv.ParseInt(m[1], 10, 64); n > 0 && (w == 0 || n < w) {
				w = n
			}
		}
	}
	return w
}

// ask sends one review request, and once more with a note when the answer does not parse.
// The retry repeats the request rather than continuing the conversation, so it is no larger
// than the budget allows.
func (o Options) ask(ctx context.Context, prompt string) result {
	var res result
	text := prompt
	for attempt := 1; ; attempt++ {
		req := llm.Request{Model: o.Model, System: prompts.Text("review.md"), Messages: []llm.Message{{Role: llm.RoleUser, Text: text}},
			MaxOutputTokens: o.MaxOutputTokens, ReasoningEffort: o.ReasoningEffort}
		resp, err := o.Provider.Stream(ctx, req, func(llm.Delta) {})
		res.requests++
		res.usage = res.usage.Add(resp.Usage)
		if o.Cost != nil {
			res.cost += o.Cost(resp.Usage)
		}
		if err != nil {
			res.err = fmt.Errorf("ask the model for a review: %w", err)
			return res
		}
		if resp.Stop == llm.StopFiltered {
			// What arrived is a filter's stub, not a review: asking again would get the same.
			res.err = fmt.Errorf("the review was stopped by a content filter or guardrail (%s)", cmp.Or(resp.StopDetail, "no detail given"))
			return res
		}
		summary, findings, perr := Parse(resp.Message.Text)
		if perr == nil {
			res.summary, res.findings = summary, findings
			return res
		}
		if attempt == 2 {
			res.err = fmt.Errorf("%w (asked twice; the last answer began %q): %v", ErrMalformed, clip(resp.Message.Text, 120), perr)
			return res
		}
		text = prompt + fmt.Sprintf("\n\nYour previous answer to this request could not be used: %s. Answer again with only the JSON object in the shape the instructions give, with no other text.", clip(perr.Error(), 200))
	}
}

func failed(results []result) int {
	n := 0
	for _, r := range results {
		if r.err != nil {
			n++
		}
	}
	return n
}

// unique sorts paths and drops repeats.
func unique(paths []string) []string {
	slices.Sort(paths)
	return slices.Compact(paths)
}

// dropReviewed removes from skipped the files that were reviewed after all (a large file
// split across requests of which some succeeded stays reviewed, with the failure noted once).
func dropReviewed(skipped []Skipped, files []string) []Skipped {
	done := map[string]bool{}
	for _, f := range files {
		done[f] = true
	}
	out := []Skipped{}
	seen := map[Skipped]bool{}
	for _, s := range skipped {
		if (s.Reason == SkipFailed && done[s.Path]) || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// Merge orders findings most severe first (then by file and line) and drops duplicates: two
// findings on the same file whose titles say the same (case, spacing and punctuation aside)
// and whose lines overlap are one, the more severe or more confident kept.
func Merge(findings []Finding) []Finding {
	out := []Finding{}
	for _, f := range findings {
		dup := -1
		for i, g := range out {
			if g.File == f.File && sameTitle(g.Title, f.Title) && overlap(g, f) {
				dup = i
				break
			}
		}
		switch {
		case dup < 0:
			out = append(out, f)
		case Rank(f.Severity) > Rank(out[dup].Severity) || (Rank(f.Severity) == Rank(out[dup].Severity) && f.Confidence > out[dup].Confidence):
			out[dup] = f
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if Rank(a.Severity) != Rank(b.Severity) {
			return Rank(a.Severity) > Rank(b.Severity)
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.StartLine < b.StartLine
	})
	return out
}

func sameTitle(a, b string) bool { return squash(a) == squash(b) }

// squash keeps the lower-cased letters and digits of s.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// overlap reports whether two findings' line ranges meet; findings without lines meet each
// other only.
func overlap(a, b Finding) bool {
	if a.StartLine == 0 || b.StartLine == 0 {
		return a.StartLine == b.StartLine
	}
	return a.StartLine <= b.EndLine && b.StartLine <= a.EndLine
}

// Parse reads the model's answer: one JSON object with "summary" and "findings", possibly
// wrapped in a Markdown fence or surrounded by prose. Severities are normalised to high,
// medium or low (an unknown one to medium), confidences clamped to [0, 1], line numbers read
// from numbers or numeric strings (a missing, null, zero or negative line means none) and
// line ranges ordered. A finding without a title or a file makes the answer unusable.
func Parse(text string) (string, []Finding, error) {
	raw, err := jsonObject(text)
	if err != nil {
		return "", nil, err
	}
	var ans struct {
		Summary  any `json:"summary"`
		Findings []struct {
			Title        any `json:"title"`
			File         any `json:"file"`
			Path         any `json:"path"`
			StartLine    any `json:"start_line"`
			EndLine      any `json:"end_line"`
			Line         any `json:"line"`
			Severity     any `json:"severity"`
			Confidence   any `json:"confidence"`
			Explanation  any `json:"explanation"`
			SuggestedFix any `json:"suggested_fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(raw), &ans); err != nil {
		return "", nil, fmt.Errorf("the JSON object does not have the review's shape: %v", err)
	}
	out := []Finding{}
	for i, a := range ans.Findings {
		f := Finding{Title: str(a.Title), File: str(a.File), Explanation: str(a.Explanation), SuggestedFix: str(a.SuggestedFix)}
		if f.File == "" {
			f.File = str(a.Path)
		}
		if strings.TrimSpace(f.Title) == "" || strings.TrimSpace(f.File) == "" {
			return "", nil, fmt.Errorf("finding %d has no title or file", i+1)
		}
		f.Severity = severity(str(a.Severity))
		f.Confidence = confidence(a.Confidence)
		f.StartLine, f.EndLine = line(a.StartLine), line(a.EndLine)
		if f.StartLine == 0 {
			f.StartLine = line(a.Line)
		}
		switch {
		case f.StartLine == 0:
			f.EndLine = 0
		case f.EndLine < f.StartLine:
			f.EndLine = f.StartLine
		}
		f.File = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(f.File), "b/"), "./")
		out = append(out, f)
	}
	return strings.TrimSpace(str(ans.Summary)), out, nil
}

// str reads a JSON value as text: a string as it is, a number or boolean as written, and null
// or anything else as "".
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// line reads a line number: a positive whole number or numeric string; anything else is 0.
func line(v any) int {
	switch v := v.(type) {
	case float64:
		if v >= 1 && v < 1e9 {
			return int(v)
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 1 {
			return n
		}
	}
	return 0
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

// severity normalises what the model calls a severity to high, medium or low; a word it does
// not know is medium, so a finding is never lost for its label.
func severity(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "blocker", "high", "error", "major", "severe", "urgent", "security":
		return High
	case "low", "minor", "info", "informational", "nit", "nitpick", "suggestion", "note", "trivial", "style", "optional":
		return Low
	}
	return Medium
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
