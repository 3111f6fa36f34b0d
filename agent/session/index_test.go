package session

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"hew/agent/event"
)

// writeSession makes session id in dir with turns prompts and tool outputs of size bytes each.
func writeSession(t testing.TB, dir, id, repo string, turns, size int) {
	t.Helper()
	l, err := Create(dir, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Emit(event.SessionStarted{Session: id, Repo: repo, Model: "m", Time: time.Unix(1700000000, 0)})
	for i := range turns {
		l.Emit(event.TurnStarted{Turn: i + 1, Prompt: fmt.Sprintf("prompt %d of %s", i, id)})
		l.Emit(event.ToolFinished{ID: "c", Name: "read_file", Output: strings.Repeat("x", size)})
		l.Emit(event.Usage{TotalCostUSD: float64(i+1) / 100})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// summaries lists dir by reading every session file, as List did before it had an index.
func summaries(t *testing.T, dir string) []Info {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var out []Info
	for i := len(ents) - 1; i >= 0; i-- {
		id, ok := strings.CutSuffix(ents[i].Name(), ".jsonl")
		if !ok {
			continue
		}
		st, err := Load(filepath.Join(dir, ents[i].Name()))
		if err != nil {
			t.Fatal(err)
		}
		if st.ID != id {
			t.Fatalf("Load gave id %q for %s", st.ID, ents[i].Name())
		}
		out = append(out, st.Info)
	}
	return out
}

func checkList(t *testing.T, dir, what string) {
	t.Helper()
	got, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := summaries(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: List = %+v\nwant %+v", what, got, want)
	}
}

// The index never changes what List says: whatever state it is in (missing, corrupt, stale,
// naming sessions that are gone, missing ones that exist), List agrees with reading every
// session file, and a session being written is counted as far as its whole lines go.
func TestListThroughTheIndex(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		writeSession(t, dir, fmt.Sprintf("2026010%d-000000-aaaaaa", i+1), "/r", i+1, 100)
	}
	checkList(t, dir, "no index")
	if _, err := os.Stat(filepath.Join(dir, indexName)); err != nil {
		t.Fatalf("no index written: %v", err)
	}
	if st, _ := os.Stat(filepath.Join(dir, indexName)); st.Mode().Perm() != 0o600 {
		t.Errorf("index mode %v, want 0600", st.Mode().Perm())
	}
	checkList(t, dir, "warm index")

	// A session grows, with a torn line at its end, then the line completes.
	id := "20260101-000000-aaaaaa"
	l, err := Append(dir, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Emit(event.TurnStarted{Turn: 9, Prompt: "more"})
	l.Close()
	f, _ := os.OpenFile(filepath.Join(dir, id+".jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"turn_started","turn":10,"pro`)
	f.Close()
	checkList(t, dir, "a grown session with a torn line")
	f, _ = os.OpenFile(filepath.Join(dir, id+".jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`mpt":"x"}` + "\n")
	f.Close()
	checkList(t, dir, "the torn line completed")
	if got, _ := List(dir); got[len(got)-1].Turns != 3 {
		t.Errorf("turns after growing = %d, want 3", got[len(got)-1].Turns)
	}

	// New and removed sessions, then a corrupt index, then one from another version.
	writeSession(t, dir, "20260109-000000-bbbbbb", "/s", 2, 10)
	os.Remove(filepath.Join(dir, "20260102-000000-aaaaaa.jsonl"))
	checkList(t, dir, "sessions added and removed")
	os.WriteFile(filepath.Join(dir, indexName), []byte("{not json"), 0o600)
	checkList(t, dir, "corrupt index")
	os.WriteFile(filepath.Join(dir, indexName), []byte(`{"version":99,"sessions":{}}`), 0o600)
	checkList(t, dir, "index of another version")

	// A session file cut shorter than what the index read (a repaired tail) is read again.
	p := filepath.Join(dir, "20260109-000000-bbbbbb.jsonl")
	b, _ := os.ReadFile(p)
	lines := strings.SplitAfter(string(b), "\n")
	os.WriteFile(p, []byte(strings.Join(lines[:3], "")), 0o600)
	checkList(t, dir, "a session cut shorter")
}

// BenchmarkListSessions lists 95 MB of sessions (190 of 0.5 MB) without an index (cold-ms:
// what every listing cost before the index) and through it (the benchmark's time).
func BenchmarkListSessions(b *testing.B) {
	dir := b.TempDir()
	for i := range 190 {
		writeSession(b, dir, fmt.Sprintf("20260101-%06d-aaaaaa", i), "/r", 10, 50<<10)
	}
	start := time.Now()
	if _, err := List(dir); err != nil {
		b.Fatal(err)
	}
	cold := time.Since(start)
	for b.Loop() {
		infos, err := List(dir)
		if err != nil || len(infos) != 190 {
			b.Fatal(len(infos), err)
		}
	}
	b.ReportMetric(float64(cold.Microseconds())/1000, "cold-ms")
}
