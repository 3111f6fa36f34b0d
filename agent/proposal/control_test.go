package proposal

import "testing"

func TestControlKind(t *testing.T) {
	for p, want := range map[string]string{
		".hew/config.toml":                ControlHew,
		".HEW/Config.toml":                ControlHew,
		"AGENTS.md":                       ControlInstructions,
		"svc/api/agents.override.md":      ControlInstructions,
		"src/.gitattributes":              ControlGit,
		".gitmodules":                     ControlGit,
		".gitconfig":                      ControlGit,
		"tools/hooks/pre-commit":          ControlHooks,
		".pre-commit-config.yaml":         ControlHookConfig,
		".husky/pre-commit":               ControlHookConfig,
		"lefthook.yml":                    ControlHookConfig,
		".github/workflows/ci.yml":        ControlCI,
		".github/actions/setup/a.yml":     ControlCI,
		".gitlab-ci.yml":                  ControlCI,
		".circleci/config.yml":            ControlCI,
		"Jenkinsfile":                     ControlCI,
		"ci/Jenkinsfile.release":          ControlCI,
		".buildkite/pipeline.yml":         ControlCI,
		"azure-pipelines.yml":             ControlCI,
		"web/.envrc":                      ControlAutoRun,
		".vscode/tasks.json":              ControlAutoRun,
		".devcontainer/devcontainer.json": ControlAutoRun,
		".github/CODEOWNERS":              ControlOwners,
		".gitignore":                      "",
		"src/main.go":                     "",
		"docs/agents.txt":                 "",
		"README.md":                       "",
		".github/ISSUE_TEMPLATE/bug.md":   "",
		"vscode/tasks.json":               "",
		"hooks/pre-commit":                "",
	} {
		if got := ControlKind(p, "tools/hooks"); got != want {
			t.Errorf("ControlKind(%q) = %q, want %q", p, got, want)
		}
	}
	if got := ControlKind("hooks/pre-commit", ""); got != "" {
		t.Errorf("no hooks dir: %q", got)
	}
}
