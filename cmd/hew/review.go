package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hew/agent/codereview"
)

// reviewOptions are the flags of `hew review`.
type reviewOptions struct {
	IO          *IO
	Uncommitted bool
	Base        string
	Commit      string
	Format      string
	FailOn      string
	Exclude     []string
	Outputs     []string // FORMAT=FILE: the report also written to FILE in FORMAT
	Jobs        int
	Timeout     time.Duration
	Session     sessionFlags // --provider, --model, --region, --profile, --trust-project-config
}

func newReviewCmd(ios *IO, runF func(*reviewOptions) error) *cobra.Command {
	o := &reviewOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "review [--uncommitted | --base REF | --commit SHA]",
		Short: "Ask the model to review a diff and report findings",
		Long: `Review a change with the model: the uncommitted changes (the default: staged, unstaged and
untracked files that are not ignored, against HEAD), the current branch against --base REF
(from their merge base, as a pull request shows it), or one --commit SHA. The diff is sent
with the code around each change; findings come back with file, line range, severity,
confidence, explanation and a suggested fix where one is obvious.

A change too large for the model's context window is split into several requests, the
files of one directory kept together, and the findings merged without duplicates (--jobs
requests at a time, default 4). Every changed file is reported: reviewed, or not reviewed
with the reason — binary, generated ("Code generated ... DO NOT EDIT."), a lock file or
minified asset, matched by --exclude GLOB (repeatable; a pattern without a slash matches
the file name anywhere), too large even split into 12 requests, or its request failed.

--format text (default), json (a stable schema, see docs/ci.md; valid JSON even when
there is nothing to review), markdown (for a pull-request comment; its first line is the
hidden marker <!-- hew-review --> that a workflow finds to update its comment) or sarif
(SARIF 2.1.0, for GitHub code scanning). --output FORMAT=FILE (repeatable) also writes the
report to FILE in that format, whole or not at all, so one review gives a comment, a JSON
report and a SARIF log. --timeout bounds the whole review (default 10m); when it
runs out hew says so and exits 1.

Exit codes: 0 the review ran, whatever it found; 1 the review could not be done or is
incomplete (model error, an unusable answer, the time limit; the report of what was
reviewed is still printed) or --fail-on high|medium|low was met (after the report is
printed); 2 usage or configuration error; 130 interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Session = givenSessionFlags(cmd.Flags())
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return runReview(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Uncommitted, "uncommitted", false, "review the uncommitted changes (the default)")
	f.StringVar(&o.Base, "base", "", "review the current branch against this branch or commit")
	f.StringVar(&o.Commit, "commit", "", "review this commit")
	f.StringVar(&o.Format, "format", codereview.FormatText, "output format: "+codereview.OneOf(codereview.Formats()))
	f.StringArrayVar(&o.Outputs, "output", nil, "also write the report to a file, as FORMAT=FILE (repeatable), such as sarif=review.sarif")
	f.StringArrayVar(&o.Exclude, "exclude", nil, "do not review files matching this glob (repeatable), such as 'testdata/**' or '*.pb.go'")
	f.IntVar(&o.Jobs, "jobs", 4, "review requests in flight at once when the change is split")
	f.StringVar(&o.FailOn, "fail-on", "", "exit 1 when a finding is at least this severe: high, medium or low")
	f.DurationVar(&o.Timeout, "timeout", defaultReviewTimeout, "give up on the review after this long (e.g. 90s, 20m)")
	addModelFlags(f)
	addTrustFlag(f)
	return cmd
}

// validate checks the flags.
func (o *reviewOptions) validate() error {
	set := 0
	for _, b := range []bool{o.Uncommitted, o.Base != "", o.Commit != ""} {
		if b {
			set++
		}
	}
	if set > 1 {
		return usageError("give one of --uncommitted, --base REF and --commit SHA")
	}
	if !slices.Contains(codereview.Formats(), o.Format) {
		return usageError("--format %q: use %s", o.Format, codereview.OneOf(codereview.Formats()))
	}
	for _, out := range o.Outputs {
		format, file, ok := strings.Cut(out, "=")
		if !ok || !slices.Contains(codereview.Formats(), format) {
			return usageError("--output %q: give FORMAT=FILE with FORMAT one of %s", out, codereview.OneOf(codereview.Formats()))
		}
		if err := checkOutFile(o.IO, "--output", file); err != nil {
			return err
		}
	}
	if err := codereview.ValidateExcludes(o.Exclude); err != nil {
		return usageError("--exclude: %v", err)
	}
	if o.Jobs < 1 {
		return usageError("--jobs %d: give 1 or more", o.Jobs)
	}
	if o.FailOn != "" && codereview.Rank(o.FailOn) == 0 {
		return usageError("--fail-on %q: use high, medium or low", o.FailOn)
	}
	if o.Timeout <= 0 {
		return usageError("--timeout %s: give a positive duration such as 90s or 20m", o.Timeout)
	}
	return nil
}

// defaultReviewTimeout bounds a review when --timeout is not given.
const defaultReviewTimeout = 10 * time.Minute

// errReviewTimeout is the cause of a review's context ending at --timeout.
var errReviewTimeout = errors.New("review timed out")

func runReview(ctx context.Context, o *reviewOptions) error {
	ios := o.IO
	cfg, err := loadConfig(ios, o.Session)
	if err != nil {
		return err
	}
	warnIgnored(ios, cfg)

	target := codereview.Target{Base: o.Base, Commit: o.Commit}
	files, err := codereview.Collect(ios.Dir, target)
	if errors.Is(err, codereview.ErrBadTarget) {
		return usageError("%v", err)
	}
	if err != nil {
		return failure(err)
	}
	if o.Session.Model != nil || o.Session.Provider != nil {
		cfg.ReviewModel = "" // --model and --provider name the reviewer for this run
	}
	id := cfg.ModelOrDefault()
	if cfg.ReviewModel != "" {
		id = cfg.ReviewModel
	}
	if len(files) == 0 {
		fmt.Fprintf(ios.ErrOut, "nothing to review: %s has no changes\n", target)
		// Tools reading the output still get a report: valid JSON or SARIF with no findings.
		return writeReport(o, codereview.NewReport(target.String(), id))
	}

	ro, err := reviewerOptions(ctx, cfg, ios.Getenv) // review_model, else the configured model
	if err != nil {
		return err
	}
	id = ro.Model
	fmt.Fprintf(ios.ErrOut, "reviewing %s (%s) with %s…\n", target, codereview.Count(len(files), "file"), id)
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, errReviewTimeout)
	defer cancel()
	ro.Exclude, ro.Jobs = o.Exclude, o.Jobs
	ro.Progress = func(done, total int) { fmt.Fprintf(ios.ErrOut, "  reviewed part %d of %d\n", done, total) }
	rep, err := codereview.Run(ctx, ro, target.String(), files)
	if errors.Is(err, codereview.ErrWindowTooSmall) {
		return usageError("%v", err)
	}
	// Whatever happened, the report of what was reviewed is written: a CI step that posts it
	// says why the review is incomplete.
	if werr := writeReport(o, rep); werr != nil {
		return werr
	}
	if err != nil {
		if errors.Is(context.Cause(ctx), errReviewTimeout) {
			return failure(fmt.Errorf("the review did not finish within --timeout %s; raise --timeout or review a smaller change", o.Timeout))
		}
		if ctx.Err() != nil {
			return &exitError{code: exitInterrupted, err: errors.New("interrupted")}
		}
		return failure(err)
	}
	if n := len(rep.Skipped); n > 0 {
		fmt.Fprintf(ios.ErrOut, "not reviewed: %s (the report says why)\n", codereview.Count(n, "file"))
	}
	if o.FailOn != "" && rep.Fails(o.FailOn) {
		return &exitError{code: exitFailed, err: fmt.Errorf("findings at or above --fail-on %s", o.FailOn)}
	}
	return nil
}

// writeReport prints rep in --format and writes each --output file.
func writeReport(o *reviewOptions, rep codereview.Report) error {
	if err := rep.Write(o.IO.Out, o.Format); err != nil {
		return failure(err)
	}
	for _, out := range o.Outputs {
		format, file, _ := strings.Cut(out, "=")
		var b bytes.Buffer
		if err := rep.Write(&b, format); err != nil {
			return failure(err)
		}
		if err := writeOutFile(o.IO, file, b.Bytes()); err != nil {
			return failure(err)
		}
	}
	return nil
}
