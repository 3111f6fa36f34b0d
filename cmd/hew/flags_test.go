package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"hew/agent/config"
	"hew/cmd/hew/internal/patchcli"
	"hew/cmd/hew/internal/sandboxcli"
	"hew/sandbox"
)

// These tests check how each command parses its flags and arguments, in-process and without a
// repository or a model: a runF stub records the options the command would run with.

// parse runs args through hew's command tree, as Main does, with the command newCmd makes (given
// a runF that records its options) in place of the command args name, and returns the options
// runF got (nil when it was not called) and the exit code.
func parse[T any](t *testing.T, ios *IO, newCmd func(*IO, func(*T) error) *cobra.Command, args ...string) (*T, int) {
	t.Helper()
	var got *T
	cmd := newCmd(ios, func(o *T) error { got = o; return nil })
	root := cmd
	if cmd.Name() != "hew" {
		root = newRootCmd(ios, nil)
		old, _, err := root.Find(args)
		if err != nil || old == root {
			t.Fatalf("%v names no subcommand: %v", args, err)
		}
		parent := old.Parent()
		parent.RemoveCommand(old)
		parent.AddCommand(cmd)
	}
	return got, execute(t.Context(), root, args, ios)
}

// parseOK is parse for a command line that must parse.
func parseOK[T any](t *testing.T, ios *IO, newCmd func(*IO, func(*T) error) *cobra.Command, args ...string) *T {
	t.Helper()
	got, code := parse(t, ios, newCmd, args...)
	if code != exitOK || got == nil {
		t.Fatalf("%q: exit %d, stderr %q", args, code, ios.ErrOut)
	}
	return got
}

// usageCase is a command line that must be refused as a usage error (exit 2) before the command
// runs, with a message that holds want: what to do instead.
type usageCase struct {
	args []string
	want string
}

