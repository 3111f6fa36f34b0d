package main

import (
	"context"
	"errors"
	"fmt"
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

--format text (default), json (a stable schema, see docs/ci.md) or markdown (for a
pull-request comment). --timeout bounds the whole review (default 10m); when it runs out
hew says so and exits 1. Exit codes: 0 the review ran, whatever it found; 1 the review could
not be done (model error, an unusable answer, the time limit) or --fail-on high|medium|low
was met; 2 usage or configuration error.`,
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
	f.StringVar(&o.Format, "format", codereview.FormatText, "output format: text, json or markdown")
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
	switch o.Format {
	case codereview.FormatText, codereview.FormatJSON, codereview.FormatMarkdown:
	default:
		return usageError("--format %q: use text, json or markdown", o.Format)
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
	if len(files) == 0 {
		fmt.Fprintf(ios.ErrOut, "nothing to review: %s has no changes\n", target)
		return nil
	}

	if o.Session.Model != nil || o.Session.Provider != nil {
		cfg.ReviewModel = "" // --model and --provider name the reviewer for this run
	}
	rc, err := reviewClient(ctx, cfg, ios.Getenv) // review_model, else the configured model
	if err != nil {
		return err
	}
	p, m, id := rc.Provider, rc.Model, rc.Model.ID
	fmt.Fprintf(ios.ErrOut, "reviewing %s (%s) with %s…\n", target, codereview.Count(len(files), "file"), id)
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, errReviewTimeout)
	defer cancel()
	rep, err := codereview.Run(ctx, codereview.Options{Provider: p, Model: id, MaxOutputTokens: cfg.MaxOutputTokens,
		ReasoningEffort: cfg.ReasoningEffort, Cost: m.Cost}, target.String(), files)
	if err != nil {
		if errors.Is(context.Cause(ctx), errReviewTimeout) {
			return failure(fmt.Errorf("the review did not finish within --timeout %s; raise --timeout or review a smaller change", o.Timeout))
		}
		if ctx.Err() != nil {
			return &exitError{code: exitInterrupted, err: errors.New("interrupted")}
		}
		return failure(err)
	}
	if err := rep.Write(ios.Out, o.Format); err != nil {
		return failure(err)
	}
	if o.FailOn != "" && rep.Fails(o.FailOn) {
		return &exitError{code: exitFailed, err: fmt.Errorf("findings at or above --fail-on %s", o.FailOn)}
	}
	return nil
}
