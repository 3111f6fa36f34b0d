package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// probeTimeout bounds each backend check.
const probeTimeout = 5 * time.Second

// readThroughFailure starts the probe's line about a read-through overlay that could not be mounted.
const readThroughFailure = "readthrough: "

// quickDetect checks only bubblewrap, when it may be chosen, or only Landlock, when it is named:
// most commands need nothing more, and the namespaces probe costs a start of the helper stage
// (bubblewrap's, a start of bubblewrap). rest completes the report when
// something needs the other checks (the proposal overlay, the read-through caches, a report for
// people); ok is false when neither applies, and detect must run. Both verdicts,
// bubblewrap's and the namespaces probe's, are kept in opts.VerdictFile for later Sandboxes.
func quickDetect(opts Options) (rep Report, rest func() Report, ok bool) {
	if opts.Backend == BackendLandlock {
		// Chosen by name: its own check decides, and the probes that start processes wait
		// until something asks for the whole report.
		ll := landlockCheck()
		return Report{Backend: BackendNone, Checks: []Check{ll}}, func() Report {
			full := detect(opts)
			full.choose(BackendLandlock)
			return full
		}, true
	}
	if opts.Backend != BackendAuto && opts.Backend != BackendBwrap {
		return Report{}, nil, false
	}
	bwPath, err := systemProgram("bwrap")
	if err != nil {
		return Report{}, nil, false
	}
	key := bwrapVerdictKey(bwPath)
	var probed error
	holds, ns := readVerdict(opts.VerdictFile, key)
	if !holds {
		if probed = probeBwrap(bwPath); probed != nil {
			return Report{}, nil, false
		}
		rememberVerdict(opts.VerdictFile, key, nil)
	}
	rep = Report{Checks: []Check{{Backend: BackendBwrap, Available: true, Detail: "bubblewrap at " + bwPath}}}
	rep.choose(BackendBwrap)
	return rep, func() Report {
		probeNS := func(opts Options) nsProbe {
			if ns != nil {
				return ns.probe()
			}
			p := probeNamespaces(opts)
			rememberVerdict(opts.VerdictFile, key, verdictOf(p))
			return p
		}
		full := detectWith(opts, func(string) error { return probed }, probeNS)
		full.choose(BackendBwrap)
		return full
	}, true
}

// detect checks bubblewrap, namespaces with Landlock, and Landlock alone, best first. The two
// probes that start processes run at the same time.
func detect(opts Options) Report { return detectWith(opts, probeBwrap, probeNamespaces) }

// detectWith is detect with the bubblewrap and namespaces checks it is given.
func detectWith(opts Options, probeBwrap func(path string) error, probeNamespaces func(Options) nsProbe) Report {
	ll := landlockCheck()
	landlockOK := ll.Available
	bwPath, bwErr := systemProgram("bwrap")
	bwProbe := make(chan error, 1)
	if bwErr == nil {
		go func() { bwProbe <- probeBwrap(bwPath) }()
	}
	probe := probeNamespaces(opts)
	nsCheck := Check{Backend: BackendNamespaces, Available: probe.ns == nil && landlockOK, Overlay: probe.ns == nil && probe.overlay == nil}
	switch {
	case probe.ns != nil:
		nsCheck.Detail = "user namespaces are blocked: " + probe.ns.Error()
	case !landlockOK:
		nsCheck.Detail = "user namespaces work but Landlock, which confines writes, is unavailable"
	default:
		nsCheck.Detail = "user, mount, pid and network namespaces with Landlock and seccomp"
	}
	if probe.overlay != nil && probe.ns == nil {
		nsCheck.Detail += "; overlay mounts fail: " + probe.overlay.Error()
	}
	switch {
	case probe.ns != nil:
		nsCheck.CacheDetail = "empty Go caches for each command: the read-through overlay needs user namespaces, which are blocked"
	case probe.cache != nil:
		nsCheck.CacheDetail = "empty Go caches for each command: overlay mounts in the temp dir fail: " + probe.cache.Error()
	default:
		nsCheck.ReadThrough = true
		nsCheck.CacheDetail = "in Go workspaces, read through the user's Go build and module caches (read-only); each command's writes to them are discarded when it ends"
	}
	bw := Check{Backend: BackendBwrap, Overlay: nsCheck.Overlay, ReadThrough: nsCheck.ReadThrough, CacheDetail: nsCheck.CacheDetail}
	if bwErr != nil {
		bw.Detail = "bubblewrap is not installed in " + strings.Join(systemPath, ", ") + " (apt install bubblewrap)"
	} else if err := <-bwProbe; err != nil {
		bw.Detail = fmt.Sprintf("%s cannot create namespaces here: %v", bwPath, err)
	} else {
		bw.Available = true
		bw.Detail = "bubblewrap at " + bwPath
		if !bw.Overlay {
			bw.Detail += "; the proposal overlay needs user namespaces for hew's helper stage, which are blocked"
		}
	}
	rep := Report{Backend: BackendNone, Checks: []Check{bw, nsCheck, ll}}
	for _, c := range rep.Checks {
		if c.Available {
			rep.choose(c.Backend)
			break
		}
	}
	return rep
}

