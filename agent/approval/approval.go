// Package approval decides which commands the model runs must be approved by the user first,
// and asks: the approval modes (untrusted, on-request, never), the rules that classify a
// command (needs the network, only reads), and the Gate that stands between the tools and the
// sandbox. It knows nothing of how the question is put to the user; a front end supplies the
// Asker.
package approval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"hew/agent/tools"
)

// The approval modes: when a command the model runs must be approved by the user first.
const (
	// Untrusted asks before every command except a few that only read.
	Untrusted = "untrusted"
	// OnRequest asks only for commands that step outside the sandbox policy, such as
	// those that need the network while it is off; approved, they run with the network on.
	OnRequest = "on-request"
	// Never never asks: commands run within the policy and fail where it forbids.
	Never = "never"
)

// Decision is the user's answer to an approval request.
type Decision int

// The decisions.
const (
	Deny         Decision = iota // do not run it; the model is told (with the note, if any)
	AllowOnce                    // run it this time
	AllowSession                 // run it, and the same command again without asking
	// AllowAlways is for tools only: call it, and the same tool from now on without asking,
	// in this session and later ones (the front end's Remember records it).
	AllowAlways
)

// Request describes a command waiting for the user's approval.
type Request struct {
	Command string
	// Reason says why approval is needed, such as "it needs the network".
	Reason string
	// Network reports that, if allowed, the command runs with the network on.
	Network bool
	// Tool, when set, makes this a question about calling an external tool (an MCP server's)
	// rather than running a command: Command then shows the call, its arguments included.
	// AllowAlways is a possible answer.
	Tool string
}

// Asker asks the user about a command and waits for the answer; note is the reason given
// with a denial. It must return when ctx is cancelled (the turn was interrupted).
type Asker func(ctx context.Context, req Request) (d Decision, note string)

// ErrDenied is wrapped by the error a denied command returns.
var ErrDenied = errors.New("the user denied running the command")

// denied is the error of a denial: ErrDenied, with the user's note when they gave one.
func denied(note string) error {
	if note = strings.TrimSpace(note); note != "" {
		return fmt.Errorf("%w: %s", ErrDenied, note)
	}
	return ErrDenied
}

// RunFunc runs a command in the sandbox, with the network on or off.
type RunFunc func(ctx context.Context, command string, timeout time.Duration, network bool) (tools.RunResult, error)

// Gate guards the commands the model runs with the user's approval. It is a tools.Runner, so
// the tools run commands through it; it is safe for concurrent use.
type Gate struct {
	inner   RunFunc
	network bool

	mu      sync.Mutex
	mode    string
	ask     Asker
	allowed map[string]bool
	tools   map[string]bool // external tools allowed for the session
	// remember records that a tool is always allowed (AllowAlways).
	remember func(tool string) error
}

// NewGate returns a gate in mode (one of the mode constants; empty means OnRequest) that asks
// through ask (nil: never asks) and runs what it lets through with inner. network is the
// sandbox policy's setting: a command that needs the network while it is off asks first.
func NewGate(inner RunFunc, network bool, mode string, ask Asker) (*Gate, error) {
	if mode == "" {
		mode = OnRequest
	}
	if err := CheckMode(mode); err != nil {
		return nil, err
	}
	return &Gate{inner: inner, network: network, mode: mode, ask: ask, allowed: map[string]bool{}, tools: map[string]bool{}}, nil
}

// Mode is the approval mode in force.
func (g *Gate) Mode() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.mode
}

// SetMode changes the approval mode.
func (g *Gate) SetMode(mode string) error {
	if err := CheckMode(mode); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.mode = mode
	return nil
}

// CheckMode reports an error unless mode is one of the mode constants.
func CheckMode(mode string) error {
	switch mode {
	case Untrusted, OnRequest, Never:
		return nil
	}
	return fmt.Errorf("approval mode %q: use untrusted, on-request or never", mode)
}

// Run asks when the mode says so, then runs command (with the network when that was the
// reason and it was allowed). The result's Waited says how long the answer took, also when the
// command was denied.
func (g *Gate) Run(ctx context.Context, command string, timeout time.Duration) (tools.RunResult, error) {
	g.mu.Lock()
	mode, ask, allowed := g.mode, g.ask, g.allowed[command]
	g.mu.Unlock()
	req, need := approvalNeeded(mode, command, g.network)
	if !need || ask == nil {
		return g.run(ctx, command, timeout, g.network)
	}
	var waited time.Duration
	if !allowed {
		asked := time.Now()
		d, note := ask(ctx, req)
		waited = time.Since(asked)
		if err := ctx.Err(); err != nil {
			return tools.RunResult{Waited: waited}, err
		}
		switch d {
		case AllowSession:
			g.mu.Lock()
			g.allowed[command] = true
			g.mu.Unlock()
		case AllowOnce:
		default:
			return tools.RunResult{Waited: waited}, denied(note)
		}
	}
	res, err := g.run(ctx, command, timeout, g.network || req.Network)
	res.Waited = waited
	return res, err
}

func (g *Gate) run(ctx context.Context, command string, timeout time.Duration, network bool) (tools.RunResult, error) {
	return g.inner(ctx, command, timeout, network)
}

// approvalNeeded says whether command needs approval in mode, and why.
func approvalNeeded(mode, command string, networkOn bool) (Request, bool) {
	req := Request{Command: command}
	net := !networkOn && needsNetwork(command)
	switch {
	case mode == Never:
		return req, false
	case net:
		req.Reason, req.Network = "it needs the network, which the sandbox keeps off", true
		return req, true
	case mode == Untrusted && !readOnlyCommand(command):
		req.Reason = "approval mode untrusted asks before every command that may change something"
		return req, true
	}
	return req, false
}

// networkCommands start commands that fetch from or send to the network.
var networkCommands = []string{
	"curl", "wget", "ssh", "scp", "rsync", "git clone", "git fetch", "git pull", "git push",
	"git ls-remote", "go get", "go mod download", "go install", "npm install", "npm i", "npm ci",
	"npx", "yarn", "pnpm install", "pnpm add", "pip install", "pip3 install", "uv pip install",
	"uv sync", "poetry install", "cargo install", "cargo fetch", "cargo update", "apt", "apt-get",
	"gem install", "bundle install", "docker pull", "docker push",
}

func needsNetwork(command string) bool {
	for _, seg := range segments(command) {
		if hasPrefixWord(seg, networkCommands) {
			return true
		}
	}
	return false
}

// segments splits a shell command into its pipeline and list parts, each without leading
// variable assignments, sudo or env.
func segments(command string) []string {
	var out []string
	for _, seg := range strings.FieldsFunc(command, func(r rune) bool { return strings.ContainsRune("|;&\n()", r) }) {
		words := strings.Fields(seg)
		for len(words) > 0 && (strings.Contains(words[0], "=") || words[0] == "sudo" || words[0] == "env") {
			words = words[1:]
		}
		if len(words) > 0 {
			out = append(out, strings.Join(words, " "))
		}
	}
	return out
}

// hasPrefixWord reports whether seg begins with one of prefixes as whole words.
func hasPrefixWord(seg string, prefixes []string) bool {
	for _, p := range prefixes {
		if seg == p || strings.HasPrefix(seg, p+" ") {
			return true
		}
	}
	return false
}
