package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// pidsCgroup is a cgroup of the pids controller made for one command: RLIMIT_NPROC does not bind
// root (uid 0 outside every user namespace), so when hew runs as root the command's processes
// are counted here instead, wherever the pids controller can be used: cgroup v2 (the root
// cgroup, or hew's own cgroup when it delegates pids) or v1's pids hierarchy.
type pidsCgroup struct{ dir string }

// pidsCgroupSeq tells this process's cgroups apart.
var pidsCgroupSeq atomic.Int64

// newPidsCgroup makes a pids cgroup allowing max tasks, or returns nil when none can be made.
func newPidsCgroup(max int) *pidsCgroup {
	if max <= 0 {
		return nil
	}
	name := fmt.Sprintf("hew-sandbox-%d-%d", os.Getpid(), pidsCgroupSeq.Add(1))
	for _, parent := range pidsParents() {
		removeStale(parent)
		dir := filepath.Join(parent, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(fmt.Sprint(max)), 0); err != nil {
			os.Remove(dir)
			continue
		}
		return &pidsCgroup{dir: dir}
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

// procs is the file a process writes "0" to, to join the cgroup.
func (c *pidsCgroup) procs() string { return filepath.Join(c.dir, "cgroup.procs") }

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

// joinCgroup moves the calling process into the cgroup whose cgroup.procs is path.
func joinCgroup(path string) error {
	if err := os.WriteFile(path, []byte("0"), 0); err != nil {
		return fmt.Errorf("join the command's pids cgroup: %w", err)
	}
	return nil
}