// landlockCheck is the verdict on the Landlock-only backend: a system call, no probe.
func landlockCheck() Check {
	abi, err := llsys.LandlockGetABIVersion()
	c := Check{Backend: BackendLandlock, Available: err == nil && abi >= 1,
		Detail:      fmt.Sprintf("Landlock ABI %d: writes confined, credentials unreadable, TCP denied; no pid namespace (subreaper kills the tree), no overlay", abi),
		CacheDetail: "empty Go caches for each command: Landlock alone has no mount namespace to read through the user's caches"}
	if !c.Available {
		c.Detail = fmt.Sprintf("Landlock is not available in this kernel (%v)", err)
	}
	return c
}

// probeBwrap runs `true` under bubblewrap with every namespace unshared.
func probeBwrap(path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "--", "/bin/true").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// nsProbe is what probeNamespaces found: whether the namespaces work and, if so, whether an
// overlay over a temp dir and a read-through overlay in the scratch HOME could be mounted.
type nsProbe struct{ ns, overlay, cache error }

// probeNamespaces starts the helper in new user, mount, pid and network namespaces and has it try
// the overlay mounts commands need.
func probeNamespaces(opts Options) nsProbe {
	failed := func(err error) nsProbe { return nsProbe{err, err, err} }
	dir, err := os.MkdirTemp("", "hew-sandbox-probe-")
	if err != nil {
		return failed(err)
	}
	defer os.RemoveAll(dir)
	// Commands' read-through overlays keep their upper layers in the system temp dir, as this
	// probe does.
	ov := &Overlay{Upper: filepath.Join(dir, "upper"), Work: filepath.Join(dir, "work")}
	cache := readThrough{Lower: filepath.Join(dir, "cache"), Target: filepath.Join(dir, "target"), Upper: filepath.Join(dir, "cache-upper"), Work: filepath.Join(dir, "cache-work")}
	lower := filepath.Join(dir, "lower")
	for _, d := range []string{ov.Upper, ov.Work, lower, cache.Lower, cache.Target, cache.Upper, cache.Work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return failed(err)
		}
	}
	defer removeOverlayWork(cache.Work)
	defer removeOverlayWork(ov.Work)
	p := &helperPlan{Probe: true, MakePrivate: true, Workspace: lower, Overlay: ov, ReadThrough: []readThrough{cache}}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	l, err := helperLaunch(ctx, opts.Executable, dir, p, namespaceFlags(false), false, hasTerminal())
	if err != nil {
		return failed(err)
	}
	l.cmd.Stdin, l.cmd.Stdout, l.cmd.Stderr = nil, nil, nil
	if err := l.cmd.Start(); err != nil {
		closeAll(l.status, l.statusW)
		return failed(err)
	}
	l.statusW.Close()
	msg := readStatus(l.status)
	if err := l.cmd.Wait(); err != nil {
		if msg == "" {
			return failed(err)
		}
		return failed(errors.New(msg))
	}
	var res nsProbe
	for _, line := range strings.Split(msg, "\n") {
		if rest, ok := strings.CutPrefix(line, overlayFailure); ok {
			res.overlay = errors.New(rest)
		}
		if rest, ok := strings.CutPrefix(line, readThroughFailure); ok {
			res.cache = errors.New(rest)
		}
	}
	return res
}

