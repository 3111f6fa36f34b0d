// Package retry runs an operation again after transient failures, waiting with exponential
// backoff and jitter and honouring a server's Retry-After up to a cap.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"hew/agent/llm"
)

// Policy says how many times to try and how long to wait between tries. The zero Policy tries
// once.
type Policy struct {
	// Attempts is the total number of tries, the first included; values below 1 mean 1.
	Attempts int
	// Base is the backoff before the first retry; it doubles for each later retry.
	Base time.Duration
	// Max caps the backoff between tries.
	Max time.Duration
	// MaxAfter is the longest wait a server may ask for (Retry-After) and still be waited for;
	// a server asking for longer is not retried: its error is returned at once so the caller
	// can report when to try again. 0 means Max.
	MaxAfter time.Duration
	// OnRetry, if set, is called before each wait with the number of the failed try (from 1),
	// the wait and the error that caused it.
	OnRetry func(attempt int, wait time.Duration, err error)
}

// Defaults of the policy providers use.
const (
	DefaultAttempts = 6
	DefaultMaxAfter = 5 * time.Minute
)

// Default returns the policy providers use: 6 tries, backoff from 1 s doubling up to 30 s
// (about a minute of waits in all), and a server's Retry-After honoured up to 5 minutes.
func Default() Policy {
	return Policy{Attempts: DefaultAttempts, Base: time.Second, Max: 30 * time.Second, MaxAfter: DefaultMaxAfter}
}

// WithMaxAfter returns p with its Retry-After ceiling set to d, when d is above 0.
func (p Policy) WithMaxAfter(d time.Duration) Policy {
	if d > 0 {
		p.MaxAfter = d
	}
	return p
}

// ceiling is the longest server-requested wait honoured.
func (p Policy) ceiling() time.Duration {
	if p.MaxAfter > 0 {
		return p.MaxAfter
	}
	return p.Max
}

// Notice says a wait for people, such as "rate limited; retrying in 20 s (2 of 6)": why the
// last try failed (see Reason), how long the wait is, and which try comes next of how many.
func Notice(reason string, next, attempts int, wait time.Duration) string {
	return fmt.Sprintf("%s; retrying in %s (%d of %d)", reason, wait.Round(100*time.Millisecond), next, attempts)
}

// Reason says in a few words why a try failed: for an *llm.Error, by its kind.
func Reason(err error) string {
	var e *llm.Error
	if !errors.As(err, &e) {
		return "the request failed: " + err.Error()
	}
	switch e.Kind {
	case llm.ErrRateLimit:
		return "rate limited"
	case llm.ErrServer:
		if e.Status != 0 {
			return fmt.Sprintf("the server failed (%d)", e.Status)
		}
		return "the server could not be reached"
	case llm.ErrStream:
		if e.Message != "" {
			return e.Message
		}
		return "the response stream broke"
	}
	return e.Message
}

// Tuned returns the Default policy with a provider's retry options applied: maxRetries is how
// many tries follow the first (0 keeps the default, a negative value means none) and wait, when
// above 0, replaces the base backoff.
func Tuned(maxRetries int, wait time.Duration) Policy {
	p := Default()
	switch {
	case maxRetries < 0:
		p.Attempts = 1
	case maxRetries > 0:
		p.Attempts = maxRetries + 1
	}
	if wait > 0 {
		p.Base = wait
	}
	return p
}

// Classify reports whether err is worth another try and how long the server asked to wait
// (0 when it did not say).
type Classify func(err error) (retryable bool, after time.Duration)

// Do calls op until it succeeds, fails with an error classify calls final, the tries run out or
// ctx is done. It returns op's last error unchanged, or ctx's error if ctx ended a wait.
func Do(ctx context.Context, p Policy, classify Classify, op func(ctx context.Context) error) error {
	attempts := max(p.Attempts, 1)
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil || attempt >= attempts {
			return err
		}
		ok, after := classify(err)
		if c := p.ceiling(); !ok || (c > 0 && after > c) {
			return err
		}
		wait := p.Delay(attempt, after)
		if p.OnRetry != nil {
			p.OnRetry(attempt, wait, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Delay returns the wait after failed try number attempt (from 1): Base·2^(attempt-1) with
// jitter drawn from its upper half and at most Max, or after when that is longer (up to
// MaxAfter, or Max when MaxAfter is not set).
func (p Policy) Delay(attempt int, after time.Duration) time.Duration {
	backoff := p.Base
	for i := 1; i < attempt && backoff < math.MaxInt64/2 && (p.Max <= 0 || backoff < p.Max); i++ {
		backoff *= 2
	}
	if p.Max > 0 {
		backoff = min(backoff, p.Max)
	}
	if backoff > 0 {
		half := backoff / 2
		backoff = half + rand.N(backoff-half+1)
	}
	wait := max(backoff, after)
	if c := p.ceiling(); c > 0 {
		wait = min(wait, max(c, p.Max))
	}
	return wait
}

// After reads how long a response asks the client to wait: the retry-after-ms header OpenAI
// sends, or Retry-After as seconds or an HTTP date. It returns 0 when neither is present or
// valid.
func After(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// waitText matches the wait a server names in an error message: OpenAI's "Please try again in
// 20s" (also "1.5s", "250ms", "6m0s") and "retry after 30 seconds".
var waitText = regexp.MustCompile(`(?i)(?:try again in|retry after|retry in)\s+((?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+|[0-9]+(?:\.[0-9]+)?\s*seconds?)`)

// AfterMessage reads how long an error message asks the client to wait, for errors that
// arrive without headers (inside a stream). It returns 0 when the message names no wait.
func AfterMessage(msg string) time.Duration {
	m := waitText.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	v := strings.ToLower(strings.TrimSpace(m[1]))
	if n, ok := strings.CutSuffix(strings.TrimSuffix(v, "s"), "second"); ok {
		s, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil || s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0
	}
	return d
}
