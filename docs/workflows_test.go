package docs

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v4"
)

// workflowBlock finds the fenced YAML blocks of a Markdown document.
var workflowBlock = regexp.MustCompile("(?ms)^```ya?ml\n(.*?)^```")

// actionRef is how the documents name this repository's action; the lint runs them against the
// action.yml beside them instead.
var actionRef = regexp.MustCompile(`(?m)(uses:\s*)[\w.-]+/hew@[\w.-]+`)

// docWorkflows returns the workflows (YAML blocks with jobs) of every document, by name.
func docWorkflows(t *testing.T) map[string]string {
	t.Helper()
	docs, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, "../README.md")
	out := map[string]string{}
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range workflowBlock.FindAllSubmatch(b, -1) {
			if bytes.Contains(m[1], []byte("\njobs:")) {
				out[fmt.Sprintf("%s-%d.yml", strings.TrimSuffix(filepath.Base(doc), ".md"), i+1)] = string(m[1])
			}
		}
	}
	return out
}

// lintProject is a scratch repository holding the action as its root action.yml, in which
// workflows are linted as if they were its own.
type lintProject struct {
	root    string
	project *actionlint.Project
	linter  *actionlint.Linter
	out     *bytes.Buffer
}

func newLintProject(t *testing.T) *lintProject {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{".git", ".github/workflows"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	action, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "action.yml"), action, 0o644); err != nil {
		t.Fatal(err)
	}
	proj, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	opts := &actionlint.LinterOptions{WorkingDir: root}
	// shellcheck is optional: actionlint runs it over every script when it is installed.
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	}
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &lintProject{root: root, project: proj, linter: l, out: &out}
}

// lint writes the workflow into the project and returns actionlint's errors, and an error for
// every `${{ }}` inside a run: script (untrusted text must reach scripts through env:).
func (p *lintProject) lint(t *testing.T, name, workflow string) []string {
	t.Helper()
	path := filepath.Join(p.root, ".github/workflows", name)
	if err := os.WriteFile(path, []byte(workflow), 0o644); err != nil {
		t.Fatal(err)
	}
	errs, err := p.linter.Lint(path, []byte(workflow), p.project)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, fmt.Sprintf("%s:%d:%d: %s [%s]", name, e.Line, e.Column, e.Message, e.Kind))
	}
	w, _ := actionlint.Parse([]byte(workflow))
	if w == nil {
		return msgs
	}
	for id, job := range w.Jobs {
		for _, step := range job.Steps {
			if run, ok := step.Exec.(*actionlint.ExecRun); ok && run.Run != nil && strings.Contains(run.Run.Value, "${{") {
				msgs = append(msgs, fmt.Sprintf("%s:%d: job %s: a run: script holds a ${{ }} expression; pass the value through env: and quote it", name, run.Run.Pos.Line, id))
			}
		}
	}
	sort.Strings(msgs)
	return msgs
}

// TestDocumentedWorkflowsPassActionlint lints every workflow in docs/*.md, each using the
// action.yml of this repository (so the inputs it gives are checked against the action).
func TestDocumentedWorkflowsPassActionlint(t *testing.T) {
	workflows := docWorkflows(t)
	n := 0
	for name := range workflows {
		if strings.HasPrefix(name, "ci-") {
			n++
		}
	}
	if n < 3 {
		t.Fatalf("docs/ci.md shows %d workflows; it should show the review, the issue task and the scheduled maintenance", n)
	}
	p := newLintProject(t)
	for name, wf := range workflows {
		if !actionRef.MatchString(wf) {
			t.Errorf("%s does not use the hew action", name)
		}
		wf = actionRef.ReplaceAllString(wf, "${1}./")
		for _, e := range p.lint(t, name, wf) {
			t.Error(e)
		}
	}
}

