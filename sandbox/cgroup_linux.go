package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pidsCgroup is a cgroup of the pids controller made for one command: RLIMIT_NPROC does not bind
// root (uid 0 outside every user namespace), so when hew runs as root the command's processes
// are counted here instead, wherever the pids controller can be used: cgroup v2 (the root
// cgroup, or hew's own cgroup when it delegates pids) or v1's pids hierarchy.
//
// Joining is made cheap: moving a whole process into a cgroup (a write to cgroup.procs) takes a
// global lock whose taking waits for an RCU grace period, tens of milliseconds on a busy machine.
// On cgroup v2 the helper stage is instead started inside the cgroup (clone3's CLONE_INTO_CGROUP,
// see intoCgroup); on v1 the helper moves only its own thread (a write to tasks), the one that
// forks or becomes the command, which needs no such lock. Either way every process of the command
// descends from a task inside the cgroup.
type pidsCgroup struct {
	dir string
	v2  bool
}

// pidsCgroupSeq tells this process's cgroups apart.
var pidsCgroupSeq atomic.Int64

// newPidsCgroup makes a pids cgroup allowing max tasks, or returns nil when none can be made.
func newPidsCgroup(max int) *pidsCgroup {
	if max <= 0 {
		return nil
	}
	name := fmt.Sprintf("hew-sandbox-%d-%d", os.Getpid(), pidsCgroupSeq.Add(1))
	parents := pidsParentsOnce()
	staleSwept.Do(func() {
		go func() {
			for _, parent := range parents {
				removeStale(parent)
			}
		}()
	})
	for _, parent := range parents {
		dir := filepath.Join(parent, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(fmt.Sprint(max)), 0); err != nil {
			os.Remove(dir)
			continue
		}
		var st unix.Statfs_t
		v2 := unix.Statfs(dir, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
		return &pidsCgroup{dir: dir, v2: v2}
	}
	return nil
}

// removeStale removes the empty cgroups left in parent by hew processes that are gone (killed
// before they could clean up).
func removeStale(parent string) {
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "hew-sandbox-")
		if !ok || !e.IsDir() {
			continue
		}
		pid, _, _ := strings.Cut(rest, "-")
		if _, err := os.Stat("/proc/" + pid); os.IsNotExist(err) {
			os.Remove(filepath.Join(parent, e.Name())) // fails, harmlessly, while processes remain
		}
	}
}

// pidsParentsOnce is pidsParents, found once per process: hew does not change cgroups.
var pidsParentsOnce = sync.OnceValue(pidsParents)

// staleSwept makes removeStale run once per process, in the background: the cgroups of hews
// that are gone need sweeping once, not before every command.
var staleSwept sync.Once

// pidsParents lists where a pids cgroup may be made, best first.
func pidsParents() []string {
	own := map[string]string{} // controller ("" for v2) -> this process's cgroup path
	if f, err := os.Open("/proc/self/cgroup"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			parts := strings.SplitN(sc.Text(), ":", 3)
			if len(parts) != 3 {
				continue
			}
			for _, c := range strings.Split(parts[1], ",") {
				own[c] = parts[2]
			}
		}
		f.Close()
	}
	var out []string
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		for _, p := range []string{own[""], "/"} {
			dir := filepath.Join("/sys/fs/cgroup", p)
			if b, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control")); err == nil && strings.Contains(" "+string(b)+" ", " pids ") {
				out = append(out, dir)
			}
		}
	}
	if p, ok := own["pids"]; ok {
		out = append(out, filepath.Join("/sys/fs/cgroup/pids", p))
	}
	return out
}

// joinFile is the file the helper's thread writes "0" to, to join the cgroup when it was not
// started inside it: tasks on v1 (that thread alone), cgroup.procs on v2 (the whole process).
func (c *pidsCgroup) joinFile() string {
	if c.v2 {
		return filepath.Join(c.dir, "cgroup.procs")
	}
	return filepath.Join(c.dir, "tasks")
}

// intoCgroup makes cmd start inside c on cgroup v2 (CLONE_INTO_CGROUP), so that the helper need
// not move itself; the returned function closes the cgroup's descriptor once cmd started. On v1,
// or when the cgroup cannot be opened, it does nothing and the helper joins instead.
func (c *pidsCgroup) intoCgroup(cmd *exec.Cmd) func() {
	if !c.v2 {
		return func() {}
	}
	fd, err := unix.Open(c.dir, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return func() {}
	}
	cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, fd
	return func() { unix.Close(fd) }
}

// startFromThread starts cmd inside c, a v1 cgroup, without moving this process: an OS thread of
// its own joins c (a write of "0" to tasks moves that thread alone, which needs no global lock)
// and starts cmd, which the kernel creates in the cgroup of the thread that forks it, as
// CLONE_INTO_CGROUP does on v2. The thread stays locked to its goroutine, out of the rest of
// hew's way (threads the runtime makes meanwhile come from its template thread, not from this
// one), until release is called once cmd has ended: it then exits, and only then, because the
// kernel sends Pdeathsig when the thread that started a process exits. As the helper stage's
// join, the move is best effort: where the kernel refuses it, cmd starts outside.
func (c *pidsCgroup) startFromThread(cmd *exec.Cmd) (release func(), err error) {
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		_ = os.WriteFile(c.joinFile(), []byte("0"), 0)
		errc <- cmd.Start()
		<-done
	}()
	return sync.OnceFunc(func() { close(done) }), <-errc
}

// hitMax reports whether a fork failed because of the limit.
func (c *pidsCgroup) hitMax() bool {
	b, err := os.ReadFile(filepath.Join(c.dir, "pids.events"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if n, ok := strings.CutPrefix(line, "max "); ok && strings.TrimSpace(n) != "0" {
			return true
		}
	}
	return false
}

// remove deletes the cgroup once its processes are gone.
func (c *pidsCgroup) remove() {
	for i := 0; i < 100; i++ {
		if err := os.Remove(c.dir); err == nil || os.IsNotExist(err) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// joinCgroup moves the calling thread (v1's tasks) or process (cgroup.procs) into the cgroup
// of path, unless it is in that cgroup already (it was started inside it).
func joinCgroup(path string) error {
	if inCgroup(filepath.Dir(path)) {
		return nil
	}
	if err := os.WriteFile(path, []byte("0"), 0); err != nil {
		return fmt.Errorf("join the command's pids cgroup: %w", err)
	}
	return nil
}

// inCgroup reports whether this thread is in the cgroup v2 directory dir.
func inCgroup(dir string) bool {
	rel, ok := strings.CutPrefix(dir, "/sys/fs/cgroup")
	if !ok {
		return false
	}
	if rel == "" {
		rel = "/"
	}
	b, err := os.ReadFile("/proc/thread-self/cgroup")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if path, ok := strings.CutPrefix(line, "0::"); ok {
			return path == rel
		}
	}
	return false
}

// outsideCgroup makes attr start the process where its parent is, not in a cgroup (for kernels
// that refuse CLONE_INTO_CGROUP).
func outsideCgroup(attr *syscall.SysProcAttr) { attr.UseCgroupFD, attr.CgroupFD = false, 0 }
