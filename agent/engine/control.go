package engine

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"hew/agent/event"
	"hew/agent/proposal"
)

// ControlFile is a proposed change to a file that steers hew, git, commit hooks or CI (see
// proposal.ControlKind).
type ControlFile struct {
	Path string
	Kind string // such as "CI configuration"; "symlink to …" for a link made to point at one
}

// String is "PATH (KIND)".
func (c ControlFile) String() string { return c.Path + " (" + c.Kind + ")" }

// ControlFilesError is returned by RunTask when the proposal changes control files and the task
// did not allow accepting them; nothing was written.
type ControlFilesError struct{ Files []ControlFile }

func (e *ControlFilesError) Error() string {
	return fmt.Sprintf("the proposal changes files that steer hew, git, hooks or CI: %s; --accept does not take control files unless you pass --accept-control-files after reviewing them, so nothing was written to your tree",
		joinControl(e.Files))
}

func joinControl(files []ControlFile) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = f.String()
	}
	return strings.Join(parts, ", ")
}

// hooksRel is the hooks directory relative to the root when it lies inside the working tree
// (core.hooksPath such as .githooks), or "" when it lies outside it or in the git directory.
func (e *Engine) hooksRel() string {
	rel, err := filepath.Rel(e.repo.Root(), e.repo.HooksDir())
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return ""
	}
	rel = filepath.ToSlash(rel)
	if rel == ".git" || strings.HasPrefix(rel, ".git/") {
		return ""
	}
	return rel
}

// ControlFiles lists the control files among changes: by their path, by where their path leads
// through symbolic links in the working tree or the proposal, and symbolic links the proposal
// makes to point at a control file or directory.
func (e *Engine) ControlFiles(changes []proposal.Change) []ControlFile {
	hooks := e.hooksRel()
	links := map[string]string{} // the proposal's symbolic links: path → target
	for _, c := range changes {
		if c.Op != proposal.Delete && c.NewMode&fs.ModeSymlink != 0 {
			links[c.Path] = string(c.New)
		}
	}
	// The working tree's links, by directory: one Lstat per directory, however many files.
	treeLinks := map[string]*string{}
	treeLink := func(p string) (string, bool) {
		t, seen := treeLinks[p]
		if !seen {
			full := filepath.Join(e.repo.Root(), filepath.FromSlash(p))
			if fi, err := os.Lstat(full); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				if target, err := os.Readlink(full); err == nil {
					target = filepath.ToSlash(target)
					t = &target
				}
			}
			treeLinks[p] = t
		}
		if t == nil {
			return "", false
		}
		return *t, true
	}
	var out []ControlFile
	for _, c := range changes {
		kind := proposal.ControlKind(c.Path, hooks)
		if kind == "" {
			if real, ok := resolve(c.Path, links, treeLink); ok && real != c.Path {
				kind = proposal.ControlKind(real, hooks)
			}
		}
		if target, ok := links[c.Path]; kind == "" && ok {
			if t, inside := linkTarget(c.Path, target); inside {
				if k := controlDirKind(t, hooks); k != "" {
					kind = "symlink to " + k
				}
			}
		}
		if kind != "" {
			out = append(out, ControlFile{Path: c.Path, Kind: kind})
		}
	}
	return out
}

// controlDirKind is the control kind of p or of files in directory p, such as ".github/workflows"
// or the root itself.
func controlDirKind(p, hooks string) string {
	if k := proposal.ControlKind(p, hooks); k != "" {
		return k
	}
	if p == "." || p == ".github" || p == ".forgejo" || p == ".gitea" || p == ".vscode" {
		return "a directory of control files"
	}
	return proposal.ControlKind(path.Join(p, "x"), hooks)
}

// linkTarget is where a link at name to target leads, relative to the root, and whether that
// lies inside the tree.
func linkTarget(name, target string) (string, bool) {
	if path.IsAbs(target) {
		return "", false
	}
	t := path.Clean(path.Join(path.Dir(name), target))
	return t, t != ".." && !strings.HasPrefix(t, "../")
}

