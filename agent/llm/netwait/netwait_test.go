package netwait

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// server answers with handler until the test ends; hanging handlers end when it closes.
func server(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, done <-chan struct{})) string {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler(w, r, done) }))
	t.Cleanup(func() { close(done); srv.Close() })
	return srv.URL
}

func wait(r *http.Request, done <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-done:
	}
}

func TestAServerThatNeverAnswersTimesOut(t *testing.T) {
	url := server(t, func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) { wait(r, done) })
	start := time.Now()
	_, err := Client(Timeouts{Idle: 150 * time.Millisecond}).Get(url)
	var ie *IdleError
	if !errors.As(err, &ie) || ie.Headers || !strings.Contains(err.Error(), "did not answer within 150ms") {
		t.Fatalf("err = %v, want an IdleError before the headers", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("gave up after %s", d)
	}
}

func TestAStreamThatGoesSilentTimesOutButATrickleDoesNot(t *testing.T) {
	url := server(t, func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
		for range 6 { // 6 pieces 50ms apart: longer in all than the idle timeout, never silent that long
			io.WriteString(w, "data: piece\n\n")
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		}
		if r.URL.Path == "/stall" {
			wait(r, done)
		}
	})
	c := Client(Timeouts{Idle: 150 * time.Millisecond})
	resp, err := c.Get(url + "/trickle")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || strings.Count(string(body), "piece") != 6 {
		t.Fatalf("trickle: %v, %q", err, body)
	}

	resp, err = c.Get(url + "/stall")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	var ie *IdleError
	if !errors.As(err, &ie) || !ie.Headers || strings.Count(string(body), "piece") != 6 {
		t.Fatalf("stall: err = %v after %q, want an IdleError mid-stream", err, body)
	}
}

func TestAHandshakeThatHangsTimesOutAtTheConnectTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and never speak TLS
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	_, err = Client(Timeouts{Connect: 200 * time.Millisecond, Idle: -1}).Get("https://" + ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "handshake timeout") || time.Since(start) > 3*time.Second {
		t.Fatalf("err = %v after %s, want a TLS handshake timeout", err, time.Since(start))
	}
	if d := Dialer(Timeouts{}).Timeout; d != DefaultConnect {
		t.Errorf("default connect timeout %s", d)
	}
}

func TestCancellingTheRequestIsNotAnIdleTimeout(t *testing.T) {
	url := server(t, func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) { wait(r, done) })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	_, err := Client(Timeouts{Idle: time.Hour}).Do(req)
	var ie *IdleError
	if errors.As(err, &ie) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
}
