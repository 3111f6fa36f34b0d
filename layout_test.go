package hew_test

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The import rules that keep the layout honest (docs/architecture.md draws them). Each rule
// names a set of packages (a path, or a path ending in "/..." for everything under it) and
// what they may not import. Test files are held to the rules too, except that they may import
// the test helpers of any package (the *test packages such as gitops/gittest).
var importRules = []struct {
	from   []string
	forbid []string
	// allow lists exceptions to forbid; testAllow, exceptions for test files only.
	allow, testAllow []string
	why              string
}{
	{
		from:   []string{"gitops/..."},
		forbid: []string{"..."},
		allow:  []string{"gitops/..."},
		why:    "git plumbing knows nothing of models, the loop, the engine or the UI",
	},
	{
		from:   []string{"sandbox/..."},
		forbid: []string{"..."},
		allow:  []string{"sandbox/..."},
		why:    "contained execution stands alone",
	},
	{
		from:   []string{"agent/patch"},
		forbid: []string{"..."},
		// One exception: it writes through the tree guard every writer shares.
		allow: []string{"gitops/fsguard"},
		why:   "the patch engine is a leaf unit, like Codex's apply-patch",
	},
	{
		from:   []string{"agent/termsafe"},
		forbid: []string{"..."},
		why:    "making outside text safe for a terminal is a leaf every front end shares",
	},
	{
		from:   []string{"agent/exitcode"},
		forbid: []string{"..."},
		why:    "the exit codes are a contract every command shares, owned by one leaf",
	},
	{
		from:   []string{"gitops/fsguard"},
		forbid: []string{"..."},
		why:    "keeping file access inside a tree is a leaf every reader and writer shares",
	},
	{
		from:   []string{"prompts"},
		forbid: []string{"..."},
		why:    "prompts are embedded text, nothing else",
	},
	{
		from:   []string{"agent/..."},
		forbid: []string{"tui/...", "cmd/..."},
		why:    "the core knows nothing of its front ends",
	},
	{
		from:   []string{"agent/llm/..."},
		forbid: []string{"agent/loop", "agent/engine/...", "agent/tools", "agent/proposal", "agent/runner", "agent/session", "agent/compact", "agent/approval", "agent/codereview", "agent/project"},
		why:    "model providers speak wire formats; they know nothing of the loop that uses them",
	},
	{
		from:   []string{"agent/loop", "agent/tools", "agent/proposal", "agent/runner", "agent/session", "agent/compact", "agent/approval", "agent/codereview", "agent/project", "agent/config", "agent/event", "agent/mcp/..."},
		forbid: []string{"agent/engine/..."},
		why:    "the engine assembles the parts; no part depends on the assembly",
	},
	{
		from: []string{"tui/..."},
		// The view's tests build change sets by hand from the proposal's data types.
		testAllow: []string{"agent/proposal"},
		// The marker that says how much of a command's output was left out is one grammar,
		// so the transcript's count adds up with the model's.
		allow:  []string{"sandbox/capture"},
		forbid: []string{"cmd/...", "sandbox/...", "agent/loop", "agent/tools", "agent/proposal", "agent/runner", "agent/compact", "agent/session", "agent/config", "agent/project", "agent/llm/openai", "agent/llm/bedrock", "agent/llm/provider", "agent/llm/catalog", "agent/patch", "agent/codereview", "agent/mcp/..."},
		why:    "the UI calls the engine's verbs and reads its events; it never reaches into the parts",
	},
	{
		from:   []string{"tui/markdown", "tui/syntax"},
		forbid: []string{"..."},
		allow:  []string{"agent/termsafe", "tui/syntax"},
		why:    "rendering Markdown and colouring code are leaves: text in, styled lines out",
	},
	{
		from:   []string{"cmd/headless"},
		forbid: []string{"..."},
		allow:  []string{"agent/event", "agent/llm", "agent/termsafe", "sandbox/capture"}, // capture: the one omission marker,
		why:    "the headless front end renders events; it decides nothing",
	},
}

