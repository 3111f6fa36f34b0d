// Package exitcode owns hew's exit codes: the contract scripts and CI rely on. Every command
// ends with one of these four codes, whatever went wrong; Cases lists what each code covers,
// and README.md ("Exit codes") and docs/ci.md document the same table (a test checks that
// every case is there).
//
// The rule behind the table: 2 means the command could not start as given (fix the command
// line or the configuration and run it again); 1 means it started and did not succeed (the
// task, the review, or a refusal to do something unsafe — read the last line on standard
// error); 130 means it was stopped from outside.
package exitcode

// The exit codes.
const (
	// OK: the command did what was asked.
	OK = 0
	// Failed: the task failed, or hew refused to finish it.
	Failed = 1
	// Usage: a usage or configuration error; nothing was attempted.
	Usage = 2
	// Interrupted: SIGINT or SIGTERM stopped the command (128 + SIGINT, as shells report).
	Interrupted = 130
)

// Case is one documented reason a command ends with Code.
type Case struct {
	Code int
	// Key names the case in the documentation's table, such as "control files".
	Key string
	// What says when it happens.
	What string
}

// Cases lists every documented reason for a non-zero exit, by code. (`hew sandbox -- CMD`
// ends with CMD's own exit code once CMD ran.)
func Cases() []Case {
	return []Case{
		{Failed, "tests failing", "with --accept tests, the test command fails on the proposal"},
		{Failed, "model error", "the model server failed after retries, refused the request, or the model's answer was unusable"},
		{Failed, "filtered answer", "a content filter or guardrail stopped or replaced the model's answer"},
		{Failed, "denied action", "an action the approval policy denies"},
		{Failed, "cap hit", "--max-turns, --max-tokens, --max-cost or --timeout ran out, or the model repeated itself"},
		{Failed, "control files", "the proposal changes a control file and --accept-control-files was not given; nothing is written"},
		{Failed, "unsafe proposal", "the proposal holds a link out of the repository, or a path through a link"},
		{Failed, "trust refusal", "--commit would run a hook the proposal created or changed (without --run-changed-hooks), or the trust store is writable by others"},
		{Failed, "nothing accepted", "--commit or --branch was given and the model proposed no changes"},
		{Failed, "session in use", "the session to resume is held by another hew process"},
		{Failed, "review incomplete", "hew review: a review request failed; the report of the rest is printed"},
		{Failed, "undo refused", "hew undo: the commit was pushed, or the tree changed since"},
		{Failed, "doctor", "hew doctor: a check failed"},
		{Failed, "fail-on", "hew review: a finding at or above --fail-on; the report is printed first"},
		{Usage, "usage", "a bad flag or argument, an unknown config key, a bad config value"},
		{Usage, "credentials", "no API key or region for the provider"},
		{Usage, "model", "a model that cannot use tools for the agent, or a window too small to review anything"},
		{Usage, "revision", "hew review: --base or --commit does not name a commit"},
		{Interrupted, "interrupted", "SIGINT (Ctrl-C) or SIGTERM; the proposal is kept and nothing was written"},
	}
}
