package gitops

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// gitProgram finds the git command once; "" when it is not installed. hew uses the git command
// for what go-git cannot do as git does: content filters and line-ending conversion, signing,
// resolving the identity through includes, and smudging files on restore. OpenWith looks again,
// leaving out PATH entries inside the repository.
var gitProgram = sync.OnceValue(func() string {
	p, err := exec.LookPath("git")
	if err != nil {
		return ""
	}
	return p
})

// outsideRoot returns the PATH list without its empty, relative and missing entries and those
// inside root, so that nothing the repository holds is run as a program git or hew starts
// (git itself, git-lfs, a signing program) outside the sandbox.
func outsideRoot(list, root string) string {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root
	}
	var keep []string
	for _, dir := range filepath.SplitList(list) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			continue
		}
		if inside(real, realRoot) || inside(filepath.Clean(dir), root) {
			continue
		}
		keep = append(keep, dir)
	}
	return strings.Join(keep, string(filepath.ListSeparator))
}

// gitPath is the PATH git commands get, worked out once: the environment's (or, without one,
// hew's own, as git would run from it), where filters and signing programs are found, never in
// the repository.
func (r *Repo) gitPath() string {
	r.pathOnce.Do(func() {
		path := r.opts.Getenv("PATH")
		if path == "" {
			path = os.Getenv("PATH")
		}
		r.path = outsideRoot(path, r.root)
	})
	return r.path
}

// inside reports whether path is dir or under it.
func inside(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// findProgram looks for an executable regular file named name in the directories of list; ""
// when there is none.
func findProgram(name, list string) string {
	for _, dir := range filepath.SplitList(list) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// hasGit reports whether the git command is available.
func (r *Repo) hasGit() bool { return r.opts.GitProgram != "" }

// errNoGit explains that something needs the git command.
func errNoGit(what string) error {
	return fmt.Errorf("%s needs the git command, which is not installed (or not on PATH); install git, or commit with git yourself", what)
}

// passEnv are the variables, besides GIT_*, that the git command hew runs reads from the
// environment hew was given (Options.Getenv) rather than from hew's own process.
var passEnv = []string{"HOME", "XDG_CONFIG_HOME", "EMAIL", "USER", "LOGNAME", "GNUPGHOME", "GPG_TTY", "SSH_AUTH_SOCK", "PATH", "TZ", "LANG", "LC_ALL"}

// passGitEnv are the GIT_* variables git commands read that hew passes on from Options.Getenv.
var passGitEnv = []string{
	"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
	"GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
	"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_PARAMETERS",
	"GIT_CONFIG_COUNT", "GIT_CEILING_DIRECTORIES", "GIT_LFS_SKIP_SMUDGE", "GIT_SSH_COMMAND",
	"GIT_ALLOW_PROTOCOL", "GIT_EXEC_PATH", "GIT_SSH", "GIT_ASKPASS", "GIT_TRACE", "GIT_TRACE2",
	"GIT_TRACE2_EVENT", "GIT_TRACE_PERFORMANCE",
}

// gitEnv is the environment for a git command run on this repository: hew's process
// environment with every variable git reads replaced by what Options.Getenv says, and GIT_DIR
// and GIT_WORK_TREE naming this repository, so that git works on exactly the repository hew
// opened.
func (r *Repo) gitEnv(extra ...string) []string {
	drop := map[string]bool{}
	for _, k := range passEnv {
		drop[k] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if drop[k] || strings.HasPrefix(k, "GIT_") {
			continue
		}
		env = append(env, kv)
	}
	add := func(k string) {
		if v := r.opts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	for _, k := range passEnv {
		if k != "PATH" {
			add(k)
		}
	}
	env = append(env, "PATH="+r.gitPath())
	for _, k := range passGitEnv {
		add(k)
	}
	if n, err := strconv.Atoi(r.opts.Getenv("GIT_CONFIG_COUNT")); err == nil {
		for i := range n {
			add(fmt.Sprintf("GIT_CONFIG_KEY_%d", i))
			add(fmt.Sprintf("GIT_CONFIG_VALUE_%d", i))
		}
	}
	env = append(env, "GIT_DIR="+r.gitDir, "GIT_WORK_TREE="+r.root, "GIT_TERMINAL_PROMPT=0")
	return append(env, extra...)
}

// gitCmd is a git command on this repository, run from the top of the working tree.
func (r *Repo) gitCmd(ctx context.Context, stdin []byte, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.opts.GitProgram, args...)
	cmd.Dir = r.root
	cmd.Env = r.gitEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	return cmd
}

// runGit runs git with args and stdin and returns its standard output; the error carries what
// git printed on standard error.
func (r *Repo) runGit(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	return runCmd(r.gitCmd(ctx, stdin, args...))
}

// runCmd runs cmd and returns its standard output; the error carries its standard error.
func runCmd(cmd *exec.Cmd) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return stdout.Bytes(), fmt.Errorf("%s: %s", strings.Join(cmd.Args[:min(len(cmd.Args), 2)], " "), msg)
	}
	return stdout.Bytes(), nil
}
