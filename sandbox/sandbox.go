// Package sandbox runs commands contained: writes only to the workspace and scratch places, no
// network unless allowed, no credentials readable, a scrubbed environment, a timeout that ends the
// whole process tree, and output kept within a cap. On Linux the workspace can be overlaid with a
// proposal's upper directory so what a command writes lands there instead of in the real tree.
//
// # What a command sees
//
// Deny by default: the user's home, every other home, the XDG directories, runtime directories
// and the sockets of privileged services (session and system D-Bus, docker, ssh and gpg agents)
// are hidden (an empty read-only directory in their place on the mount-namespace backends,
// unreadable under Landlock); the host's /tmp is replaced by a private temp dir. The environment
// is an allow-list (see ScrubEnv). Every sandboxed process has no capabilities, no_new_privs,
// and has no controlling terminal (a new session where hew has one, else a process group of its
// own; the Landlock-only backend gives the terminal up). Resource limits (Limits) bound
// processes, memory and file sizes.
//
// # Scratch HOME and build caches
//
// Each command gets a fresh, empty HOME inside its private temp dir, removed afterwards: nothing a
// command writes there (a ~/.npmrc, a ~/.gitconfig, `go env -w GOFLAGS=...`, a .pth file) can
// change a later command. In a Go workspace (usesGo), where the backend controls a mount
// namespace (bwrap and namespaces), Go's build and module caches (GOCACHE and GOMODCACHE, in the private temp dir) are overlays whose lower layer is the user's own
// cache (GOCACHE and GOMODCACHE as the go command would compute them from the caller's
// environment), so a build finds what the user has already compiled. The upper layer, where the
// command's writes land, is fresh for each command and removed afterwards: nothing a command
// writes to a cache persists either. That is deliberate: the go command trusts its build cache,
// test results included, so a command that could leave an entry behind could make a later
// `go test` report "ok (cached)" for code that fails. The user's caches cannot be written from
// inside: overlayfs never writes a lower layer and the user's cache directories are hidden with
// the rest of the home. The Landlock-only and macOS backends have no mount namespace: their
// commands start from empty caches (Report says so), and full-access commands never read through.
package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Policy says how much a command may do.
type Policy string

// The policies. The zero Policy means PolicyWorkspaceWrite.
const (
	PolicyReadOnly       Policy = "read-only"
	PolicyWorkspaceWrite Policy = "workspace-write"
	PolicyFullAccess     Policy = "full-access"
)

// ParsePolicy checks a policy name from configuration or a flag.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case "":
		return PolicyWorkspaceWrite, nil
	case PolicyReadOnly, PolicyWorkspaceWrite, PolicyFullAccess:
		return p, nil
	}
	return "", fmt.Errorf("unknown sandbox policy %q (use read-only, workspace-write or full-access)", s)
}

// Backend names.
const (
	BackendAuto         = "auto"
	BackendBwrap        = "bwrap"
	BackendNamespaces   = "namespaces"
	BackendLandlock     = "landlock"
	BackendSandboxExec  = "sandbox-exec"
	BackendNone         = "none"
	uncontainedBackend  = "none (full-access: NOT CONTAINED)"
	defaultOutputLimit  = 64 << 10
	defaultTimeout      = 10 * time.Minute
	helperCleanupWindow = 2 * time.Second
)

// ErrOverlayUnsupported is returned by Run when Spec.Overlay is set but the backend cannot mount
// an overlay; the caller may run the command in a copy of the tree instead.
var ErrOverlayUnsupported = errors.New("sandbox: this backend cannot mount the proposal overlay")

// ErrNoContainment is returned by Run when no backend can contain the command and the policy is
// not full-access.
var ErrNoContainment = errors.New("sandbox: no backend can contain commands here (install bubblewrap, allow user namespaces, or enable Landlock; or choose the full-access policy)")

// Overlay is a proposal's upper layer. The workspace is the lower layer, mounted over its own path
// so absolute paths stay the same; what the command writes lands in Upper. Work is overlayfs's
// work directory, on the same file system as Upper.
type Overlay struct{ Upper, Work string }

