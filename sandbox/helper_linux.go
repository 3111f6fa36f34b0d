package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/landlock-lsm/go-landlock/landlock"
	"golang.org/x/sys/unix"

	"hew/sandbox/seccomp"
)

// runHelper carries out p and returns the helper's exit code; when it replaces itself with the
// command it does not return.
func runHelper(p *helperPlan, status *os.File) int {
	// Capabilities, no_new_privs and rlimits are set per thread or inherited from the thread that
	// calls execve: keep all of it on one thread.
	runtime.LockOSThread()
	unix.CloseOnExec(statusFD)
	fail := func(err error) int { return helperFailure(status, err) }
	if p.Probe {
		if err := makePrivate(); err != nil {
			return fail(err)
		}
		fmt.Fprint(status, probeMounts(p))
		return 0
	}
	if p.Cgroup != "" {
		// Best effort, as the cgroup itself: where the kernel refuses the move (cgroup
		// delegation rules differ between hosts), the command runs without the process bound
		// rather than not at all.
		_ = joinCgroup(p.Cgroup)
	}
	if err := setUpMounts(p); err != nil {
		return fail(err)
	}
	if p.Subreaper {
		if err := detachTerminal(); err != nil {
			return fail(err)
		}
		// Landlock gives each thread of this Go process its own domain, and a domain may not
		// signal outside itself; so this stage stays unrestricted to be able to kill the tree, and
		// a second helper stage restricts itself and becomes the command.
		inner := *p
		inner.Subreaper, inner.Cgroup = false, ""
		return superviseTree(&inner, status)
	}
	if p.Landlock != nil {
		if err := restrictLandlock(p.Landlock); err != nil {
			return fail(fmt.Errorf("landlock: %w", err))
		}
	}
	if p.DropCaps {
		if err := dropCapabilities(); err != nil {
			return fail(err)
		}
	}
	if p.Seccomp {
		if err := seccomp.Install(seccomp.Options{DenyConnect: p.DenyConnect}); err != nil {
			return fail(err)
		}
	}
	if p.Limits != nil {
		if err := setLimits(p.Limits); err != nil {
			return fail(err)
		}
	}
	if err := os.Chdir(p.Dir); err != nil {
		return fail(fmt.Errorf("enter working directory: %w", err))
	}
	path, err := exec.LookPath(p.Argv[0])
	if err == nil {
		err = syscall.Exec(path, p.Argv, p.Env)
	}
	return fail(fmt.Errorf("exec %s: %w", p.Argv[0], err))
}

// probeMounts tries the mounts of a probe plan and returns a line for each failure, started by
// overlayFailure or readThroughFailure.
func probeMounts(p *helperPlan) string {
	var b strings.Builder
	if err := mountOverlay(p.Workspace, p.Workspace, p.Overlay.Upper, p.Overlay.Work); err != nil {
		fmt.Fprintf(&b, "%s%v\n", overlayFailure, err)
	}
	for _, c := range p.ReadThrough {
		if err := mountOverlay(c.Target, c.Lower, c.Upper, c.Work); err != nil {
			fmt.Fprintf(&b, "%s%v\n", readThroughFailure, err)
		}
	}
	return b.String()
}

func makePrivate() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	return nil
}

// mountOverlay mounts at target an overlay of upper over lower, in the way an unprivileged user
// namespace may.
func mountOverlay(target, lower, upper, work string) error {
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower, upper, work)
	if err := unix.Mount("overlay", target, "overlay", 0, opts); err != nil {
		return fmt.Errorf("mount over %s: %w", target, err)
	}
	return nil
}

// mountThrowaway is mountOverlay for an overlay whose upper layer is discarded when the command
// ends: "volatile" (Linux 5.10) spares the sync of the upper file system that unmounting would
// otherwise do, milliseconds of disk flushes when the command's namespace goes away, for writes
// that are thrown away anyway. Where the kernel lacks it, the overlay is mounted as usual.
func mountThrowaway(target, lower, upper, work string) error {
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr,volatile", lower, upper, work)
	if err := unix.Mount("overlay", target, "overlay", 0, opts); err != nil {
		return mountOverlay(target, lower, upper, work)
	}
	return nil
}

