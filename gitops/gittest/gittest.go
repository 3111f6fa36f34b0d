// Package gittest makes real git repositories for tests and runs the git CLI against them, so
// tests check what hew did the way a user's git would see it.
package gittest

import (
	"math/rand"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// Git runs the git CLI in dir, isolated from the user's and the system's git configuration,
// and returns its output without surrounding white space. The test fails if git does.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := Command(dir, []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Command prepares the git CLI to run in dir with the process's environment minus the variables
// that point git at another repository or configuration, plus env ("KEY=VALUE"), so that a test
// decides what git reads: pass HOME, XDG_CONFIG_HOME and GIT_CONFIG_NOSYSTEM=1 to give it a
// global configuration of the test's own.
func Command(dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_CONFIG", "GIT_CONFIG_GLOBAL",
			"GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_COUNT", "GIT_CEILING_DIRECTORIES":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// WriteFile writes content to path, creating its directories.
func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// NewRepo makes a repository on branch main with a test identity and one commit, "initial",
// holding files (path → content).
func NewRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		WriteFile(t, filepath.Join(dir, name), content)
	}
	Git(t, dir, "init", "-q", "-b", "main")
	Git(t, dir, "config", "user.name", "Test User")
	Git(t, dir, "config", "user.email", "test@example.com")
	Git(t, dir, "add", ".")
	Git(t, dir, "commit", "-q", "-m", "initial")
	return dir
}

// InitIgnoreTree makes a repository (committing nothing) of a generated tree of about n files
// below directories up to three deep, with .gitignore files at several depths whose patterns mix
// negations, anchors, directory-only patterns, "**", bracket expressions and escapes over the
// tree's own names. Each file's content names its path. For an odd seed a few files are tracked
// with git add -f, so that tracked files match ignore patterns. The same seed gives the same tree.
func (h *Home) InitIgnoreTree(t testing.TB, seed int64, n int) string {
	t.Helper()
	files := ignoreTree(seed, n)
	root := h.Init(t, files)
	if seed%2 == 1 {
		var add []string
		for name := range files {
			if len(add) < 8 && path.Base(name) != ".gitignore" {
				add = append(add, name)
			}
		}
		h.Git(t, root, "", append([]string{"add", "-f", "--"}, add...)...)
	}
	return root
}

func ignoreTree(seed int64, n int) map[string]string {
	rnd := rand.New(rand.NewSource(seed))
	dirs := []string{"src", "build", "doc", "tmp", "a", "b", "deep", "logs", "x y"}
	names := []string{"main.go", "x.log", "keep.log", "#hash", "!bang", "f.o", "lib.a", "readme.md", "c.md",
		"notes.txt", "data.tmp", "Build", "z", "out.bin"}
	patterns := []string{"*.log", "!keep.log", "build/", "/build", "tmp", "*.o", "!*.o", "**/deep/**", "a/**/z",
		"doc/*.txt", "[a-c]*.md", "[!m]ain.go", "\\#hash", "\\!bang", "*.tmp ", "data.tmp\\ ", "x y/", "!x y/",
		"logs/*", "!logs/keep.log", "/*.bin", "*/z", "!src/", "src/*", "**/b", "b/", "deep", "!deep", "*.[ao]",
		"Build/", "?.md", "**/logs/**/*.log", "# comment", "!/a/"}
	pick := func(xs []string) string { return xs[rnd.Intn(len(xs))] }
	files := map[string]string{}
	addIgnore := func(dir string) {
		var b strings.Builder
		for range 1 + rnd.Intn(5) {
			b.WriteString(pick(patterns) + "\n")
		}
		files[path.Join(dir, ".gitignore")] = b.String()
	}
	addIgnore(".")
	for len(files) < n {
		dir := "."
		for range rnd.Intn(4) {
			dir = path.Join(dir, pick(dirs))
		}
		name := path.Join(dir, pick(names))
		if _, ok := files[name]; ok || conflicts(files, name) {
			continue
		}
		files[name] = "content of " + name + "\n"
		if ig := path.Join(dir, ".gitignore"); dir != "." && rnd.Intn(3) == 0 && !conflicts(files, ig) {
			if _, ok := files[ig]; !ok {
				addIgnore(dir)
			}
		}
	}
	return files
}

// conflicts reports whether name would be a directory where files has a file, or a file where
// it has a directory.
func conflicts(files map[string]string, name string) bool {
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		if _, ok := files[d]; ok {
			return true
		}
	}
	for f := range files {
		if strings.HasPrefix(f, name+"/") {
			return true
		}
	}
	return false
}

// Home is a home directory of a test's own, for the git CLI and for hew alike: HOME and
// XDG_CONFIG_HOME point into it and no system configuration is read, so that a test can give
// git a global configuration (core.excludesFile, an XDG ignore file) and check that hew, given
// Getenv, reads the same.
type Home struct {
	Dir string // HOME
	XDG string // XDG_CONFIG_HOME; "" leaves it unset, so that git uses Dir/.config
}

// NewHome makes an empty home with XDG_CONFIG_HOME at its .config.
func NewHome(t testing.TB) *Home {
	dir := t.TempDir()
	return &Home{Dir: dir, XDG: filepath.Join(dir, ".config")}
}

// Env is the environment the git CLI gets.
func (h *Home) Env() []string {
	env := []string{"HOME=" + h.Dir, "GIT_CONFIG_NOSYSTEM=1"}
	if h.XDG != "" {
		env = append(env, "XDG_CONFIG_HOME="+h.XDG)
	}
	return env
}

// Getenv reads Env, for hew.
func (h *Home) Getenv(key string) string {
	for _, kv := range h.Env() {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

// Git runs the git CLI in dir in this home with stdin as its input and returns its output as it
// is. Exit status 1 is no failure: git check-ignore says "nothing ignored" with it.
func (h *Home) Git(t testing.TB, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := Command(dir, h.Env(), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// Init makes a repository with files (path → content) in a fresh directory, committing nothing.
func (h *Home) Init(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	h.Git(t, dir, "", "init", "-q", "-b", "main")
	for name, content := range files {
		WriteFile(t, filepath.Join(dir, filepath.FromSlash(name)), content)
	}
	return dir
}