// Spec describes one command to run.
type Spec struct {
	Command   string   // run with /bin/sh -c
	Dir       string   // working directory inside Workspace; empty means Workspace
	Workspace string   // absolute path of the repository root
	Overlay   *Overlay // nil: the workspace itself is writable (per Policy)
	Policy    Policy
	Network   bool
	Env       []string // starting environment; Run scrubs secrets from it
	AllowEnv  []string // names passed besides the allow-list; never a name or value that looks secret
	Timeout   time.Duration
	// OutputLimit is how many bytes of combined output are kept, head and tail; 0 means 64 KiB.
	OutputLimit int
	Stdin       io.Reader // nil means no input
	// Stdout, when set, receives the command's standard output as it is written instead of
	// Result.Output, which then holds standard error alone: a long-running server speaking a
	// protocol on its standard streams (an MCP server). Pass an *os.File (a pipe) so that no
	// copying goroutine outlives the command.
	Stdout io.Writer
	// ExtraEnv are NAME=value entries set after the environment is scrubbed: values the user
	// configured for this command by name (an MCP server's token), which the scrubbing would
	// otherwise drop for looking like credentials. Only the caller's configuration may supply
	// them.
	ExtraEnv []string
	// GitWritable lets the command write the repository's .git directory (git hooks update the
	// index and write objects) except its config and hooks directory, which stay read-only,
	// as do the paths in ReadOnly. Without it the whole of .git is read-only.
	GitWritable bool
	// ReadOnly lists further paths inside the workspace the command may not write, such as a
	// hooks directory named by core.hooksPath.
	ReadOnly []string
}

// Result is what a finished command left behind. A non-zero exit is a Result, not an error.
type Result struct {
	ExitCode     int    // 128+n when killed by signal n
	Output       string // combined output, capped, with an omission marker
	OmittedBytes int64
	TimedOut     bool
	Duration     time.Duration
	Backend      string // the containment used; says so loudly when there was none
	// Stopped says which limit stopped the command, for the model and the user, e.g. "stopped:
	// file size limit 1 GiB exceeded ..."; empty when none did as far as can be told.
	Stopped string
	// Notices are things the user should know about how the command was set up, such as an
	// allow_env variable that was not passed because it looks like a credential.
	Notices []string
}

// Options configure a Sandbox.
type Options struct {
	// Backend is "auto" (or empty), "bwrap", "namespaces", "landlock", "sandbox-exec" or "none".
	Backend string
	// Executable is the hew binary re-executed as the helper stage; empty means os.Executable.
	Executable string
	// HomeDir is no longer used: each command gets a fresh scratch HOME in its private temp dir,
	// removed when it ends. The field stays so existing callers compile.
	HomeDir string
	// Limits bound each command's processes, memory and file sizes; the zero value means the
	// defaults.
	Limits Limits
	// ReadPaths are directories under a hidden place (the home) that commands may read, such as
	// a toolchain installed there (~/.nvm, ~/.rustup, ~/.cargo/bin). New refuses one that holds
	// or lies inside a credential location, or that is a home itself.
	ReadPaths []string
	// VerdictFile, if set, is a file where New remembers that bubblewrap works here, and what
	// the namespaces probe found (whether the helper stage can mount the proposal and
	// read-through overlays), so that later Sandboxes need not start either to check: the
	// verdict holds while bubblewrap, the boot, the namespaces hew runs in, its security label,
	// the kernel's user namespace settings and the temp dir stay the same, and is dropped when
	// bubblewrap fails to set up a command or an overlay cannot be mounted. DefaultVerdictFile
	// names hew's.
	VerdictFile string
}

// DefaultVerdictFile is where hew keeps its VerdictFile, as getenv (os.Getenv, or a stand-in)
// sets the environment: $XDG_CACHE_HOME/hew/bwrap-verdict, else under ~/.cache; "" (check every
// time) when neither is an absolute path.
func DefaultVerdictFile(getenv func(string) string) string {
	dir := getenv("XDG_CACHE_HOME")
	if !filepath.IsAbs(dir) {
		home := getenv("HOME")
		if !filepath.IsAbs(home) {
			return ""
		}
		dir = filepath.Join(home, ".cache")
	}
	return filepath.Join(dir, "hew", "bwrap-verdict")
}

// Sandbox runs commands with the backend chosen when it was made.
type Sandbox struct {
	opts    Options
	backend string // the backend commands run with
	// report is what New found; when rest is set, only what choosing the backend needed, and
	// full completes it once.
	report Report
	rest   func() Report
	once   sync.Once
}

// full returns the complete report, checking what New left for later.
func (s *Sandbox) full() *Report {
	s.once.Do(func() {
		if s.rest != nil {
			s.report = s.rest()
		}
	})
	return &s.report
}

