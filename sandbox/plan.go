package sandbox

import (
	"os"
	"path/filepath"
	"slices"
)

// devFiles are the device files a command may open; the rest of /dev (terminals, the host's
// /dev/shm, disks) is out of reach.
var devFiles = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/random", "/dev/urandom"}

// basePlan mounts the overlay, if any, and runs the command: nothing more. Backends add to it.
func (j *job) basePlan() *helperPlan {
	return &helperPlan{
		MakePrivate: true,
		Workspace:   j.Workspace,
		Overlay:     j.Overlay,
		ReadThrough: j.caches,
		Argv:        []string{"/bin/sh", "-c", j.Command},
		Env:         j.env,
		Dir:         j.Dir,
	}
}

// namespacePlan is the namespaces backend: the private temp dir over /tmp; the homes, runtime
// dirs and sockets masked; .git (and, under read-only, the workspace) read-only; Landlock
// confines writes to /tmp and the workspace and keeps /dev out of reach; the command has no
// capabilities, limits, and, with the network off, no sockets but Unix ones.
func (j *job) namespacePlan() *helperPlan {
	p := j.basePlan()
	p.BindTmp = j.tmp
	p.TmpKeep = j.keepsUnder("/tmp")
	p.Masks = j.masks
	if j.Policy == PolicyReadOnly {
		p.ReadOnly = append(p.ReadOnly, j.Workspace)
	}
	p.ReadOnly = append(p.ReadOnly, j.readOnly...)
	p.HideDirs, p.HideFiles = j.hideDirs, j.hideFiles
	p.MountProc = true
	lp := &landlockPlan{WriteDirs: []string{"/tmp"}, WriteFiles: devFiles, Network: j.Network}
	carve("/", []string{"/dev"}, &lp.ReadDirs, &lp.ReadFiles)
	if j.Policy != PolicyReadOnly {
		lp.WriteDirs = append(lp.WriteDirs, j.Workspace)
	}
	p.Landlock = lp
	p.DropCaps = true
	p.Seccomp = !j.Network
	p.Limits = j.limits.rlimits(true)
	return p
}

// landlockOnlyPlan is the Landlock backend, for where namespaces are blocked: without mounts,
// what the others mask is hidden by granting reads on everything but it, and .git stays
// read-only by granting writes on each other entry of the workspace (so new top-level entries
// cannot be made next to .git). A subreaper helper kills the tree. Named Unix sockets cannot be
// hidden without a mount namespace, so with the network off connect(2) is denied outright.
func (j *job) landlockOnlyPlan() *helperPlan {
	p := j.basePlan()
	p.MakePrivate, p.Overlay, p.ReadThrough = false, nil, nil
	lp := &landlockPlan{Network: j.Network, WriteFiles: slices.Clone(devFiles)}
	hidden := append(slices.Clone(j.hideDirs), j.hideFiles...)
	for _, m := range j.masks {
		hidden = append(hidden, m.Path)
	}
	hidden = append(hidden, "/dev", "/tmp")
	carve("/", hidden, &lp.ReadDirs, &lp.ReadFiles)
	for _, p := range j.readPaths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			lp.ReadDirs = append(lp.ReadDirs, p)
		} else {
			lp.ReadFiles = append(lp.ReadFiles, p)
		}
	}
	lp.ReadDirs = append(lp.ReadDirs, j.Workspace)
	lp.WriteDirs = []string{j.tmp}
	if j.Policy != PolicyReadOnly {
		if len(j.readOnly) == 0 {
			lp.WriteDirs = append(lp.WriteDirs, j.Workspace)
		} else {
			carve(j.Workspace, j.readOnly, &lp.WriteDirs, &lp.WriteFiles)
		}
	}
	p.Landlock = lp
	p.DropCaps = true
	p.Seccomp = !j.Network
	p.DenyConnect = !j.Network
	p.Limits = j.limits.rlimits(false)
	p.Subreaper, p.PlanDir = true, j.tmp
	return p
}

// carve adds to dirs and files the paths that together cover everything under root except the
// excluded paths: root itself when nothing excluded is under it, else its entries, carved in turn.
func carve(root string, excluded []string, dirs, files *[]string) {
	if slices.Contains(excluded, root) {
		return
	}
	st, err := os.Stat(root)
	if err != nil {
		return
	}
	if !st.IsDir() {
		*files = append(*files, root)
		return
	}
	if !slices.ContainsFunc(excluded, func(e string) bool { return within(e, root) }) {
		*dirs = append(*dirs, root)
		return
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		carve(filepath.Join(root, e.Name()), excluded, dirs, files)
	}
}

// bwrapArgs are bubblewrap's arguments for j: no capabilities, a new session when hew has a
// controlling terminal to leave (else the caller starts bubblewrap in a process group of its
// own), every namespace unshared (the network kept only when allowed), the root read-only, a fresh /dev and /proc, the
// private temp dir over /tmp, the homes and runtime dirs masked with only the workspace and the
// read-only paths bound back, .git read-only again, and credentials and sockets covered.
func bwrapArgs(j *job) []string {
	a := []string{"--die-with-parent"}
	if j.terminal {
		a = append(a, "--new-session")
	}
	a = append(a, "--unshare-all", "--cap-drop", "ALL")
	if j.Network {
		a = append(a, "--share-net")
	}
	a = append(a, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind", j.tmp, "/tmp")
	for _, m := range j.masks {
		a = append(a, "--tmpfs", m.Path)
	}
	ws := "--bind"
	if j.Policy == PolicyReadOnly {
		ws = "--ro-bind"
	}
	a = append(a, ws, j.Workspace, j.Workspace)
	for _, p := range j.readPaths {
		a = append(a, "--ro-bind", p, p)
	}
	for _, p := range j.readOnly {
		a = append(a, "--ro-bind", p, p)
	}
	for _, m := range j.masks {
		a = append(a, "--remount-ro", m.Path)
	}
	for _, d := range j.hideDirs {
		a = append(a, "--tmpfs", d, "--remount-ro", d)
	}
	for _, f := range j.hideFiles {
		a = append(a, "--ro-bind", "/dev/null", f)
	}
	return append(a, "--chdir", j.Dir, "--", "/bin/sh", "-c", j.Command)
}
