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