// Report says which backend is used and why each better one is not.
type Report struct {
	Backend    string // the chosen backend; "none" when nothing can contain commands
	CanOverlay bool   // whether Spec.Overlay can be mounted
	// ReadThrough reports whether commands read through the user's Go caches (see the package
	// comment); ReadThroughDetail says how, or why not.
	ReadThrough       bool
	ReadThroughDetail string
	Checks            []Check // every backend of this platform, best first
}

// Check is the verdict on one backend.
type Check struct {
	Backend   string
	Available bool
	Overlay   bool   // whether it can mount the proposal overlay
	Detail    string // why it is unavailable, or what it provides
	// ReadThrough reports whether its commands read through the user's Go caches; CacheDetail
	// says how, or why not.
	ReadThrough bool
	CacheDetail string
}

// choose makes backend r's chosen one, with what it can do.
func (r *Report) choose(backend string) {
	r.Backend, r.CanOverlay, r.ReadThrough, r.ReadThroughDetail = backend, false, false, ""
	for _, c := range r.Checks {
		if c.Backend == backend && c.Available {
			r.CanOverlay, r.ReadThrough, r.ReadThroughDetail = c.Overlay, c.ReadThrough, c.CacheDetail
		}
	}
}

// String renders the report for people, one backend a line.
func (r Report) String() string {
	var b strings.Builder
	if r.Backend == BackendNone {
		fmt.Fprintf(&b, "sandbox: NONE — commands are refused unless the policy is full-access, which runs them NOT CONTAINED\n")
	} else {
		fmt.Fprintf(&b, "sandbox: %s (proposal overlay: %v)\n", r.Backend, r.CanOverlay)
		fmt.Fprintf(&b, "  build caches: %s\n", r.ReadThroughDetail)
	}
	for _, c := range r.Checks {
		mark := "unavailable"
		if c.Available {
			mark = "available"
		}
		fmt.Fprintf(&b, "  %-13s %s: %s\n", c.Backend, mark, c.Detail)
	}
	return b.String()
}

// Detect checks the backends of this platform without making a Sandbox, for `hew doctor`.
func Detect(opts Options) Report {
	opts, err := withDefaults(opts)
	if err != nil {
		return Report{Backend: BackendNone, Checks: []Check{{Backend: BackendAuto, Detail: err.Error()}}}
	}
	return detect(opts)
}

// withDefaults fills in the empty fields of opts.
func withDefaults(opts Options) (Options, error) {
	if opts.Backend == "" {
		opts.Backend = BackendAuto
	}
	if opts.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return opts, fmt.Errorf("sandbox: find own executable for the helper stage: %w", err)
		}
		opts.Executable = exe
	}
	return opts, nil
}

// New checks the backends and picks one: the best available for "auto", or the one named, which
// must be available.
func New(opts Options) (*Sandbox, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	if err := checkReadPaths(opts.ReadPaths); err != nil {
		return nil, err
	}
	closeInherited()
	rep, rest, quick := quickDetect(opts)
	if !quick {
		rep = detect(opts)
	}
	s := &Sandbox{opts: opts, report: rep, rest: rest}
	if runtime.GOOS == "linux" {
		sweepStale()
	}
	s.backend = rep.Backend
	switch opts.Backend {
	case BackendAuto:
		return s, nil
	case BackendNone:
		s.full().choose(BackendNone)
		s.backend = BackendNone
		return s, nil
	}
	for _, c := range rep.Checks {
		if c.Backend != opts.Backend {
			continue
		}
		if !c.Available {
			return nil, fmt.Errorf("sandbox: backend %s is unavailable: %s", opts.Backend, c.Detail)
		}
		s.report.choose(opts.Backend)
		s.backend = opts.Backend
		return s, nil
	}
	return nil, fmt.Errorf("sandbox: unknown backend %q on this platform (use auto, bwrap, namespaces, landlock, sandbox-exec or none)", opts.Backend)
}

// Backend names the backend commands run with.
func (s *Sandbox) Backend() string { return s.backend }

// Report returns the verdict on every backend, completing the checks New left for later.
func (s *Sandbox) Report() Report { return *s.full() }

// CanOverlay reports whether Run can mount Spec.Overlay.
func (s *Sandbox) CanOverlay() bool { return s.full().CanOverlay }