func checkUsage[T any](t *testing.T, newCmd func(*IO, func(*T) error) *cobra.Command, cases []usageCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			ios, _, errOut := testIO(t, t.TempDir(), nil)
			got, code := parse(t, ios, newCmd, c.args...)
			if code != exitUsage || got != nil || !strings.Contains(errOut.String(), c.want) {
				t.Errorf("exit %d, ran: %v, stderr %q; want exit 2 before running, saying %q", code, got != nil, errOut, c.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestFlagsRoot(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	got := parseOK(t, ios, newRootCmd, "fix", "the bug", "-m", "gpt-5", "--provider", "openai", "--region", "eu-west-1",
		"--profile", "work", "--sandbox", "read-only", "--network")
	want := &rootOptions{IO: ios, Prompt: "fix the bug", Session: sessionFlags{Provider: ptr("openai"), Model: ptr("gpt-5"),
		Region: ptr("eu-west-1"), Profile: ptr("work"), Sandbox: ptr("read-only"), Network: ptr(true)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := parseOK(t, ios, newRootCmd); !reflect.DeepEqual(got, &rootOptions{IO: ios}) {
		t.Errorf("no arguments: %+v, want no prompt and no flags", got)
	}
	checkUsage(t, newRootCmd, []usageCase{
		{[]string{"--frob"}, "unknown flag: --frob (see 'hew --help')"},
		{[]string{"--network=maybe"}, "invalid argument"},
	})
}

func TestFlagsExec(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	got := parseOK(t, ios, newExecCmd, "exec", "--json", "--accept", "auto", "--test-cmd", "make check", "--branch", "hew/x",
		"--patch-out", "p.diff", "--max-turns", "7", "--max-cost", "0.5", "--max-tokens", "9000", "--timeout", "90s",
		"--provider", "bedrock", "--model", "m1", "--sandbox", "full-access", "--network", "--resume", "abc", "fix", "it")
	want := &execOptions{IO: ios, Prompt: "fix it", JSON: true, Accept: "auto", Branch: "hew/x", PatchOut: "p.diff",
		TestCmd: ptr("make check"), MaxTurns: ptr(7), MaxCost: ptr(0.5), MaxTokens: ptr(int64(9000)), Timeout: ptr(90 * time.Second),
		Session: sessionFlags{Provider: ptr("bedrock"), Model: ptr("m1"), Sandbox: ptr("full-access"), Network: ptr(true)},
		Resume:  "abc"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	t.Run("defaults", func(t *testing.T) {
		got := parseOK(t, ios, newExecCmd, "exec", "--commit", "fix it")
		if want := (&execOptions{IO: ios, Prompt: "fix it", Commit: true}); !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("a flag given its zero value still overrides the configuration", func(t *testing.T) {
		got := parseOK(t, ios, newExecCmd, "exec", "--max-cost", "0", "--test-cmd", "", "--network=false", "x")
		if got.MaxCost == nil || *got.MaxCost != 0 || got.TestCmd == nil || got.Session.Network == nil || *got.Session.Network {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("resume", func(t *testing.T) {
		for _, args := range [][]string{{"--last"}, {"--resume", "last"}, {"--resume", "--last"}, {"--resume=last", "--last"}} {
			got := parseOK(t, ios, newExecCmd, append(append([]string{"exec"}, args...), "next")...)
			if !got.Last || got.Resume != "" {
				t.Errorf("%q: Resume %q Last %v, want the newest session", args, got.Resume, got.Last)
			}
		}
	})
	t.Run("prompt from standard input", func(t *testing.T) {
		for _, args := range [][]string{{"exec", "-"}, {"exec"}} {
			ios, _, _ := testIO(t, t.TempDir(), nil)
			ios.In = strings.NewReader("  what is this repo?\n")
			if got := parseOK(t, ios, newExecCmd, args...); got.Prompt != "what is this repo?" {
				t.Errorf("%q: prompt %q", args, got.Prompt)
			}
		}
	})
	t.Run("no prompt", func(t *testing.T) {
		ios, _, errOut := testIO(t, t.TempDir(), nil)
		ios.InIsTerminal = true
		if got, code := parse(t, ios, newExecCmd, "exec"); got != nil || code != exitUsage || !strings.Contains(errOut.String(), "pass it as an argument or on standard input") {
			t.Errorf("terminal and no argument: exit %d, stderr %q", code, errOut)
		}
		ios, _, errOut = testIO(t, t.TempDir(), nil)
		ios.In = strings.NewReader(" \n")
		if got, code := parse(t, ios, newExecCmd, "exec", "-"); got != nil || code != exitUsage || !strings.Contains(errOut.String(), "the prompt on standard input is empty") {
			t.Errorf("empty standard input: exit %d, stderr %q", code, errOut)
		}
	})
	checkUsage(t, newExecCmd, []usageCase{
		{[]string{"exec", "--accept", "sometimes", "x"}, `--accept "sometimes": use tests, auto or never`},
		{[]string{"exec", "--accept", "never", "--commit", "x"}, "use --accept tests or --accept auto"},
		{[]string{"exec", "--accept", "never", "--branch", "b", "x"}, "use --accept tests or --accept auto"},
		{[]string{"exec", "--resume", "abc", "--last", "x"}, "give a session id or --last, not both"},
		{[]string{"exec", "--max-turns", "many", "x"}, "invalid argument"},
		{[]string{"exec", "--max-turns", "0", "x"}, "--max-turns must be 1 or more (got 0)"},
		{[]string{"exec", "--max-turns", "-2", "x"}, "--max-turns must be 1 or more (got -2)"},
		{[]string{"exec", "--timeout", "10", "x"}, "see 'hew exec --help'"},
		{[]string{"exec", "--frob", "x"}, "unknown flag: --frob"},
	})
}

func TestFlagsReview(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	got := parseOK(t, ios, newReviewCmd, "review", "--base", "main", "--format", "markdown", "--fail-on", "medium",
		"-m", "m2", "--provider", "openai", "--region", "r", "--profile", "p")
	want := &reviewOptions{IO: ios, Base: "main", Format: "markdown", FailOn: "medium", Jobs: 4, Timeout: defaultReviewTimeout,
		Session: sessionFlags{Provider: ptr("openai"), Model: ptr("m2"), Region: ptr("r"), Profile: ptr("p")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := parseOK(t, ios, newReviewCmd, "review"); !reflect.DeepEqual(got, &reviewOptions{IO: ios, Format: "text", Jobs: 4, Timeout: defaultReviewTimeout}) {
		t.Errorf("defaults: %+v, want the uncommitted changes as text", got)
	}
	if got := parseOK(t, ios, newReviewCmd, "review", "--uncommitted"); !got.Uncommitted {
		t.Errorf("--uncommitted: %+v", got)
	}
	if got := parseOK(t, ios, newReviewCmd, "review", "--commit", "HEAD~2"); got.Commit != "HEAD~2" {
		t.Errorf("--commit HEAD~2: %+v", got)
	}
	checkUsage(t, newReviewCmd, []usageCase{
		{[]string{"review", "--base", "main", "--commit", "HEAD"}, "give one of --uncommitted, --base REF and --commit SHA"},
		{[]string{"review", "--uncommitted", "--base", "main"}, "give one of --uncommitted, --base REF and --commit SHA"},
		{[]string{"review", "--format", "xml"}, `--format "xml": use text, json, markdown or sarif`},
		{[]string{"review", "--output", "review.json"}, `--output "review.json": give FORMAT=FILE with FORMAT one of text, json, markdown or sarif`},
		{[]string{"review", "--output", "json=no/such/dir/r.json"}, "the directory"},
		{[]string{"review", "--exclude", "a[b"}, `exclude pattern "a[b" is not a valid glob`},
		{[]string{"review", "--jobs", "0"}, "--jobs 0: give 1 or more"},
		{[]string{"review", "--fail-on", "urgent"}, `--fail-on "urgent": use high, medium or low`},
		{[]string{"review", "HEAD"}, `unknown command "HEAD"`},
		{[]string{"review", "--sandbox", "read-only"}, "unknown flag: --sandbox"},
		{[]string{"review", "--timeout", "-1s"}, "--timeout -1s: give a positive duration"},
	})
}

func TestFlagsPatchApply(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	got := parseOK(t, ios, newPatchApplyCmd, "patch", "apply", "--check", "-C", "sub", "fix.diff")
	if want := (&patchApplyOptions{IO: ios, Options: patchcli.Options{Check: true, Dir: "sub", File: "fix.diff"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := parseOK(t, ios, newPatchApplyCmd, "patch", "apply"); !reflect.DeepEqual(got, &patchApplyOptions{IO: ios}) {
		t.Errorf("defaults: %+v, want standard input in the working directory", got)
	}
	if got := parseOK(t, ios, newPatchApplyCmd, "patch", "apply", "--directory=x", "-"); got.Dir != "x" || got.File != "-" {
		t.Errorf("--directory and -: %+v", got)
	}
	checkUsage(t, newPatchApplyCmd, []usageCase{
		{[]string{"patch", "apply", "a", "b"}, "accepts at most 1 arg"},
		{[]string{"patch", "apply", "--frob"}, "unknown flag: --frob"},
	})
}

// The early start of "hew patch apply" (patchcli) reads a command line as cobra does, or leaves
// it to cobra.
func TestFlagsPatchApplyEarlyStart(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	for _, args := range [][]string{
		{"patch", "apply"},
		{"patch", "apply", "-"},
		{"patch", "apply", "--check", "fix.diff"},
		{"patch", "apply", "fix.diff", "--check"},
		{"patch", "apply", "-C", "sub", "fix.diff"},
		{"patch", "apply", "-Csub", "--check"},
		{"patch", "apply", "-C=sub"},
		{"patch", "apply", "--directory", "sub", "-"},
		{"patch", "apply", "--directory=sub", "x.diff"},
		{"patch", "apply", "--", "-odd-name.diff"},
		{"patch", "apply", "-C", "a", "-C", "b"},
	} {
		o, ok := patchcli.ParseArgs(args)
		if !ok {
			t.Errorf("%q: left to cobra", args)
			continue
		}
		got := parseOK(t, ios, newPatchApplyCmd, args...)
		if got.Options != o {
			t.Errorf("%q: early start read %+v, cobra %+v", args, o, got.Options)
		}
	}
	for _, args := range [][]string{
		{"patch", "apply", "-h"},
		{"patch", "apply", "--help"},
		{"patch", "apply", "a", "b"},
		{"patch", "apply", "--check=false"},
		{"patch", "apply", "-C"},
		{"patch", "apply", "-C", ""},
		{"patch", "apply", "--verbose"},
		{"patch", "apply", "-x.diff"},
		{"patch"},
		{"patch", "--help"},
		{"exec", "patch", "apply"},
	} {
		if o, ok := patchcli.ParseArgs(args); ok {
			t.Errorf("%q: the early start took it (%+v); cobra must", args, o)
		}
	}
}

func TestFlagsSandbox(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	got := parseOK(t, ios, newSandboxCmd, "sandbox", "--network", "--timeout", "30s", "--policy", "read-only",
		"--backend", "landlock", "--", "echo", "a b")
	want := &sandboxOptions{IO: ios, Options: sandboxcli.Options{Command: `'echo' 'a b'`, Network: true, Timeout: 30 * time.Second,
		Policy: sandbox.PolicyReadOnly, Backend: "landlock"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	got = parseOK(t, ios, newSandboxCmd, "sandbox", "go test ./... | tail")
	want = &sandboxOptions{IO: ios, Options: sandboxcli.Options{Command: "go test ./... | tail", Timeout: 10 * time.Minute,
		Policy: sandbox.PolicyWorkspaceWrite, Backend: sandbox.BackendAuto}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults: got %+v\nwant %+v", got, want)
	}
	checkUsage(t, newSandboxCmd, []usageCase{
		{[]string{"sandbox", "--policy", "yolo", "--", "true"}, "yolo"},
		{[]string{"sandbox", "--timeout", "0s", "--", "true"}, "--timeout must be positive, e.g. --timeout 30s"},
		{[]string{"sandbox"}, "requires at least 1 arg"},
	})
}

// The early start of "hew sandbox" (sandboxcli) reads a command line as cobra does, or leaves it
// to cobra.
func TestFlagsSandboxEarlyStart(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	for _, args := range [][]string{
		{"sandbox", "--", "true"},
		{"sandbox", "true"},
		{"sandbox", "go test ./... | tail"},
		{"sandbox", "--network", "--timeout", "30s", "--policy", "read-only", "--backend", "landlock", "--", "echo", "a b"},
		{"sandbox", "--timeout=1m30s", "--policy=full-access", "--backend=bwrap", "--", "ls", "-la"},
		{"sandbox", "echo", "--network", "hi"},
		{"sandbox", "--backend", "", "--", "true"},
		{"sandbox", "--policy", "", "true"},
		{"sandbox", "--", "--network", "-x"},
		{"sandbox", "-", "x"},
		{"sandbox", "--timeout", "1s", "--timeout", "2s", "true"},
	} {
		o, ok := sandboxcli.ParseArgs(args)
		if !ok {
			t.Errorf("%q: left to cobra", args)
			continue
		}
		got := parseOK(t, ios, newSandboxCmd, args...)
		if got.Options != o {
			t.Errorf("%q: early start read %+v, cobra %+v", args, o, got.Options)
		}
	}
	for _, args := range [][]string{
		{"sandbox"},
		{"sandbox", "--"},
		{"sandbox", "-h"},
		{"sandbox", "--help", "true"},
		{"sandbox", "ls", "-la"},
		{"sandbox", "--network=false", "true"},
		{"sandbox", "--timeout", "0s", "true"},
		{"sandbox", "--timeout", "soon", "true"},
		{"sandbox", "--timeout"},
		{"sandbox", "--policy", "yolo", "true"},
		{"sandbox", "--frob", "true"},
		{"sandbox", "-network", "true"},
		{"exec", "sandbox", "true"},
	} {
		if o, ok := sandboxcli.ParseArgs(args); ok {
			t.Errorf("%q: the early start took it (%+v); cobra must", args, o)
		}
	}
}

func TestFlagsUndo(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	for args, want := range map[string]*undoOptions{
		"":                        {IO: ios},
		"--list":                  {IO: ios, List: true},
		"--to-checkpoint 1a2b3c4": {IO: ios, ToCheckpoint: "1a2b3c4"},
	} {
		if got := parseOK(t, ios, newUndoCmd, append([]string{"undo"}, strings.Fields(args)...)...); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %+v, want %+v", args, got, want)
		}
	}
	checkUsage(t, newUndoCmd, []usageCase{
		{[]string{"undo", "--list", "--to-checkpoint", "1a2b"}, "--list and --to-checkpoint cannot be used together"},
		{[]string{"undo", "HEAD"}, `unknown command "HEAD"`},
	})
}

func TestFlagsSessionsModelsDoctor(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	if got := parseOK(t, ios, newSessionsCmd, "sessions", "--all"); !reflect.DeepEqual(got, &sessionsOptions{IO: ios, All: true}) {
		t.Errorf("sessions --all: %+v", got)
	}
	if got := parseOK(t, ios, newSessionsCmd, "sessions"); got.All {
		t.Errorf("sessions: %+v, want this repository's only", got)
	}
	if got := parseOK(t, ios, newModelsCmd, "models", "--provider", "bedrock"); !reflect.DeepEqual(got, &modelsOptions{IO: ios, Provider: "bedrock"}) {
		t.Errorf("models --provider bedrock: %+v", got)
	}
	if got := parseOK(t, ios, newModelsCmd, "models"); got.Provider != "" {
		t.Errorf("models: %+v, want every provider", got)
	}
	if got := parseOK(t, ios, newDoctorCmd, "doctor"); !reflect.DeepEqual(got, &doctorOptions{IO: ios}) {
		t.Errorf("doctor: %+v", got)
	}
	checkUsage(t, newSessionsCmd, []usageCase{{[]string{"sessions", "x"}, `unknown command "x"`}})
	checkUsage(t, newModelsCmd, []usageCase{{[]string{"models", "--provider", "azure"}, `unknown provider "azure": use openai or bedrock`}})
	checkUsage(t, newDoctorCmd, []usageCase{{[]string{"doctor", "--fix"}, "unknown flag: --fix"}})
}

func TestFlagsResume(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	for args, want := range map[string]*resumeOptions{
		"20260101-abc":        {IO: ios, ID: "20260101-abc"},
		"20260101-abc --fork": {IO: ios, ID: "20260101-abc", Fork: true},
		"--last":              {IO: ios, Last: true},
		"last":                {IO: ios, Last: true},
		"--last --fork":       {IO: ios, Last: true, Fork: true},
	} {
		if got := parseOK(t, ios, newResumeCmd, append([]string{"resume"}, strings.Fields(args)...)...); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %+v, want %+v", args, got, want)
		}
	}
	checkUsage(t, newResumeCmd, []usageCase{
		{[]string{"resume"}, "name the session to resume (see 'hew sessions') or pass --last"},
		{[]string{"resume", "abc", "--last"}, "give a session id or --last, not both"},
		{[]string{"resume", "a", "b"}, "accepts at most 1 arg"},
	})
}

func TestUnitFlagsOverTheConfiguration(t *testing.T) {
	base := config.Defaults()
	base.Provider, base.Model, base.TestCmd, base.Limits.MaxTurns = "openai", "gpt-configured", "make test", 50

	cfg := base
	applySessionFlags(&cfg, sessionFlags{Provider: ptr("bedrock"), Network: ptr(true)})
	applyExecFlags(&cfg, &execOptions{MaxTurns: ptr(0), Timeout: ptr(time.Minute)})
	if cfg.Provider != "bedrock" || cfg.Model != "" || !cfg.Sandbox.Network || cfg.Limits.MaxTurns != 0 ||
		cfg.Limits.Timeout.Duration != time.Minute || cfg.TestCmd != "make test" || cfg.Sandbox.Policy != base.Sandbox.Policy {
		t.Errorf("--provider bedrock --network --max-turns 0 --timeout 1m over %+v gave %+v; want the configured model dropped, "+
			"the flags given applied and the rest kept", base, cfg)
	}
	cfg = base
	applySessionFlags(&cfg, sessionFlags{Provider: ptr("bedrock"), Model: ptr("m1"), Sandbox: ptr("read-only")})
	if cfg.Provider != "bedrock" || cfg.Model != "m1" || cfg.Sandbox.Policy != "read-only" {
		t.Errorf("--provider bedrock --model m1 --sandbox read-only gave %+v", cfg)
	}
	cfg = base
	applySessionFlags(&cfg, sessionFlags{})
	applyExecFlags(&cfg, &execOptions{})
	if !reflect.DeepEqual(cfg, base) {
		t.Errorf("no flags changed the configuration: %+v", cfg)
	}
}

func TestUnitIOGetenv(t *testing.T) {
	ios := &IO{Env: []string{"A=1", "B=x=y", "EMPTY=", "A=2", "NOEQUALS"}}
	for k, want := range map[string]string{"A": "2", "B": "x=y", "EMPTY": "", "MISSING": "", "NOEQUALS": ""} {
		if got := ios.Getenv(k); got != want {
			t.Errorf("Getenv(%q) = %q, want %q", k, got, want)
		}
	}
	sys := system()
	for _, k := range []string{"PATH", "HOME", "HEW_NOT_SET_ANYWHERE"} {
		if got, want := sys.Getenv(k), os.Getenv(k); got != want {
			t.Errorf("system().Getenv(%q) = %q, want the process's %q", k, got, want)
		}
	}
}

func TestUnitTestIO(t *testing.T) {
	ios, _, _ := testIO(t, "/work", map[string]string{"HOME": "", "OPENAI_API_KEY": "k"})
	if ios.Dir != "/work" || ios.Getenv("OPENAI_API_KEY") != "k" || ios.Getenv("XDG_STATE_HOME") == "" || ios.InIsTerminal {
		t.Errorf("testIO: %+v", ios)
	}
	for _, e := range ios.Env {
		if strings.HasPrefix(e, "HOME=") {
			t.Errorf("HOME mapped to \"\" is still set: %q", e)
		}
	}
}

// TestUnitOnlySystemReadsTheProcess keeps the commands on their IO: only system() reads the
// process's environment and working directory.
func TestUnitOnlySystemReadsTheProcess(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if ok && fn.Name.Name == "system" && fn.Recv == nil {
				continue
			}
			ast.Inspect(d, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "os" {
					switch sel.Sel.Name {
					case "Environ", "Getenv", "LookupEnv", "Getwd", "Stdin", "Stdout", "Stderr", "Args":
						if name == "main.go" && sel.Sel.Name == "Args" {
							return true
						}
						t.Errorf("%s: os.%s outside system(); use the command's IO", fset.Position(sel.Pos()), sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
}

func TestFlagsTrust(t *testing.T) {
	ios, _, _ := testIO(t, t.TempDir(), nil)
	if got := parseOK(t, ios, newTrustCmd, "trust", "../repo", "--revoke"); !reflect.DeepEqual(got, &trustOptions{IO: ios, Dir: "../repo", Revoke: true}) {
		t.Errorf("trust ../repo --revoke: %+v", got)
	}
	if got := parseOK(t, ios, newTrustCmd, "trust", "--list"); !got.List {
		t.Errorf("trust --list: %+v", got)
	}
	if got := parseOK(t, ios, newExecCmd, "exec", "--accept-control-files", "--run-changed-hooks", "--trust-project-config", "x"); !got.AcceptControlFiles || !got.RunChangedHooks || !got.Session.TrustProject {
		t.Errorf("exec: %+v", got)
	}
	if got := parseOK(t, ios, newReviewCmd, "review", "--trust-project-config"); !got.Session.TrustProject {
		t.Errorf("review: %+v", got)
	}
	checkUsage(t, newTrustCmd, []usageCase{
		{[]string{"trust", "--list", "--revoke"}, "--list takes no directory and no --revoke"},
		{[]string{"trust", "a", "b"}, "accepts at most 1 arg"},
	})
}