// namespaceFlags are the namespaces of the namespaces backend.
func namespaceFlags(network bool) uintptr {
	flags := uintptr(syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC)
	if !network {
		flags |= syscall.CLONE_NEWNET
	}
	return flags
}

// helperLaunch prepares the re-executed helper stage in new namespaces (cloneFlags, 0 for none),
// with p written to a file in dir. As root of a new user namespace it can mount; the user's own
// ids map to root there. With session, it starts a new session, which leaves this process's
// controlling terminal behind; otherwise it starts in a process group of its own.
func helperLaunch(ctx context.Context, executable, dir string, p *helperPlan, cloneFlags uintptr, subreaper, session bool) (*launch, error) {
	planVar, err := writePlan(dir, p)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox: status pipe: %w", err)
	}
	cmd := exec.CommandContext(ctx, executable)
	cmd.Args = []string{"hew-sandbox-helper"}
	cmd.Env = []string{planVar}
	cmd.ExtraFiles = []*os.File{w}
	// A new session: no sandboxed process has a controlling terminal to type into (TIOCSTI) or
	// open as /dev/tty. Where this process has none to leave, a process group of its own does
	// as well, without the cost of a session (see hasTerminal).
	attr := &syscall.SysProcAttr{Cloneflags: cloneFlags, Pdeathsig: syscall.SIGKILL, Setsid: session, Setpgid: !session}
	if cloneFlags&syscall.CLONE_NEWUSER != 0 {
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	if subreaper {
		// Without a pid namespace a new session costs the Landlock backend tens of milliseconds a
		// command on a busy machine (each session is a scheduler autogroup); its helper gives up
		// the controlling terminal itself instead (TIOCNOTTY), in a process group of its own.
		attr.Setsid, attr.Setpgid = false, true
		// The helper outlives the command to kill its descendants; SIGTERM asks it to.
		attr.Pdeathsig = syscall.SIGTERM
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	}
	cmd.SysProcAttr = attr
	return &launch{cmd: cmd, status: r, statusW: w}, nil
}

// launch prepares the command for the sandbox's backend.
func (s *Sandbox) launch(ctx context.Context, j *job) (*launch, error) {
	if j.Policy == PolicyFullAccess {
		if j.Overlay == nil {
			return uncontained(ctx, j), nil
		}
		if !s.overlayByNamespaces() {
			return nil, ErrOverlayUnsupported
		}
		p := j.basePlan()
		l, err := helperLaunch(ctx, s.opts.Executable, j.tmp, p, syscall.CLONE_NEWUSER|syscall.CLONE_NEWNS, false, j.terminal)
		if l != nil {
			l.backend = uncontainedBackend + " over the proposal overlay"
			l.setupFailed = func() { forgetVerdict(s.opts.VerdictFile) }
		}
		return l, err
	}
	if j.Overlay != nil && !s.CanOverlay() {
		return nil, ErrOverlayUnsupported
	}
	var (
		l   *launch
		err error
	)
	// RLIMIT_NPROC does not bind root: count root's commands' processes in a pids cgroup.
	cgroup := ""
	if os.Geteuid() == 0 {
		if cg := newPidsCgroup(j.limits.Processes); cg != nil {
			j.pids, cgroup = cg, cg.joinFile()
		}
	}
	switch s.Backend() {
	case BackendBwrap:
		l, err = s.bwrapLaunch(ctx, j, cgroup)
	case BackendNamespaces:
		p := j.namespacePlan()
		p.Cgroup = cgroup
		l, err = helperLaunch(ctx, s.opts.Executable, j.tmp, p, namespaceFlags(j.Network), false, j.terminal)
	case BackendLandlock:
		p := j.landlockOnlyPlan()
		p.Cgroup = cgroup
		l, err = helperLaunch(ctx, s.opts.Executable, j.tmp, p, 0, true, false)
	default:
		return nil, ErrNoContainment
	}
	if l != nil {
		l.backend = s.Backend()
		if cg, ok := j.pids.(*pidsCgroup); ok {
			l.closeCgroup = cg.intoCgroup(l.cmd)
		}
	}
	return l, err
}

