package sandbox

import (
	"os"
	"path/filepath"
	"slices"
)

// devFiles are the device files a command may write.
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

// writable lists the directories the command may write: the workspace (per policy), the
// scratch HOME and the private temp dir.
func (j *job) writable() []string {
	dirs := []string{j.home, j.commandTmp()}
	if j.Policy != PolicyReadOnly {
		dirs = append(dirs, j.Workspace)
	}
	return dirs
}

// namespacePlan is the namespaces backend: mounts hide credentials and make .git (and, under
// read-only, the workspace) read-only; Landlock confines writes; the command has no capabilities
// and, with the network off, no sockets but Unix ones.
func (j *job) namespacePlan() *helperPlan {
	p := j.basePlan()
	if j.bindTmp {
		p.BindTmp = j.tmp
	}
	if j.Policy == PolicyReadOnly {
		p.ReadOnly = append(p.ReadOnly, j.Workspace)
	}
	if j.gitDir != "" {
		p.ReadOnly = append(p.ReadOnly, j.gitDir)
	}
	p.HideDirs, p.HideFiles = j.hideDirs, j.hideFiles
	p.MountProc = true
	p.Landlock = &landlockPlan{ReadDirs: []string{"/"}, WriteDirs: j.writable(), WriteFiles: devFiles, Network: j.Network}
	p.DropCaps = true
	p.Seccomp = !j.Network
	return p
}

// landlockOnlyPlan is the Landlock backend, for where namespaces are blocked: without mounts,
// credentials are hidden by granting reads on everything but them, and .git stays read-only by
// granting writes on each other entry of the workspace (so new top-level entries cannot be made
// next to .git). A subreaper helper kills the tree.
func (j *job) landlockOnlyPlan() *helperPlan {
	p := j.basePlan()
	p.MakePrivate, p.Overlay, p.ReadThrough = false, nil, nil
	lp := &landlockPlan{Network: j.Network, WriteFiles: slices.Clone(devFiles)}
	hidden := append(slices.Clone(j.hideDirs), j.hideFiles...)
	carve("/", hidden, &lp.ReadDirs, &lp.ReadFiles)
	lp.WriteDirs = []string{j.home, j.tmp}
	if j.Policy != PolicyReadOnly {
		if j.gitDir == "" {
			lp.WriteDirs = append(lp.WriteDirs, j.Workspace)
		} else {
			carve(j.Workspace, []string{j.gitDir}, &lp.WriteDirs, &lp.WriteFiles)
		}
	}
	p.Landlock = lp
	p.Seccomp = !j.Network
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

// bwrapArgs are bubblewrap's arguments for j: the root read-only, a fresh /dev and /proc, every
// namespace unshared (the network kept only when allowed), the writable places bound
// read-write, .git read-only again, and credentials covered.
func bwrapArgs(j *job) []string {
	a := []string{"--die-with-parent", "--new-session", "--unshare-all"}
	if j.Network {
		a = append(a, "--share-net")
	}
	a = append(a, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc")
	if j.bindTmp {
		a = append(a, "--bind", j.tmp, "/tmp")
	} else {
		a = append(a, "--bind", j.tmp, j.tmp)
	}
	a = append(a, "--bind", j.home, j.home)
	if j.Policy != PolicyReadOnly {
		a = append(a, "--bind", j.Workspace, j.Workspace)
	}
	if j.gitDir != "" {
		a = append(a, "--ro-bind", j.gitDir, j.gitDir)
	}
	for _, d := range j.hideDirs {
		a = append(a, "--tmpfs", d, "--remount-ro", d)
	}
	for _, f := range j.hideFiles {
		a = append(a, "--ro-bind", "/dev/null", f)
	}
	return append(a, "--chdir", j.Dir, "--", "/bin/sh", "-c", j.Command)
}
