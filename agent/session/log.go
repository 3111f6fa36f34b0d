// Package session writes and reads session files: one JSON event per line under the user's
// state directory, so a session can be listed, replayed and resumed.
//
// A Log is an event sink. Each event is written with one write call as it happens, so a session
// killed at any point (even with SIGKILL) keeps every event written before; a torn last line is
// skipped when reading. Streaming deltas are not written: the complete messages that follow
// them carry the same text. Known secret values are replaced by "[redacted]" before writing
// (see agent/redact). Session files are private: 0600 in a 0700 directory, and a directory or
// file an older hew left more open is closed up when it is next written.
package session

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"hew/agent/event"
	"hew/agent/redact"
)

// Log appends events to one session file. It is safe for concurrent use.
type Log struct {
	ID   string
	Path string

	mu     sync.Mutex
	f      *os.File
	redact *redact.Redactor
	err    error
	// lock holds the session for this process until Close (see Lock).
	lock *Lock
	// created says Create made the file; used that more than start-up events went into it (see
	// CloseUnlessUsed).
	created, used bool
}

// NewID returns a new session id: the start time and a random suffix, sortable by time.
func NewID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// Dir is where session files live below hew's state directory.
func Dir(stateDir string) string { return filepath.Join(stateDir, "sessions") }

// Create opens a new session file for id in dir and holds it for this process until Close (see
// Lock). secrets are values that must never be written.
func Create(dir, id string, secrets []string) (*Log, error) {
	l, err := open(dir, id, secrets, os.O_CREATE|os.O_EXCL|os.O_WRONLY)
	if err != nil {
		return nil, err
	}
	if err := lockFile(l.f); err != nil {
		l.f.Close()
		return nil, err
	}
	l.created = true
	return l, nil
}

// Append reopens an existing session file to continue it. A torn last line (the write a kill
// interrupted) is cut first, so the events appended next stay readable. The caller holds the
// session: LockFile before reading it, then Hold.
func Append(dir, id string, secrets []string) (*Log, error) {
	l, err := open(dir, id, secrets, os.O_APPEND|os.O_RDWR)
	if err != nil {
		return nil, err
	}
	if err := dropTornTail(l.f); err != nil {
		l.f.Close()
		return nil, fmt.Errorf("repair session file %s: %w", l.Path, err)
	}
	return l, nil
}

func open(dir, id string, secrets []string, flag int) (*Log, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create session directory %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("make session directory %s private: %w", dir, err)
	}
	path := filepath.Join(dir, id+".jsonl")
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open session file %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("make session file %s private: %w", path, err)
	}
	return &Log{ID: id, Path: path, f: f, redact: redact.New(secrets...)}, nil
}

// Emit writes e as one line. Deltas are skipped. A write error is kept and reported by Close;
// the session goes on without its log rather than failing the user's task.
func (l *Log) Emit(e event.Event) {
	switch e.(type) {
	case event.TextDelta, event.ReasoningDelta, *event.TextDelta, *event.ReasoningDelta:
		return
	}
	line, err := event.Encode(e)
	if err != nil {
		return
	}
	line = append(l.redact.Bytes(line), '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil || l.f == nil {
		return
	}
	switch event.Value(e).(type) {
	case event.SessionStarted, event.Notice, event.ModelSwitched:
	default:
		l.used = true
	}
	if _, err := l.f.Write(line); err != nil {
		l.err = fmt.Errorf("write session file %s: %w", l.Path, err)
	}
}

// CloseUnlessUsed closes the log as Close does, but first removes the session file when Create
// made it and nothing but start-up events (the session's start, notices, a model switch) went
// into it: the user quit, or began a new session, without asking or changing anything, so
// there is nothing to list or resume. The sessions index forgets it when it is next read.
func (l *Log) CloseUnlessUsed() error {
	l.mu.Lock()
	if l.f != nil && l.created && !l.used {
		os.Remove(l.Path) // still held, so no other process is reading it
	}
	l.mu.Unlock()
	return l.Close()
}

// Close closes the file and returns the first write error, if any.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return l.err
	}
	err := l.f.Close()
	l.f = nil
	if uerr := l.lock.Unlock(); err == nil {
		err = uerr
	}
	if l.err != nil {
		return l.err
	}
	return err
}

// Read returns the events of a session file in order. A line that does not parse (the torn
// last line of a killed session) is skipped.
func Read(path string) ([]event.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open session %s: %w", path, err)
	}
	defer f.Close()
	var out []event.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if e, err := event.Decode(sc.Bytes()); err == nil {
			out = append(out, e)
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read session %s: %w", path, err)
	}
	return out, nil
}

// Info summarises a session for listing.
type Info struct {
	ID      string `json:"-"`
	Path    string `json:"-"`
	Start   time.Time
	Repo    string
	Model   string
	Prompt  string // the first prompt
	Turns   int
	CostUSD float64
}

// add counts one event of the session into its summary.
func (info *Info) add(e event.Event) {
	switch e := e.(type) {
	case *event.SessionStarted:
		if info.Start.IsZero() {
			info.Start, info.Repo, info.Model = e.Time, e.Repo, e.Model
		}
	case *event.TurnStarted:
		info.Turns++
		if info.Prompt == "" {
			info.Prompt = e.Said()
		}
	case *event.Usage:
		info.CostUSD = e.TotalCostUSD
	}
}