// TestActionPassesActionlint lints the composite action's steps as the jobs of a workflow
// called with the action's inputs, with the same checks.
func TestActionPassesActionlint(t *testing.T) {
	raw, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs  map[string]map[string]any `yaml:"inputs"`
		Outputs map[string]map[string]any `yaml:"outputs"`
		Runs    struct {
			Using string `yaml:"using"`
			Steps []any  `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(raw, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" || len(action.Runs.Steps) == 0 {
		t.Fatalf("action.yml is not a composite action with steps")
	}
	inputs := map[string]any{}
	for name, in := range action.Inputs {
		if in["description"] == nil {
			t.Errorf("input %s has no description", name)
		}
		inputs[name] = map[string]any{"type": "string", "required": false, "default": fmt.Sprint(in["default"])}
	}
	for name, out := range action.Outputs {
		if v, _ := out["value"].(string); !strings.Contains(v, "steps.") {
			t.Errorf("output %s is not taken from a step: %q", name, v)
		}
	}
	wf, err := yaml.Marshal(map[string]any{
		"name": "action",
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": action.Runs.Steps}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// github.action_path exists only inside an action; a workflow's checker knows it anyway.
	for _, e := range newLintProject(t).lint(t, "action-steps.yml", string(wf)) {
		t.Error(e)
	}
}

// The checks have teeth: the injection the old docs/ci.md had, and a script that pastes an
// input, are reported.
func TestLintCatchesInjection(t *testing.T) {
	bad := `name: bad
on:
  issues:
    types: [labeled]
permissions: {}
jobs:
  task:
    runs-on: ubuntu-latest
    steps:
      - run: |
          gh pr create --title "hew: ${{ github.event.issue.title }}"
      - uses: your-org/hew@v1
        with:
          mode: exec
          no-such-input: x
`
	msgs := strings.Join(newLintProject(t).lint(t, "bad.yml", actionRef.ReplaceAllString(bad, "${1}./")), "\n")
	for _, want := range []string{"potentially untrusted", "holds a ${{ }} expression", `input "no-such-input" is not defined`} {
		if !strings.Contains(msgs, want) {
			t.Errorf("the lint of a bad workflow does not report %q:\n%s", want, msgs)
		}
	}
}

// actionScript returns the run: script of the action's step with id.
func actionScript(t *testing.T, id string) string {
	t.Helper()
	raw, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Runs struct {
			Steps []struct {
				ID  string `yaml:"id"`
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(raw, &action); err != nil {
		t.Fatal(err)
	}
	for _, s := range action.Runs.Steps {
		if s.ID == id {
			return s.Run
		}
	}
	t.Fatalf("action.yml has no step %q", id)
	return ""
}

// stubHew is a hew on PATH that records its arguments and standard input, writes the files
// --output and --output-last-message name, and exits with $STUB_EXIT.
const stubHew = `#!/bin/bash
printf '%s\n' "$@" > "$STUB_DIR/args"
cat > "$STUB_DIR/stdin"
prev=
for a in "$@"; do
  case "$prev" in
    --output) echo report > "${a#*=}" ;;
    --output-last-message|--patch-out) echo done > "$a" ;;
  esac
  prev=$a
done
echo '{"findings":[{"title":"a"},{"title":"b"}]}'
exit "$STUB_EXIT"
`

// The action's run step, as GitHub runs it (bash -e -o pipefail), with a stub hew: every input
// arrives as one argument or on standard input whatever it holds, hew's exit code becomes an
// output instead of ending the step, and the outputs name the files.
func TestActionRunStep(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script := actionScript(t, "run")
	for _, tc := range []struct {
		mode string
		exit string
		env  []string
		args []string // the arguments hew must get, in order among others
		out  []string // lines GITHUB_OUTPUT must hold
	}{
		{"review", "1", []string{"IN_FAIL_ON=high", "IN_EXCLUDE=testdata/**\n*.pb.go\n", "GITHUB_BASE_REF=main; rm -rf /"},
			[]string{"review", "--base", "origin/main; rm -rf /", "--fail-on", "high", "--exclude", "testdata/**", "--exclude", "*.pb.go"},
			[]string{"exit-code=1", "findings=2", "markdown=", "sarif="}},
		{"exec", "0", []string{"IN_TASK=Fix \"$(touch pwned)\" `id`\n\nbody", "IN_BRANCH=hew/issue-1"},
			[]string{"exec", "--json", "--branch", "hew/issue-1", "-"},
			[]string{"exit-code=0", "patch=", "last-message=", "events="}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bin")
			os.MkdirAll(bin, 0o755)
			if err := os.WriteFile(filepath.Join(bin, "hew"), []byte(stubHew), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
			cmd.Dir = dir
			cmd.Env = append([]string{"PATH=" + bin + ":/usr/bin:/bin", "RUNNER_TEMP=" + dir, "GITHUB_OUTPUT=" + filepath.Join(dir, "out"),
				"STUB_DIR=" + dir, "STUB_EXIT=" + tc.exit, "IN_MODE=" + tc.mode, "IN_PROVIDER=openai", "IN_MODEL=", "IN_REGION=",
				"IN_TASK=", "IN_BASE=", "IN_FAIL_ON=", "IN_EXCLUDE=", "IN_ACCEPT=tests", "IN_TEST_CMD=", "IN_BRANCH=",
				"IN_MAX_TURNS=60", "IN_MAX_COST=5", "IN_TIMEOUT=20m"}, tc.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the step failed: %v\n%s", err, out)
			}
			args, _ := os.ReadFile(filepath.Join(dir, "args"))
			got := strings.Split(strings.TrimSpace(string(args)), "\n")
			i := 0
			for _, a := range got {
				if i < len(tc.args) && a == tc.args[i] {
					i++
				}
			}
			if i < len(tc.args) {
				t.Errorf("hew got %q; want %q among them, in order", got, tc.args)
			}
			if tc.mode == "exec" {
				if stdin, _ := os.ReadFile(filepath.Join(dir, "stdin")); !strings.HasPrefix(string(stdin), "Fix \"$(touch pwned)\" `id`\n\nbody") {
					t.Errorf("the task on standard input: %q", stdin)
				}
				if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
					t.Error("the task ran as a command")
				}
			}
			outputs, _ := os.ReadFile(filepath.Join(dir, "out"))
			for _, want := range tc.out {
				if !strings.Contains(string(outputs), want) {
					t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", want, outputs)
				}
			}
		})
	}
}