// resolve follows the symbolic links among the directories of name — the proposal's (links)
// first, then the working tree's (treeLink) — and returns where name leads relative to the
// root; ok is false when it leads outside the tree or the links go round.
func resolve(name string, links map[string]string, treeLink func(string) (string, bool)) (string, bool) {
	parts := strings.Split(name, "/")
	done := ""
	for hops := 0; len(parts) > 1; {
		next := path.Join(done, parts[0])
		target, ok := links[next]
		if !ok {
			target, ok = treeLink(next)
		}
		if !ok {
			done, parts = next, parts[1:]
			continue
		}
		if hops++; hops > 40 {
			return "", false
		}
		t, inside := linkTarget(next, target)
		if !inside {
			return "", false
		}
		// Start again from the root with the link replaced by its target.
		rest := parts[1:]
		parts = append(strings.Split(t, "/"), rest...)
		parts = slices.DeleteFunc(parts, func(s string) bool { return s == "." || s == "" })
		done = ""
	}
	return path.Join(done, path.Join(parts...)), true
}

// HookChangesError is returned by Commit when the changes accepted and not yet committed create
// or change what the commit's hooks run (the hooks directory inside the tree, a hook manager's
// configuration) and the caller did not pass RunChangedHooks: hew does not run code the model
// wrote as a hook without the user's say.
type HookChangesError struct{ Files []ControlFile }

func (e *HookChangesError) Error() string {
	return fmt.Sprintf("the change creates or changes what the commit's hooks run: %s; hew does not run hooks the model wrote without your say: review them, then pass --run-changed-hooks (in the UI, say yes at /commit), or commit yourself",
		joinControl(e.Files))
}

// CommitOption changes what Commit allows.
type CommitOption int

// RunChangedHooks lets Commit run the repository's hooks although the accepted changes create
// or change them: the user reviewed them and said yes.
const RunChangedHooks CommitOption = 1

// hookFiles lists the changes among changes that create or change what commit hooks run.
func (e *Engine) hookFiles(changes []proposal.Change) []ControlFile {
	var out []ControlFile
	for _, c := range e.ControlFiles(changes) {
		if isHookKind(c.Kind) {
			out = append(out, c)
		}
	}
	return out
}

func isHookKind(kind string) bool {
	kind = strings.TrimPrefix(kind, "symlink to ")
	return kind == proposal.ControlHooks || kind == proposal.ControlHookConfig
}

// acceptedHookFiles lists the accepted, uncommitted changes that create or change what commit
// hooks run. Hooks run from the working tree, so every such change counts, whichever files a
// commit takes.
func (e *Engine) acceptedHookFiles() []ControlFile {
	e.mu.Lock()
	changes := make([]proposal.Change, 0, len(e.accepted))
	for p, u := range e.accepted {
		c := proposal.Change{Path: p, Op: proposal.Modify, New: u.New, NewMode: u.Mode}
		if u.Delete {
			c.Op = proposal.Delete
		}
		changes = append(changes, c)
	}
	e.mu.Unlock()
	slices.SortFunc(changes, func(a, b proposal.Change) int { return strings.Compare(a.Path, b.Path) })
	return e.hookFiles(changes)
}

// ProposedControlFiles lists the control files among the proposal's changes to paths (all of
// them when paths is empty), as Accept would take them.
func (e *Engine) ProposedControlFiles(paths []string) ([]ControlFile, error) {
	// Links among the other changes still count: the whole proposal is resolved.
	changes, err := e.layer.Changes()
	if err != nil {
		return nil, err
	}
	cf := e.ControlFiles(changes)
	if len(paths) > 0 {
		cf = slices.DeleteFunc(cf, func(c ControlFile) bool { return !slices.Contains(paths, c.Path) })
	}
	return cf, nil
}

// emitMarked emits ev, marking the control files of a ProposalChanged (FileStat.Control) so
// that every front end, the JSON stream and the session log see them.
func (e *Engine) emitMarked(ev event.Event) {
	if pc, ok := ev.(event.ProposalChanged); ok {
		e.proposalChanged()
		if len(pc.Files) > 0 {
			changes := make([]proposal.Change, len(pc.Files))
			for i, f := range pc.Files {
				changes[i] = proposal.Change{Path: f.Path, Op: proposal.Modify, NewMode: 0o644}
			}
			kinds := map[string]string{}
			for _, c := range e.ControlFiles(changes) {
				kinds[c.Path] = c.Kind
			}
			files := slices.Clone(pc.Files)
			for i := range files {
				files[i].Control = kinds[files[i].Path]
			}
			pc.Files = files
			ev = pc
		}
	}
	e.events.Emit(ev)
}
