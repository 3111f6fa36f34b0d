package main

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyTerm is a program running on a pseudo-terminal of its own, with no terminal emulator
// between it and the test: the test writes keys to the terminal and reads what the program
// draws, byte for byte, noting when each read arrived.
type ptyTerm struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File // the terminal's master side
	grew chan struct{}

	mu    sync.Mutex
	out   []byte
	reads []ptyRead
	ended bool
}

// ptyRead is one read from the terminal: the output up to end had arrived at at.
type ptyRead struct {
	end int
	at  time.Time
}

// startPTY starts cmd on a new pseudo-terminal of width×height cells and reads its output until
// it exits; the test's cleanup kills it.
func startPTY(t *testing.T, cmd *exec.Cmd, width, height int) *ptyTerm {
	t.Helper()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(width), Rows: uint16(height)})
	if err != nil {
		t.Fatalf("start %s on a pty: %v", cmd.Path, err)
	}
	p := &ptyTerm{t: t, cmd: cmd, tty: tty, grew: make(chan struct{}, 1)}
	done := make(chan struct{})
	go p.read(done)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = tty.Close()
		<-done
	})
	return p
}

func (p *ptyTerm) read(done chan<- struct{}) {
	defer close(done)
	buf := make([]byte, 64<<10)
	for {
		n, err := p.tty.Read(buf)
		at := time.Now()
		p.mu.Lock()
		p.out = append(p.out, buf[:n]...)
		p.reads = append(p.reads, ptyRead{end: len(p.out), at: at})
		p.ended = err != nil
		p.mu.Unlock()
		select {
		case p.grew <- struct{}{}:
		default:
		}
		if err != nil {
			return // EIO once the program has exited
		}
	}
}

// pid is the program's process id, for /proc.
func (p *ptyTerm) pid() string { return strconv.Itoa(p.cmd.Process.Pid) }

// cpuTime is the CPU time the program's threads have used, from the scheduler's own count in
// nanoseconds (/proc/PID/task/*/schedstat): /proc/PID/stat counts in ticks of 10 ms, sampled,
// which misjudges a program that wakes for a few microseconds every frame.
func (p *ptyTerm) cpuTime() time.Duration {
	p.t.Helper()
	dir := "/proc/" + p.pid() + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		p.t.Skipf("no /proc: %v", err)
	}
	var sum time.Duration
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, task.Name(), "schedstat"))
		if err != nil {
			continue // the thread has exited
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(b))[0], 10, 64)
		sum += time.Duration(ns)
	}
	return sum
}

// idleCPU waits d without typing and returns what share of a core, in per cent, each of ps used
// meanwhile.
func idleCPU(d time.Duration, ps ...*ptyTerm) []float64 {
	before := make([]time.Duration, len(ps))
	for i, p := range ps {
		before[i] = p.cpuTime()
	}
	time.Sleep(d)
	used := make([]float64, len(ps))
	for i, p := range ps {
		used[i] = 100 * float64(p.cpuTime()-before[i]) / float64(d)
	}
	return used
}

// size is how many bytes the program has written so far.
func (p *ptyTerm) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.out)
}

// write types s, as keys.
func (p *ptyTerm) write(s string) time.Time {
	p.t.Helper()
	at := time.Now()
	if _, err := io.WriteString(p.tty, s); err != nil {
		p.t.Fatalf("type %q: %v", s, err)
	}
	return at
}

// waitFor waits until the output from byte from on holds want, and returns when the read that
// completed it arrived.
func (p *ptyTerm) waitFor(from int, want string, timeout time.Duration) time.Time {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		i := bytes.Index(p.out[from:], []byte(want))
		var at time.Time
		if i >= 0 {
			end := from + i + len(want)
			at = p.reads[slices.IndexFunc(p.reads, func(r ptyRead) bool { return r.end >= end })].at
		}
		ended, tail := p.ended, p.out[max(len(p.out)-2000, from):]
		p.mu.Unlock()
		if i >= 0 {
			return at
		}
		if ended {
			p.t.Fatalf("the program exited before it showed %q; its last output:\n%q", want, tail)
		}
		select {
		case <-p.grew:
		case <-deadline:
			p.t.Fatalf("the program never showed %q; its last output:\n%q", want, tail)
		}
	}
}

// quiet waits until the program has written nothing for d (at most a minute).
func (p *ptyTerm) quiet(d time.Duration) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		n := p.size()
		time.Sleep(d)
		if p.size() == n {
			return
		}
	}
}

// keyRunes are the keys typed to time them: letters that neither hew's screen nor the answers
// of the tests hold, so the first one drawn after its key was typed is that key's echo.
var keyRunes = []rune("абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯαβγδεζηθικλμνξοπρστυφχψω")

// keyLatencies types up to n keys, one every 20 to 40 ms (at random, so that the keys fall
// anywhere in the program's frame), until stop is closed, and returns, sorted, how long each
// took from its write to the terminal to the arrival of the output that draws it. The keys are
// distinct until keyRunes runs out; then ctrl+u empties the input and they start again.
func (p *ptyTerm) keyLatencies(n int, stop <-chan struct{}) []time.Duration {
	p.t.Helper()
	var lat []time.Duration
	for i := 0; i < n; i++ {
		select {
		case <-stop:
			i = n
			continue
		case <-time.After(20*time.Millisecond + rand.N(20*time.Millisecond)):
		}
		if i > 0 && i%len(keyRunes) == 0 {
			p.write("\x15")
		}
		k := string(keyRunes[i%len(keyRunes)])
		from := p.size()
		sent := p.write(k)
		lat = append(lat, p.waitFor(from, k, 5*time.Second).Sub(sent))
	}
	slices.Sort(lat)
	return lat
}

// latencySummary is "p50 …, p90 …, max …" of sorted latencies.
func latencySummary(lat []time.Duration) string {
	if len(lat) == 0 {
		return "no keys"
	}
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + "ms" }
	return strconv.Itoa(len(lat)) + " keys: p50 " + ms(lat[len(lat)/2]) + ", p90 " + ms(p90(lat)) + ", max " + ms(lat[len(lat)-1])
}

// p90 is the 90th percentile of sorted latencies.
func p90(lat []time.Duration) time.Duration { return lat[(len(lat)*9+9)/10-1] }

// streamWatch is a proxy in front of a model server that tells when a streamed answer
// (text/event-stream) starts arriving and when it has all been passed on.
type streamWatch struct {
	URL           string // the proxy's base URL, as the target's with its path
	started, done chan struct{}
	once          [2]sync.Once
}

func newStreamWatch(t *testing.T, target string) *streamWatch {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	w := &streamWatch{started: make(chan struct{}), done: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	proxy.FlushInterval = -1 // pass each event on as it comes
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.Header.Get("Content-Type") == "text/event-stream" {
			r.Body = &watchedBody{ReadCloser: r.Body, w: w}
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	w.URL = srv.URL + u.Path
	return w
}

type watchedBody struct {
	io.ReadCloser
	w *streamWatch
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.once[0].Do(func() { close(b.w.started) })
	}
	if errors.Is(err, io.EOF) {
		b.w.once[1].Do(func() { close(b.w.done) })
	}
	return n, err
}
