// Package netwait bounds how long hew waits on a model server: a connect timeout for
// establishing the connection and a stream idle timeout for every wait after it (for the
// response headers, then between any two reads of the streamed body). A server that hangs ends
// the request with an *IdleError saying how long it stayed silent, instead of being awaited
// forever.
package netwait

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults, as the best peers use: Codex gives a stream 300 s of silence.
const (
	DefaultIdle    = 300 * time.Second
	DefaultConnect = 30 * time.Second
)

// Timeouts say how long to wait; zero values mean the defaults, negative ones no limit.
type Timeouts struct {
	// Idle bounds each silence of the server: before the response headers, and between two
	// reads of its body.
	Idle time.Duration
	// Connect bounds the TCP connection and the TLS handshake.
	Connect time.Duration
}

func (t Timeouts) idle() time.Duration    { return orDefault(t.Idle, DefaultIdle) }
func (t Timeouts) connect() time.Duration { return orDefault(t.Connect, DefaultConnect) }

func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// IdleError reports a server that sent nothing for the idle timeout.
type IdleError struct {
	Idle time.Duration
	// Headers says whether the response headers had arrived (the stream went silent) or not
	// (the server never answered).
	Headers bool
}

func (e *IdleError) Error() string {
	if e.Headers {
		return fmt.Sprintf("the server sent nothing for %s mid-stream (stream idle timeout)", e.Idle)
	}
	return fmt.Sprintf("the server did not answer within %s (stream idle timeout)", e.Idle)
}

// Timeout reports true, as net errors that time out do.
func (e *IdleError) Timeout() bool { return true }

// Dialer returns a dialer that gives up connecting after t's connect timeout.
func Dialer(t Timeouts) *net.Dialer {
	return &net.Dialer{Timeout: t.connect(), KeepAlive: 30 * time.Second}
}

// Client returns an HTTP client whose connections obey t: http.DefaultTransport's settings
// (proxies from the environment, HTTP/2) with the connect timeout, and the idle timeout on
// every request.
func Client(t Timeouts) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = Dialer(t).DialContext
	tr.TLSHandshakeTimeout = t.connect()
	return &http.Client{Transport: Transport(tr, t)}
}

// Transport wraps next so that each request obeys t's idle timeout.
func Transport(next http.RoundTripper, t Timeouts) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if t.idle() <= 0 {
		return next
	}
	return &idleTransport{next: next, idle: t.idle()}
}

// Doer is what the AWS SDK sends requests with.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Wrap returns a Doer that sends through next, obeying t's idle timeout.
func Wrap(next Doer, t Timeouts) Doer {
	if t.idle() <= 0 {
		return next
	}
	return doer{next: next, idle: t.idle()}
}

type doer struct {
	next Doer
	idle time.Duration
}

func (d doer) Do(r *http.Request) (*http.Response, error) { return watch(r, d.idle, d.next.Do) }

type idleTransport struct {
	next http.RoundTripper
	idle time.Duration
}

func (t *idleTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return watch(r, t.idle, t.next.RoundTrip)
}

// watch sends r through send with a watchdog that cancels it when the server stays silent for
// idle: until the headers arrive, then between reads of the body.
func watch(r *http.Request, idle time.Duration, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(r.Context())
	w := &watchdog{cancel: cancel, idle: idle}
	w.timer = time.AfterFunc(idle, w.fire)
	resp, err := send(r.WithContext(ctx))
	if err != nil {
		w.stop()
		if ie := w.fired(); ie != nil {
			return nil, fmt.Errorf("%w (%v)", ie, err)
		}
		return nil, err
	}
	w.mu.Lock()
	w.headers = true
	w.mu.Unlock()
	w.timer.Reset(idle)
	resp.Body = &idleBody{ReadCloser: resp.Body, w: w}
	return resp, nil
}

type watchdog struct {
	cancel  context.CancelCauseFunc
	idle    time.Duration
	timer   *time.Timer
	mu      sync.Mutex
	headers bool
	err     *IdleError
}

func (w *watchdog) fire() {
	w.mu.Lock()
	w.err = &IdleError{Idle: w.idle, Headers: w.headers}
	err := w.err
	w.mu.Unlock()
	w.cancel(err)
}

func (w *watchdog) fired() *IdleError {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *watchdog) stop() {
	w.timer.Stop()
	w.cancel(nil)
}

// idleBody pushes the watchdog back on every read that brings data.
type idleBody struct {
	io.ReadCloser
	w *watchdog
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		if ie := b.w.fired(); ie != nil {
			return n, ie
		}
	}
	if n > 0 {
		b.w.timer.Reset(b.w.idle)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.w.stop()
	return b.ReadCloser.Close()
}
