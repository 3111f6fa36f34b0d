package mcp

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"mvdan.cc/sh/v3/syntax"

	"hew/agent/config"
	"hew/sandbox"
)

// serverLifetime bounds a sandboxed server's process: the session's length at most.
const serverLifetime = 7 * 24 * time.Hour

// stderrKept is how much of a server's standard error is kept to say why it died.
const stderrKept = 4 << 10

// baseEnv are the variables of hew's environment every stdio server gets: they describe the
// machine, not the user's accounts.
var baseEnv = []string{"PATH", "LANG", "LANGUAGE", "TZ", "TERM"}

// serverEnv is a stdio server's environment: PATH, the locale and the time zone from hew's
// environment, and the variables the configuration names, with $NAME references expanded.
func (s *server) serverEnv() (base, configured []string, err error) {
	get := lookup(s.m.o.Env)
	for _, kv := range s.m.o.Env {
		name, _, _ := strings.Cut(kv, "=")
		if slices.Contains(baseEnv, name) || strings.HasPrefix(name, "LC_") {
			base = append(base, kv)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.cfg.Env)) {
		v, err := config.ExpandEnv(s.cfg.Env[k], get)
		if err != nil {
			return nil, nil, fmt.Errorf("env %s: %w", k, err)
		}
		configured = append(configured, k+"="+v)
	}
	return base, configured, nil
}

// workdir is the server's working directory: cwd relative to the workspace, or the workspace.
func (s *server) workdir() string {
	dir := s.m.o.Workspace
	if c := s.cfg.Cwd; c != "" {
		if filepath.IsAbs(c) {
			return c
		}
		dir = filepath.Join(dir, c)
	}
	return dir
}

// stdioTransport starts the server's process, in the sandbox unless its configuration opts
// out, and connects to its standard input and output.
func (s *server) stdioTransport() (sdk.Transport, error) {
	base, configured, err := s.serverEnv()
	if err != nil {
		return nil, err
	}
	run, err := s.runner(base, configured)
	if err != nil {
		return nil, err
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), serverLifetime)
	s.exited = make(chan struct{})
	wait, err := run(ctx, inR, outW)
	if err != nil {
		cancel()
		for _, f := range []*os.File{inR, inW, outR, outW} {
			f.Close()
		}
		return nil, err
	}
	go func() {
		s.exit = wait()
		inR.Close()
		outW.Close()
		close(s.exited)
	}()
	var once sync.Once
	s.kill = cancel
	s.stop = func() {
		once.Do(func() {
			inW.Close() // a server ends when its input does
			select {
			case <-s.exited:
			case <-time.After(2 * time.Second):
				cancel()
				<-s.exited
			}
			cancel()
			outR.Close()
		})
	}
	return &sdk.IOTransport{Reader: outR, Writer: inW}, nil
}

// executable is the server's program as the sandbox must show it: the command found on the
// server's PATH, or relative to its working directory, with links resolved.
func (s *server) executable(base []string) (string, error) {
	cmd := s.cfg.Command
	if !strings.Contains(cmd, "/") {
		path := lookup(base)("PATH")
		for _, dir := range filepath.SplitList(path) {
			if p := filepath.Join(dir, cmd); isExecutable(p) {
				cmd = p
				break
			}
		}
	} else if !filepath.IsAbs(cmd) {
		cmd = filepath.Join(s.workdir(), cmd)
	}
	if !filepath.IsAbs(cmd) {
		return "", fmt.Errorf("%s not found", s.cfg.Command)
	}
	return filepath.EvalSymlinks(cmd)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// startFunc starts a server's process reading in and writing out; wait waits for it to end and
// says how it did.
type startFunc func(ctx context.Context, in, out *os.File) (wait func() string, err error)

// runner is how the server's process is started: in the sandbox, or (sandbox = false) as a
// plain child process in its own process group.
func (s *server) runner(base, configured []string) (startFunc, error) {
	if !s.cfg.Sandboxed() {
		return func(ctx context.Context, in, out *os.File) (func() string, error) {
			cmd := exec.CommandContext(ctx, s.cfg.Command, s.cfg.Args...)
			cmd.Env, cmd.Dir = append(base, configured...), s.workdir()
			tail := &tailBuffer{max: stderrKept}
			cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, tail
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			cmd.WaitDelay = time.Second
			if err := cmd.Start(); err != nil {
				return nil, fmt.Errorf("start %s: %w", s.cfg.Command, err)
			}
			return func() string {
				cmd.Wait()
				if ctx.Err() != nil {
					return "stopped by hew"
				}
				return describeExit(cmd.ProcessState.String(), tail.String())
			}, nil
		}, nil
	}
	sbOpts := s.m.o.Sandbox
	if exe, err := s.executable(base); err == nil {
		sbOpts.ReadPaths = append(slices.Clone(sbOpts.ReadPaths), exe)
	}
	sb, err := sandbox.New(sbOpts)
	if err != nil {
		return nil, fmt.Errorf("%w (set sandbox = false for this server to run it uncontained)", err)
	}
	words := append([]string{s.cfg.Command}, s.cfg.Args...)
	for i, w := range words {
		if words[i], err = syntax.Quote(w, syntax.LangPOSIX); err != nil {
			return nil, fmt.Errorf("command: %w", err)
		}
	}
	return func(ctx context.Context, in, out *os.File) (func() string, error) {
		spec := sandbox.Spec{
			Command: "exec " + strings.Join(words, " "), Dir: s.workdir(), Workspace: s.m.o.Workspace,
			Policy: sandbox.PolicyReadOnly, Network: s.cfg.Network, Env: base, ExtraEnv: configured,
			Timeout: serverLifetime, OutputLimit: stderrKept, Stdin: in, Stdout: out,
		}
		return func() string {
			res, err := sb.Run(ctx, spec)
			switch {
			case ctx.Err() != nil:
				return "stopped by hew"
			case err != nil:
				return fmt.Sprintf("the sandbox could not run it: %v", err)
			}
			return describeExit(fmt.Sprintf("exit status %d", res.ExitCode), res.Output)
		}, nil
	}, nil
}

// describeExit says how a process ended, with the end of what it wrote to standard error.
func describeExit(status, stderr string) string {
	stderr = strings.TrimSpace(stderr)
	if stderr == "" {
		return "it exited (" + status + ")"
	}
	if i := strings.LastIndexByte(stderr, '\n'); i >= 0 && len(stderr) > 400 {
		stderr = "…" + stderr[max(0, len(stderr)-400):]
	}
	return fmt.Sprintf("it exited (%s): %s", status, stderr)
}

// httpTransport is a streamable HTTP connection sending the configured headers.
func (s *server) httpTransport() (sdk.Transport, error) {
	get := lookup(s.m.o.Env)
	h := http.Header{}
	for _, k := range slices.Sorted(maps.Keys(s.cfg.Headers)) {
		v, err := config.ExpandEnv(s.cfg.Headers[k], get)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", k, err)
		}
		h.Set(k, v)
	}
	s.stop = func() {}
	client := &http.Client{Transport: headerTransport{base: http.DefaultTransport, header: h}}
	return &sdk.StreamableClientTransport{Endpoint: s.cfg.URL, HTTPClient: client, MaxRetries: 1, DisableStandaloneSSE: true}, nil
}

// headerTransport adds the configured headers to every request.
type headerTransport struct {
	base   http.RoundTripper
	header http.Header
}

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.header {
		r.Header[k] = v
	}
	return t.base.RoundTrip(r)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

func lookup(env []string) func(string) string {
	return func(name string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(env[i], name+"="); ok {
				return v
			}
		}
		return ""
	}
}