// matches reports whether pkg (relative to the module, such as "agent/loop") is in pattern.
func matches(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

func matchesAny(patterns []string, pkg string) bool {
	for _, p := range patterns {
		if matches(p, pkg) {
			return true
		}
	}
	return false
}

// moduleImports maps each package directory of the module to the module packages its files
// import; test files' imports are listed under the package with "_test" appended.
func moduleImports(t *testing.T, module string) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(p))
		if strings.HasSuffix(p, "_test.go") {
			pkg += "_test"
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			rel, ok := strings.CutPrefix(ip, module+"/")
			if !ok {
				if ip == module {
					rel, ok = ".", true
				}
			}
			if !ok {
				continue
			}
			if out[pkg] == nil {
				out[pkg] = map[string]bool{}
			}
			out[pkg][rel] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportRules fails when a package imports what its place in the layout forbids.
func TestImportRules(t *testing.T) {
	graph := moduleImports(t, "hew")
	if len(graph) < 10 {
		t.Fatalf("found only %d packages with module imports; is the test run from the module root?", len(graph))
	}
	var bad []string
	for pkg, imports := range graph {
		from, isTest := strings.CutSuffix(pkg, "_test")
		for _, r := range importRules {
			if !matchesAny(r.from, from) {
				continue
			}
			for imp := range imports {
				if !matchesAny(r.forbid, imp) || matchesAny(r.allow, imp) || imp == from || isTest && matchesAny(r.testAllow, imp) {
					continue
				}
				if isTest && strings.HasSuffix(path.Base(imp), "test") {
					continue // test helpers (gittest, llmtest, enginetest)
				}
				bad = append(bad, fmt.Sprintf("%s imports %s: %s", pkg, imp, r.why))
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

// The rules must be able to fail: a made-up import that breaks each kind is caught.
func TestImportRulesCatchViolations(t *testing.T) {
	for _, c := range []struct{ from, imp string }{
		{"gitops", "agent/loop"},
		{"gitops/diff", "agent/engine"},
		{"sandbox", "agent/event"},
		{"agent/patch", "gitops"},
		{"agent/tools", "tui"},
		{"agent/llm/openai", "agent/loop"},
		{"agent/loop", "agent/engine"},
		{"tui", "agent/proposal"},
		{"tui/changeset", "cmd/hew"},
		{"cmd/headless", "agent/engine"},
		{"tui/markdown", "tui/transcript"},
	} {
		caught := false
		for _, r := range importRules {
			if matchesAny(r.from, c.from) && matchesAny(r.forbid, c.imp) && !matchesAny(r.allow, c.imp) {
				caught = true
			}
		}
		if !caught {
			t.Errorf("%s importing %s is not caught", c.from, c.imp)
		}
	}
}

// templateExecutors may import text/template or html/template (see TestNoTemplateExecution).
var templateExecutors = map[string]string{
	// cobra executes its usage and help templates only when a program sets its own with
	// SetUsageTemplate or SetHelpTemplate, which hew does not; the linker drops those calls.
	"github.com/spf13/cobra": "executes templates only for custom usage and help, which hew does not set",
}

// TestNoTemplateExecution fails when a package hew links imports text/template or
// html/template. Executing a template calls methods by name through reflection, so once a
// program can reach Template.Execute the Go linker keeps every exported method of every type
// that may reach it: dead-code elimination is off, and the binary grew from 44 to 74 MB. Render
// text with plain Go (strings.Builder, fmt) instead.
func TestNoTemplateExecution(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./cmd/hew").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(l, " ")
		n++
		for _, imp := range strings.Fields(imports) {
			if (imp == "text/template" || imp == "html/template") && templateExecutors[pkg] == "" {
				t.Errorf("%s imports %s: any reachable template execution turns off the linker's dead-code elimination (a release build of 74 MB instead of 44); render text with plain Go", pkg, imp)
			}
		}
	}
	if n < 50 {
		t.Fatalf("go list listed %d packages of hew; is the test run from the module root?", n)
	}
}

// TestPlatformPackagesBuildForMacOS builds, for macOS, every package that has files for some
// platforms only: a Linux-only name used in a file every platform builds breaks hew on macOS,
// and nothing else on a Linux machine would notice.
func TestPlatformPackagesBuildForMacOS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds packages for another platform")
	}
	dirs := map[string]bool{}
	filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(b, []byte("//go:build ")) && !bytes.HasPrefix(b, []byte("//go:build tools")) {
			dirs["./"+filepath.ToSlash(filepath.Dir(p))] = true
		}
		return nil
	})
	if len(dirs) < 3 {
		t.Fatalf("found %d packages with platform files; is the test run from the module root?", len(dirs))
	}
	args := append([]string{"build"}, slices.Sorted(maps.Keys(dirs))...)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOOS=darwin", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("GOOS=darwin go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