// overlayByNamespaces reports whether the namespaces probe found overlays mountable.
func (s *Sandbox) overlayByNamespaces() bool {
	for _, c := range s.full().Checks {
		if c.Backend == BackendNamespaces {
			return c.Overlay
		}
	}
	return false
}

// bwrapLaunch runs bubblewrap, taken from a fixed system directory, from the helper stage, which
// sets the resource limits first; to put the proposal and read-through overlays under it, the
// helper stage runs in a user and mount namespace of its own. Without overlays, and where the
// pids cgroup (if any) is entered as the process starts, prlimit(1) sets the limits instead: a
// start of the helper stage costs more than bubblewrap itself.
func (s *Sandbox) bwrapLaunch(ctx context.Context, j *job, cgroup string) (*launch, error) {
	path, err := systemProgram("bwrap")
	if err != nil {
		return nil, fmt.Errorf("sandbox: bubblewrap disappeared: %w", err)
	}
	if j.Overlay == nil && len(j.caches) == 0 {
		if l := directBwrap(ctx, path, j, cgroup); l != nil {
			l.fallback = func() (*launch, error) { return s.bwrapHelperLaunch(ctx, path, j, cgroup) }
			l.setupFailed = func() { forgetVerdict(s.opts.VerdictFile) }
			return l, nil
		}
	}
	l, err := s.bwrapHelperLaunch(ctx, path, j, cgroup)
	if l != nil {
		l.setupFailed = func() { forgetVerdict(s.opts.VerdictFile) }
	}
	return l, err
}

// bwrapHelperLaunch runs bubblewrap at path from the helper stage.
func (s *Sandbox) bwrapHelperLaunch(ctx context.Context, path string, j *job, cgroup string) (*launch, error) {
	p := j.basePlan()
	p.Argv = append([]string{path}, bwrapArgs(j)...)
	p.Limits = j.limits.rlimits(true)
	p.Cgroup = cgroup
	var flags uintptr
	if j.Overlay != nil || len(j.caches) > 0 {
		flags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS
	} else {
		p.MakePrivate, p.Overlay = false, nil
	}
	// bwrap --new-session makes the command's session, where one is needed; another one for the
	// helper stage would only cost a scheduler autogroup.
	return helperLaunch(ctx, s.opts.Executable, j.tmp, p, flags, false, false)
}

// directBwrap runs bubblewrap at path under prlimit(1) with j's limits, or alone when they are
// lower already; it returns nil when prlimit is missing. Root's pids cgroup is entered as the
// process starts: with CLONE_INTO_CGROUP (v2), or else (v1) by being started from a thread that
// joined the cgroup (see pidsCgroup.startFromThread); as the helper stage, it goes on if the
// kernel refuses.
func directBwrap(ctx context.Context, path string, j *job, cgroup string) *launch {
	argv := append([]string{path}, bwrapArgs(j)...)
	if limits := prlimitArgs(j.limits.rlimits(true)); len(limits) > 0 {
		prlimit, err := systemProgram("prlimit")
		if err != nil {
			return nil
		}
		argv = append(append(append([]string{prlimit}, limits...), "--"), argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = j.env
	// bwrap --new-session makes the command's session where hew has a terminal, else this
	// process group; --die-with-parent and Pdeathsig take the tree down with hew.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: !j.terminal}
	l := &launch{cmd: cmd}
	if cg, ok := j.pids.(*pidsCgroup); ok && cgroup != "" && !cg.v2 {
		l.startFrom = cg
	}
	return l
}

// prlimitArgs are prlimit(1)'s options setting l, each limit as the helper stage would: soft and
// hard alike, and left out when the current hard limit is lower already.
func prlimitArgs(l *rlimits) []string {
	var args []string
	for _, r := range l.toSet() {
		args = append(args, fmt.Sprintf("%s=%d:%d", r.flag, r.v, r.v))
	}
	return args
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
