// Package mcpserve is `hew mcp serve`: hew itself as an MCP server over stdio, so that other
// agents and editors can use its proposal layer. It offers two tools:
//
//   - run_task: run a task in the repository as `hew exec --accept never` does — the model
//     works in a proposal layer, nothing is written to the working tree — then run the test
//     command on the proposal, and return the proposal as a unified diff with the test result.
//   - review_diff: review a change with the model (the code-review pipeline of `hew review`):
//     a unified diff given as text, applied to the working tree in memory, or the uncommitted
//     changes, a branch against a base, or one commit.
//
// Sessions start through the engine's verbs, as every front end's do; the package builds the
// engine options and the review options through the functions its caller passes, so that the
// configuration is read as for any other command.
package mcpserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"hew/agent/codereview"
	"hew/agent/engine"
	"hew/agent/patch"
)

// Options say how to run sessions and reviews.
type Options struct {
	// Version is hew's version, as the server announces it.
	Version string
	// Engine starts an engine session for a task in the repository, with its acceptance mode
	// set to never.
	Engine func(ctx context.Context) (*engine.Engine, error)
	// Review returns the review options (provider, model) from the configuration.
	Review func(ctx context.Context) (codereview.Options, error)
	// Root is the repository served.
	Root string
}

// RunTaskArgs are run_task's arguments.
type RunTaskArgs struct {
	Prompt string `json:"prompt" jsonschema:"the task, as you would give it to a coding agent"`
}

// RunTaskResult is run_task's structured result.
type RunTaskResult struct {
	Session string   `json:"session" jsonschema:"the hew session id: 'hew resume ID' reviews and accepts the proposal"`
	Answer  string   `json:"answer" jsonschema:"the model's final answer"`
	Diff    string   `json:"diff" jsonschema:"the proposal as a unified diff; empty when the model changed nothing"`
	Files   []string `json:"files" jsonschema:"the files the proposal changes"`
	Tests   *Tests   `json:"tests,omitempty" jsonschema:"the test command's result on the proposal, when a test command is known"`
	Error   string   `json:"error,omitempty" jsonschema:"why the task did not finish, if it did not"`
}

// Tests is a test run's result.
type Tests struct {
	Command  string `json:"command"`
	Passed   bool   `json:"passed"`
	ExitCode int    `json:"exit_code"`
	Output   string `json:"output"`
}

// ReviewArgs are review_diff's arguments.
type ReviewArgs struct {
	Diff   string `json:"diff,omitempty" jsonschema:"a unified diff (git diff output) against the working tree; leave empty to review the uncommitted changes, or give base or commit"`
	Base   string `json:"base,omitempty" jsonschema:"review the current branch against this branch or commit"`
	Commit string `json:"commit,omitempty" jsonschema:"review this commit"`
}

// Server returns the MCP server.
func Server(o Options) *sdk.Server {
	s := sdk.NewServer(&sdk.Implementation{Name: "hew", Version: o.Version}, nil)
	var mu sync.Mutex // one task at a time: each works on the same repository
	sdk.AddTool(s, &sdk.Tool{Name: "run_task", Description: "Run a coding task with hew in this repository. hew's agent works in a proposal layer over the working tree (nothing is written to it), runs the project's tests on the proposal, and returns the proposal as a unified diff with the test result. The proposal stays pending in the returned hew session."},
		func(ctx context.Context, _ *sdk.CallToolRequest, a RunTaskArgs) (*sdk.CallToolResult, RunTaskResult, error) {
			if strings.TrimSpace(a.Prompt) == "" {
				return nil, RunTaskResult{}, errors.New("run_task needs a prompt")
			}
			mu.Lock()
			defer mu.Unlock()
			return runTask(ctx, o, a.Prompt)
		})
	sdk.AddTool(s, &sdk.Tool{Name: "review_diff", Description: "Review a change with hew's code review: give a unified diff, or nothing for the uncommitted changes, or base (a branch against it) or commit. Returns findings with file, lines, severity, confidence and explanation."},
		func(ctx context.Context, _ *sdk.CallToolRequest, a ReviewArgs) (*sdk.CallToolResult, codereview.Report, error) {
			return review(ctx, o, a)
		})
	return s
}

// Run serves over r and w until the client goes away or ctx ends.
func Run(ctx context.Context, o Options, r io.ReadCloser, w io.WriteCloser) error {
	return Server(o).Run(ctx, &sdk.IOTransport{Reader: r, Writer: w})
}

