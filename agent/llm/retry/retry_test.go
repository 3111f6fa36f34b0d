package retry

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"hew/agent/llm"
)

var errTransient = errors.New("transient")

func transient(err error) (bool, time.Duration) { return errors.Is(err, errTransient), 0 }

func TestDoRetriesUntilSuccess(t *testing.T) {
	var waits []time.Duration
	p := Policy{Attempts: 4, Base: time.Millisecond, Max: 10 * time.Millisecond,
		OnRetry: func(_ int, d time.Duration, _ error) { waits = append(waits, d) }}
	calls := 0
	err := Do(context.Background(), p, transient, func(context.Context) error {
		calls++
		if calls < 3 {
			return errTransient
		}
		return nil
	})
	if err != nil || calls != 3 || len(waits) != 2 {
		t.Fatalf("err=%v calls=%d waits=%v, want nil, 3 calls, 2 waits", err, calls, waits)
	}
}

func TestDoStopsOnFinalErrorAndAfterAttempts(t *testing.T) {
	final := errors.New("bad request")
	calls := 0
	err := Do(context.Background(), Policy{Attempts: 5, Base: time.Millisecond}, transient, func(context.Context) error {
		calls++
		return final
	})
	if err != final || calls != 1 {
		t.Fatalf("final error: err=%v calls=%d, want it returned after 1 call", err, calls)
	}
	calls = 0
	err = Do(context.Background(), Policy{Attempts: 3, Base: time.Microsecond}, transient, func(context.Context) error {
		calls++
		return errTransient
	})
	if err != errTransient || calls != 3 {
		t.Fatalf("transient error: err=%v calls=%d, want it returned after 3 calls", err, calls)
	}
}

func TestDoHonoursRetryAfterUpToCap(t *testing.T) {
	p := Policy{Attempts: 2, Base: time.Microsecond, Max: time.Second}
	asks := func(d time.Duration) Classify { return func(error) (bool, time.Duration) { return true, d } }

	start := time.Now()
	calls := 0
	_ = Do(context.Background(), p, asks(50*time.Millisecond), func(context.Context) error {
		calls++
		return errTransient
	})
	if el := time.Since(start); el < 50*time.Millisecond || calls != 2 {
		t.Fatalf("waited %v over %d calls, want >= 50ms and 2 calls", el, calls)
	}

	start, calls = time.Now(), 0
	_ = Do(context.Background(), p, asks(time.Hour), func(context.Context) error {
		calls++
		return errTransient
	})
	if el := time.Since(start); el > 500*time.Millisecond || calls != 1 { // an hour asked for: no wait at all
		t.Fatalf("Retry-After above the cap: waited %v over %d calls, want no retry", el, calls)
	}
}

func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := Policy{Attempts: 3, Base: time.Hour, Max: time.Hour, OnRetry: func(int, time.Duration, error) { cancel() }}
	err := Do(ctx, p, transient, func(context.Context) error { return errTransient })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestDelayGrowsWithJitterAndCap(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: time.Second}
	for range 100 {
		for attempt, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 10: time.Second} {
			d := p.Delay(attempt, 0)
			if d < want/2 || d > want {
				t.Fatalf("Delay(%d) = %v, want in [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
	if d := p.Delay(1, 700*time.Millisecond); d < 700*time.Millisecond || d > time.Second {
		t.Fatalf("Delay with Retry-After 700ms = %v, want in [700ms, 1s]", d)
	}
	if d := (Policy{Base: time.Second}).Delay(200, 0); d <= 0 {
		t.Fatalf("Delay without a cap overflowed: %v", d)
	}
}

func TestAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(3 * time.Second).Format(http.TimeFormat)}}, 3 * time.Second},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{"Retry-After": {"-1"}}, 0},
		{http.Header{}, 0},
	} {
		if got := After(tc.h, now); got != tc.want {
			t.Errorf("After(%v) = %v, want %v", tc.h, got, tc.want)
		}
	}
}

func TestTunedAppliesProviderOptions(t *testing.T) {
	def := Default()
	for _, tc := range []struct {
		retries  int
		wait     time.Duration
		attempts int
		base     time.Duration
	}{
		{0, 0, def.Attempts, def.Base},
		{-1, 0, 1, def.Base},
		{5, 0, 6, def.Base},
		{0, 10 * time.Millisecond, def.Attempts, 10 * time.Millisecond},
	} {
		p := Tuned(tc.retries, tc.wait)
		if p.Attempts != tc.attempts || p.Base != tc.base || p.Max != def.Max {
			t.Errorf("Tuned(%d, %v) = %d tries, base %v, cap %v; want %d, %v, %v",
				tc.retries, tc.wait, p.Attempts, p.Base, p.Max, tc.attempts, tc.base, def.Max)
		}
	}
}

func TestALongRetryAfterIsHonouredUpToTheCeiling(t *testing.T) {
	p := Policy{Attempts: 2, Base: time.Millisecond, Max: 10 * time.Millisecond, MaxAfter: 300 * time.Millisecond}
	if d := p.Delay(1, 120*time.Millisecond); d != 120*time.Millisecond {
		t.Errorf("Delay with Retry-After 120ms past Max = %v, want the 120ms asked for", d)
	}
	var waits []time.Duration
	p.OnRetry = func(_ int, d time.Duration, _ error) { waits = append(waits, d) }
	asks := func(d time.Duration) Classify { return func(error) (bool, time.Duration) { return true, d } }
	calls := 0
	_ = Do(context.Background(), p, asks(time.Second), func(context.Context) error { calls++; return errTransient })
	if calls != 1 || len(waits) != 0 {
		t.Errorf("Retry-After over the ceiling: %d calls, waits %v; want it failed at once", calls, waits)
	}
	if d := Default(); d.Attempts != 6 || d.MaxAfter != 5*time.Minute || Default().WithMaxAfter(time.Hour).MaxAfter != time.Hour || Default().WithMaxAfter(0).MaxAfter != 5*time.Minute {
		t.Errorf("default policy %+v", d)
	}
}

func TestNoticeSaysWhyHowLongAndWhichTry(t *testing.T) {
	rate := &llm.Error{Kind: llm.ErrRateLimit, Message: "429 slow down"}
	if got := Notice(Reason(rate), 2, 6, 20*time.Second); got != "rate limited; retrying in 20s (2 of 6)" {
		t.Errorf("notice %q", got)
	}
	if got := Reason(&llm.Error{Kind: llm.ErrServer, Status: 503}); got != "the server failed (503)" {
		t.Errorf("reason %q", got)
	}
}

func TestAfterMessage(t *testing.T) {
	for msg, want := range map[string]time.Duration{
		"Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29000, Requested 1200. Please try again in 2.4s. Visit https://platform.openai.com/account/rate-limits": 2400 * time.Millisecond,
		"Please try again in 250ms.":                     250 * time.Millisecond,
		"Please try again in 6m0s.":                      6 * time.Minute,
		"Too many requests, retry after 30 seconds":      30 * time.Second,
		"You exceeded your current quota":                0,
		"please try again in a moment":                   0,
		"Request too large for gpt-4o-mini: Limit 30000": 0,
	} {
		if got := AfterMessage(msg); got != want {
			t.Errorf("AfterMessage(%q) = %v, want %v", msg, got, want)
		}
	}
}
