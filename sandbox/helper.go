package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// helperPlan tells the helper stage what to set up before it becomes the command. The parent
// writes it to a file named by the HEW_SANDBOX_HELPER variable; the helper reads and removes it.
type helperPlan struct {
	Probe       bool          // only try to mount Overlay and ReadThrough, and report each failure
	Workspace   string        // lower layer and mount point of Overlay
	Overlay     *Overlay      // nil: no overlay
	ReadThrough []readThrough // mounted when possible; a cache that fails stays scratch-only
	MakePrivate bool          // running in a new mount namespace: stop mount propagation first
	BindTmp     string        // private temp dir to mount over /tmp, or ""
	TmpKeep     []string      // paths under /tmp bound back over BindTmp
	Masks       []mask        // directories hidden by an empty read-only tmpfs, with paths bound back
	ReadOnly    []string      // paths bind-mounted read-only over themselves, in order
	HideDirs    []string      // get an empty, inaccessible tmpfs
	HideFiles   []string      // get /dev/null
	MountProc   bool          // mount a /proc for the new pid namespace
	Landlock    *landlockPlan
	DropCaps    bool     // empty every capability set, lock securebits, set no_new_privs
	Seccomp     bool     // deny non-Unix sockets
	DenyConnect bool     // with Seccomp: deny connect(2) too (no named Unix sockets)
	Limits      *rlimits // set just before the command starts
	Cgroup      string   // tasks (v1) or cgroup.procs (v2) of the pids cgroup to join first, unless started in it; or ""
	Subreaper   bool     // stay as parent of the command and kill every descendant at the end
	PlanDir     string   // where a Subreaper writes the plan of the stage it starts
	Argv        []string
	Env         []string
	Dir         string
}

// landlockPlan lists what the command may touch; everything else is denied.
type landlockPlan struct {
	ReadDirs, ReadFiles   []string
	WriteDirs, WriteFiles []string
	Network               bool // leave TCP unrestricted
}

// Exit codes of the helper stage itself, used when it cannot report on its status pipe.
const helperFailed = 125

// statusFD is the helper's end of the status pipe.
const statusFD = 3

// init becomes the helper stage as early as the program allows. Go initializes packages in
// import-path order as their imports become ready, and the heavy packages of hew's binary
// (chroma's lexers and styles take tens of milliseconds, the UI, the model providers) become
// ready with regexp; this package imports neither regexp nor anything that does, so its
// initialization comes before theirs and the helper stage skips them, which is most of the cost
// of re-executing hew. cmd/hew's TestSandboxStartsBeforeTheRestOfHew checks it.
func init() { RunHelperIfRequested() }

// RunHelperIfRequested turns this process into the sandbox's helper stage when hew re-executed
// itself for that purpose, and never returns then; otherwise it returns at once. This package's
// initialization already calls it; calling it first thing in main as well does no harm.
func RunHelperIfRequested() {
	path := os.Getenv(helperEnv)
	if path == "" {
		return
	}
	status := os.NewFile(statusFD, "status")
	fail := func(err error) { os.Exit(helperFailure(status, err)) }
	b, err := os.ReadFile(path)
	if err != nil {
		fail(fmt.Errorf("read plan: %w", err))
	}
	os.Remove(path)
	var p helperPlan
	if err := json.Unmarshal(b, &p); err != nil {
		fail(fmt.Errorf("decode plan %s: %w", path, err))
	}
	os.Exit(runHelper(&p, status))
}

// helperFailure reports err on the status pipe, if there is one, and returns the helper's exit
// code for a failure.
func helperFailure(status *os.File, err error) int {
	if status != nil {
		fmt.Fprintln(status, err)
	}
	return helperFailed
}

// writePlan stores p in dir for the helper and returns the variable that names it.
func writePlan(dir string, p *helperPlan) (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("sandbox: encode helper plan: %w", err)
	}
	f, err := os.CreateTemp(dir, ".hew-helper-plan-*.json")
	if err != nil {
		return "", fmt.Errorf("sandbox: write helper plan: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("sandbox: write helper plan: %w", err)
	}
	return helperEnv + "=" + filepath.Clean(f.Name()), nil
}