func runTask(ctx context.Context, o Options, prompt string) (*sdk.CallToolResult, RunTaskResult, error) {
	eng, err := o.Engine(ctx)
	if err != nil {
		return nil, RunTaskResult{}, fmt.Errorf("start a hew session: %w", err)
	}
	defer eng.Close()
	out := eng.RunTask(ctx, engine.Task{Prompt: prompt})
	res := RunTaskResult{Session: eng.SessionID(), Answer: strings.TrimSpace(out.Final), Files: []string{}}
	if out.ExitCode != 0 {
		res.Error = out.Reason
	}
	changes, err := eng.Changes()
	if err != nil {
		return nil, res, err
	}
	for _, c := range changes {
		res.Files = append(res.Files, c.Path)
	}
	if res.Diff, err = eng.Patch(); err != nil {
		return nil, res, err
	}
	if len(changes) > 0 && eng.Defaults().TestCmd != "" && res.Error == "" {
		tr, err := eng.RunTests(ctx, 0)
		if err != nil {
			res.Error = err.Error()
		} else {
			res.Tests = &Tests{Command: tr.Command, Passed: tr.Passed, ExitCode: tr.ExitCode, Output: tr.Output}
		}
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: taskText(res)}}, IsError: res.Error != ""}, res, nil
}

// taskText is run_task's result for people and models that read text.
func taskText(r RunTaskResult) string {
	var b strings.Builder
	if r.Error != "" {
		fmt.Fprintf(&b, "The task did not finish: %s\n\n", r.Error)
	}
	if r.Answer != "" {
		fmt.Fprintf(&b, "%s\n\n", r.Answer)
	}
	switch {
	case r.Tests == nil:
	case r.Tests.Passed:
		fmt.Fprintf(&b, "Tests: %s passed on the proposal.\n\n", r.Tests.Command)
	default:
		fmt.Fprintf(&b, "Tests: %s FAILED on the proposal (exit %d):\n%s\n\n", r.Tests.Command, r.Tests.ExitCode, r.Tests.Output)
	}
	if r.Diff == "" {
		b.WriteString("The proposal is empty: no file was changed.\n")
	} else {
		fmt.Fprintf(&b, "Proposal (hew session %s, not applied; 'hew resume %s' reviews and accepts it):\n%s", r.Session, r.Session, r.Diff)
	}
	return b.String()
}

func review(ctx context.Context, o Options, a ReviewArgs) (*sdk.CallToolResult, codereview.Report, error) {
	var (
		files  []codereview.File
		target string
		err    error
	)
	if a.Diff != "" {
		if a.Base != "" || a.Commit != "" {
			return nil, codereview.Report{}, errors.New("give diff, base or commit, not more than one")
		}
		target = "the given diff"
		files, err = diffFiles(o.Root, a.Diff)
	} else {
		t := codereview.Target{Base: a.Base, Commit: a.Commit}
		target = t.String()
		files, err = codereview.Collect(o.Root, t)
	}
	if err != nil {
		return nil, codereview.Report{}, err
	}
	if len(files) == 0 {
		return nil, codereview.Report{}, fmt.Errorf("nothing to review: %s has no changes", target)
	}
	ro, err := o.Review(ctx)
	if err != nil {
		return nil, codereview.Report{}, err
	}
	rep, err := codereview.Run(ctx, ro, target, files)
	if err != nil {
		return nil, codereview.Report{}, err
	}
	var b strings.Builder
	if err := rep.Write(&b, codereview.FormatText); err != nil {
		return nil, rep, err
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: b.String()}}}, rep, nil
}

// diffFiles applies a unified diff to the working tree at root in memory and returns the files
// it changes, old and new.
func diffFiles(root, diff string) ([]codereview.File, error) {
	p, err := patch.Parse(diff)
	if err != nil {
		return nil, fmt.Errorf("the diff does not parse: %w", err)
	}
	base := patch.DirFS(root)
	mem := &overlayFS{base: base, files: map[string][]byte{}}
	if _, err := patch.Apply(mem, p); err != nil {
		return nil, fmt.Errorf("the diff does not apply to the working tree: %w", err)
	}
	paths := make([]string, 0, len(mem.files))
	for p := range mem.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []codereview.File
	for _, p := range paths {
		old, err := base.ReadFile(p)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		f := codereview.File{Path: p, Old: old, New: mem.files[p]}
		f.Created, f.Deleted = old == nil, f.New == nil
		out = append(out, f)
	}
	return out, nil
}

// overlayFS is base with writes and removals kept in memory (a removed file maps to nil).
type overlayFS struct {
	base  patch.FS
	files map[string][]byte
}

func (o *overlayFS) ReadFile(name string) ([]byte, error) {
	if data, ok := o.files[path.Clean(name)]; ok {
		if data == nil {
			return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		}
		return data, nil
	}
	return o.base.ReadFile(name)
}

func (o *overlayFS) Stat(name string) (fs.FileInfo, error) {
	if data, ok := o.files[path.Clean(name)]; ok && data == nil {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return o.base.Stat(name)
}

func (o *overlayFS) WriteFile(name string, data []byte, _ fs.FileMode) error {
	if data == nil {
		data = []byte{}
	}
	o.files[path.Clean(name)] = data
	return nil
}

func (o *overlayFS) Remove(name string) error {
	o.files[path.Clean(name)] = nil
	return nil
}
