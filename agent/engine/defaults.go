package engine

import (
	"slices"

	"hew/agent/config"
	"hew/agent/project"
)

// The ways a proposal can be treated at the end of a headless task (see RunTask).
const (
	AcceptAuto  = "auto"  // accept everything the model proposed
	AcceptTests = "tests" // accept only if the test command passes on the proposal
	AcceptNever = "never" // leave the proposal pending; the working tree is not touched
)

// Defaults are the session's decisions that depend on the repository, made once when the
// session starts, from the repository root — whichever subdirectory hew was started in.
type Defaults struct {
	// TestCmd runs the project's tests: the configuration's test_cmd, else the command
	// detected from the files at the repository root (see project.DetectTestCommand); empty
	// when neither says.
	TestCmd string
	// TestCmdDetected reports that TestCmd was detected rather than configured.
	TestCmdDetected bool
	// Accept is what a headless task does with its proposal: the configuration's accept, else
	// AcceptTests when there is a test command and AcceptNever when there is none.
	Accept string
	// SecondOpinion says the review model reviews each proposal before it is accepted
	// (second_opinion in the configuration): `hew exec` waits for it, and the UI asks for it
	// when it opens the review after a turn.
	SecondOpinion bool
}

// decideDefaults makes the session's defaults for the repository at root.
func decideDefaults(cfg config.Config, root string) (Defaults, error) {
	d := Defaults{TestCmd: cfg.TestCmd, Accept: cfg.Accept, SecondOpinion: cfg.SecondOpinion}
	if d.TestCmd == "" {
		d.TestCmd = project.DetectTestCommand(root)
		d.TestCmdDetected = d.TestCmd != ""
	}
	switch d.Accept {
	case "":
		d.Accept = AcceptNever
		if d.TestCmd != "" {
			d.Accept = AcceptTests
		}
	case AcceptTests:
		if d.TestCmd == "" {
			if slices.Contains(cfg.Project.IgnoredKeys(), "test_cmd") {
				return d, usage("accept = tests needs a test command: test_cmd in %s is ignored because you have not trusted that file; review it and run 'hew trust', or pass --trust-project-config or --test-cmd", cfg.Project.Path)
			}
			return d, usage("accept = tests needs a test command, and none was found at the repository root %s: pass --test-cmd or set test_cmd in .hew/config.toml", root)
		}
	case AcceptAuto, AcceptNever:
	default:
		return d, usage("accept %q: use tests, auto or never", d.Accept)
	}
	return d, nil
}

// Defaults returns the session's defaults: its test command and acceptance mode.
func (e *Engine) Defaults() Defaults { return e.defaults }