// setUpMounts builds the command's view of the file system in the helper's mount namespace.
func setUpMounts(p *helperPlan) error {
	if p.MakePrivate {
		if err := makePrivate(); err != nil {
			return err
		}
	}
	if p.Overlay != nil {
		if err := mountOverlay(p.Workspace, p.Workspace, p.Overlay.Upper, p.Overlay.Work); err != nil {
			return fmt.Errorf("%s%w", overlayFailure, err)
		}
	}
	for _, c := range p.ReadThrough {
		// Best effort: the probe found these mountable; if one fails now the command still has the
		// scratch cache underneath, only colder.
		_ = mountThrowaway(c.Target, c.Lower, c.Upper, c.Work)
	}
	if p.BindTmp != "" {
		err := maskDir("/tmp", p.TmpKeep, func() error {
			if err := unix.Mount(p.BindTmp, "/tmp", "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
				return fmt.Errorf("mount private temp dir over /tmp: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, m := range p.Masks {
		err := maskDir(m.Path, m.Keep, func() error {
			if err := unix.Mount("tmpfs", m.Path, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=755,size=64k"); err != nil {
				return fmt.Errorf("hide %s: %w", m.Path, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := unix.Mount("", m.Path, "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
			return fmt.Errorf("make %s read-only: %w", m.Path, err)
		}
	}
	for _, path := range p.ReadOnly {
		if err := bindReadOnly(path); err != nil {
			return err
		}
	}
	for _, d := range p.HideDirs {
		if err := unix.Mount("tmpfs", d, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|unix.MS_RDONLY, "mode=000,size=4k"); err != nil {
			return fmt.Errorf("hide %s: %w", d, err)
		}
	}
	for _, f := range p.HideFiles {
		if err := unix.Mount("/dev/null", f, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("hide %s: %w", f, err)
		}
	}
	if p.MountProc {
		// Best effort: some containers forbid a new proc; Landlock still keeps other processes'
		// /proc entries out of reach.
		_ = unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
	}
	return nil
}

// maskDir covers dir by calling cover, then binds each path of keep back at its place, from a
// handle opened before dir was covered.
func maskDir(dir string, keep []string, cover func() error) error {
	fds := make([]int, len(keep))
	for i, k := range keep {
		fd, err := unix.Open(k, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("keep %s visible: %w", k, err)
		}
		defer unix.Close(fd)
		fds[i] = fd
	}
	if err := cover(); err != nil {
		return err
	}
	for i, k := range keep {
		var st unix.Stat_t
		if err := unix.Fstat(fds[i], &st); err != nil {
			return fmt.Errorf("keep %s visible: %w", k, err)
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			if err := os.MkdirAll(k, 0o755); err != nil {
				return fmt.Errorf("keep %s visible: %w", k, err)
			}
		} else {
			if err := os.MkdirAll(filepath.Dir(k), 0o755); err != nil {
				return fmt.Errorf("keep %s visible: %w", k, err)
			}
			if f, err := os.OpenFile(k, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				f.Close()
			}
		}
		if err := unix.Mount(fmt.Sprintf("/proc/self/fd/%d", fds[i]), k, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("keep %s visible: %w", k, err)
		}
	}
	return nil
}

// detachTerminal gives up this process's controlling terminal, if it has one: it and every
// process it starts afterwards can then neither open /dev/tty nor push input into the terminal
// (TIOCSTI needs the caller's controlling terminal, or CAP_SYS_ADMIN, which commands lack), and
// not being a session leader, cannot acquire it again.
func detachTerminal() error {
	fd, err := unix.Open("/dev/tty", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil // no controlling terminal (ENXIO)
	}
	defer unix.Close(fd)
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TIOCNOTTY, 0); errno != 0 {
		return fmt.Errorf("give up the controlling terminal: %w", errno)
	}
	return nil
}

// dropCapabilities leaves this thread, and the command it becomes, no capabilities and no way to
// gain any: securebits locked so uid 0 means nothing (when this stage may set them), the bounding
// and ambient sets emptied, the effective, permitted and inheritable sets cleared, and
// no_new_privs set so set-user-ID and file-capability programs grant nothing.
func dropCapabilities() error {
	const secbits = 1<<0 | 1<<1 | 1<<2 | 1<<3 | 1<<5 | 1<<6 | 1<<7 // NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE, locked; KEEP_CAPS locked off
	if err := unix.Prctl(unix.PR_SET_SECUREBITS, secbits, 0, 0, 0); err != nil && !errors.Is(err, unix.EPERM) {
		return fmt.Errorf("lock securebits: %w", err)
	}
	for c := 0; c < 64; c++ {
		err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
		if errors.Is(err, unix.EINVAL) {
			break // past the last capability this kernel knows
		}
		// EPERM: no CAP_SETPCAP (an ordinary user on the Landlock-only backend); the bounding set
		// then stays, but with no_new_privs nothing can be gained from it.
		if err != nil && !errors.Is(err, unix.EPERM) {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	var data [2]unix.CapUserData
	if err := unix.Capset(&unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}, &data[0]); err != nil {
		return fmt.Errorf("clear capabilities: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	return nil
}

// limit is one resource limit of rlimits, as setrlimit(2) and prlimit(1) name it.
type limit struct {
	res  int
	v    uint64
	flag string // prlimit's option
	what string // in errors
}

// toSet lists the limits of l to set: those not zero, and not above the hard limit in force
// already (a lower limit is kept).
func (l *rlimits) toSet() []limit {
	var out []limit
	for _, r := range []limit{{unix.RLIMIT_NPROC, l.Nproc, "--nproc", "process"}, {unix.RLIMIT_DATA, l.Data, "--data", "memory"},
		{unix.RLIMIT_FSIZE, l.Fsize, "--fsize", "file size"}} {
		if r.v == 0 {
			continue
		}
		var cur unix.Rlimit
		if err := unix.Getrlimit(r.res, &cur); err == nil && cur.Max < r.v {
			continue // already lower
		}
		out = append(out, r)
	}
	return out
}

// setLimits sets the soft and hard resource limits of l that are not zero.
func setLimits(l *rlimits) error {
	for _, r := range l.toSet() {
		if err := unix.Setrlimit(r.res, &unix.Rlimit{Cur: r.v, Max: r.v}); err != nil {
			return fmt.Errorf("set the %s limit: %w", r.what, err)
		}
	}
	return nil
}

// bindReadOnly makes path read-only in this mount namespace, keeping the flags the kernel locks.
func bindReadOnly(path string) error {
	if err := unix.Mount(path, path, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", path, err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return fmt.Errorf("statfs %s: %w", path, err)
	}
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY)
	for _, f := range [][2]int64{{unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV}, {unix.ST_NOEXEC, unix.MS_NOEXEC}, {unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_NODIRATIME, unix.MS_NODIRATIME}, {unix.ST_RELATIME, unix.MS_RELATIME}} {
		if st.Flags&f[0] != 0 {
			flags |= uintptr(f[1])
		}
	}
	if err := unix.Mount("", path, "", flags, ""); err != nil {
		return fmt.Errorf("make %s read-only: %w", path, err)
	}
	return nil
}

// restrictLandlock confines this process and its future children to the plan's paths.
func restrictLandlock(lp *landlockPlan) error {
	cfg := landlock.V11.BestEffort()
	if lp.Network {
		cfg.HandledAccessNet = 0
	}
	var rules []landlock.Rule
	if len(lp.ReadDirs) > 0 {
		rules = append(rules, landlock.RODirs(lp.ReadDirs...).IgnoreIfMissing())
	}
	if len(lp.ReadFiles) > 0 {
		rules = append(rules, landlock.ROFiles(lp.ReadFiles...).IgnoreIfMissing())
	}
	if len(lp.WriteDirs) > 0 {
		rules = append(rules, landlock.RWDirs(lp.WriteDirs...).WithRefer().IgnoreIfMissing())
	}
	if len(lp.WriteFiles) > 0 {
		rules = append(rules, landlock.RWFiles(lp.WriteFiles...).WithIoctlDev().IgnoreIfMissing())
	}
	return cfg.Restrict(rules...)
}

// superviseTree runs inner, the helper stage that becomes the command, as a child; stays its
// subreaper; and when it ends (or the parent asks with SIGTERM) kills every descendant still
// alive, setsid daemons included.
func superviseTree(inner *helperPlan, status *os.File) int {
	fail := func(err error) int { return helperFailure(status, err) }
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fail(fmt.Errorf("become subreaper: %w", err))
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	planVar, err := writePlan(inner.PlanDir, inner)
	if err != nil {
		return fail(err)
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"hew-sandbox-helper"}
	cmd.Env = []string{planVar}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{status}
	err = cmd.Start()
	status.Close()
	if err != nil {
		return fail(fmt.Errorf("start the command's helper stage: %w", err))
	}
	done := make(chan int, 1)
	go func() {
		cmd.Wait()
		done <- exitCode(cmd.ProcessState)
	}()
	var code int
	select {
	case code = <-done:
	case sig := <-term:
		code = 128 + int(sig.(syscall.Signal))
	}
	killDescendants()
	return code
}

// killDescendants kills every process below this one until none is left; as subreaper this
// process inherits the orphans of those it kills, so daemons cannot slip away.
func killDescendants() {
	deadline := time.Now().Add(helperCleanupWindow)
	for time.Now().Before(deadline) {
		pids := descendants(os.Getpid())
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			unix.Kill(pid, unix.SIGKILL)
		}
		for {
			pid, err := unix.Wait4(-1, nil, unix.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// statFields splits the content of a /proc/PID/stat file after the process's name: state, ppid,
// pgrp, session, tty_nr and so on; nil when it has no name. The name, in parentheses, may hold
// anything, spaces and parentheses too, so the last ") " ends it.
func statFields(b []byte) []string {
	i := strings.LastIndex(string(b), ") ")
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+2:]))
}

// descendants lists the live (not zombie) processes below pid, from the parent links in
// /proc/*/stat (not every kernel has /proc/*/task/*/children). The process directories are
// listed by name and their stat files read directly: a glob would list every one of them too.
func descendants(pid int) []int {
	children := map[int][]int{}
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	live := map[int]bool{}
	for _, name := range names {
		if name == "" || strings.Trim(name, "0123456789") != "" {
			continue
		}
		path := "/proc/" + name + "/stat"
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		fields := statFields(b)
		if len(fields) < 2 {
			continue
		}
		self, err1 := strconv.Atoi(name)
		ppid, err2 := strconv.Atoi(fields[1])
		if err1 != nil || err2 != nil {
			continue
		}
		children[ppid] = append(children[ppid], self)
		live[self] = fields[0] != "Z" && fields[0] != "X"
	}
	var out []int
	queue := children[pid]
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		if live[p] {
			out = append(out, p)
		}
	}
	return out
}
