package proposal

import (
	"path"
	"strings"
)

// The kinds of control files: files that steer hew, git, commit hooks, CI or tools that run
// commands on their own. A proposal that changes one is marked in the review, and headless
// acceptance leaves it to the user (see engine.RunTask).
const (
	ControlHew          = "hew configuration"
	ControlInstructions = "agent instructions"
	ControlGit          = "git behaviour"
	ControlHooks        = "git hooks"
	ControlHookConfig   = "commit hook configuration"
	ControlCI           = "CI configuration"
	ControlAutoRun      = "runs commands when opened"
	ControlOwners       = "review rules"
)

// ControlKind says which kind of control file path (slash-separated, relative to the repository
// root) is, or "" when it is none. hooksDir is the repository's hooks directory relative to the
// root (core.hooksPath when it lies inside the tree), "" when it lies outside. Names are
// compared without regard to case, as on case-insensitive file systems.
//
// .gitignore is not a control file: what it hides stays out of the proposal's change set, so it
// cannot slip a file past the review.
func ControlKind(p, hooksDir string) string {
	p = strings.ToLower(path.Clean(strings.TrimPrefix(p, "./")))
	base := path.Base(p)
	under := func(dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	if hooksDir != "" {
		if h := strings.ToLower(path.Clean(hooksDir)); h != "." && under(h) {
			return ControlHooks
		}
	}
	switch {
	case under(".hew"):
		return ControlHew
	case base == "agents.md" || base == "agents.override.md":
		return ControlInstructions
	case base == ".gitattributes" || p == ".gitmodules" || p == ".lfsconfig" || p == ".gitconfig":
		return ControlGit
	case IsHookConfig(p):
		return ControlHookConfig
	case base == ".envrc" || under(".devcontainer") || p == ".vscode/tasks.json" || p == ".vscode/settings.json" ||
		p == ".vscode/launch.json" || under(".idea"):
		return ControlAutoRun
	case base == "codeowners" && (p == base || p == ".github/"+base || p == "docs/"+base || p == ".gitlab/"+base):
		return ControlOwners
	case isCI(p, base):
		return ControlCI
	}
	return ""
}

// IsHookConfig reports whether path (slash-separated, relative to the root) configures what
// commit hooks run through a hook manager: the hook a commit runs reads it.
func IsHookConfig(p string) bool {
	p = strings.ToLower(path.Clean(p))
	base := path.Base(p)
	if strings.HasPrefix(p, ".husky/") || strings.HasPrefix(p, ".githooks/") || strings.HasPrefix(p, ".git-hooks/") {
		return true
	}
	if p != base {
		return false
	}
	name := strings.TrimSuffix(base, path.Ext(base))
	switch name {
	case ".pre-commit-config", "lefthook", ".lefthook", "lefthook-local", ".lefthook-local", ".lintstagedrc", "lint-staged.config", ".overcommit":
		return true
	}
	return base == ".lintstagedrc"
}

// ciDirs are directories whose files CI systems run; ciFiles are CI files by their name.
var (
	ciDirs = []string{".github/workflows", ".github/actions", ".gitlab", ".circleci", ".buildkite",
		".azure-pipelines", ".woodpecker", ".forgejo/workflows", ".gitea/workflows", ".semaphore", ".drone", ".tekton", ".teamcity"}
	ciFiles = []string{".gitlab-ci.yml", ".gitlab-ci.yaml", "jenkinsfile", "azure-pipelines.yml", "azure-pipelines.yaml",
		".travis.yml", "bitbucket-pipelines.yml", ".drone.yml", ".drone.yaml", ".woodpecker.yml", ".woodpecker.yaml",
		"appveyor.yml", ".appveyor.yml", "cloudbuild.yaml", "cloudbuild.yml", ".cirrus.yml", "buildspec.yml",
		"codefresh.yml", "wercker.yml", ".gitpod.yml"}
)

func isCI(p, base string) bool {
	for _, d := range ciDirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	for _, f := range ciFiles {
		if p == f || f == "jenkinsfile" && (base == f || strings.HasPrefix(base, "jenkinsfile.")) {
			return true
		}
	}
	return false
}
