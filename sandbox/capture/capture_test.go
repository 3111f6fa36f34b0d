package capture

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestBufferKeepsEverythingUnderTheLimit(t *testing.T) {
	b := New(10)
	b.Write([]byte("abc"))
	b.Write([]byte("defgh"))
	if got := b.String(); got != "abcdefgh" {
		t.Fatalf("String() = %q, want %q", got, "abcdefgh")
	}
	if b.Omitted() != 0 {
		t.Fatalf("Omitted() = %d, want 0", b.Omitted())
	}
}

func TestBufferKeepsHeadAndTailOfOneLongLine(t *testing.T) {
	for _, chunk := range []int{1, 3, 7, 1000} {
		b := New(10)
		var all bytes.Buffer
		for i := range 100 {
			all.WriteByte(byte('a' + i%26))
		}
		data := all.Bytes()
		for len(data) > 0 {
			n := min(chunk, len(data))
			b.Write(data[:n])
			data = data[n:]
		}
		want := all.String()[:5] + "\n[… 0 lines (90 bytes) omitted …]\n" + all.String()[95:]
		if got := b.String(); got != want {
			t.Errorf("chunk %d: String() = %q, want %q", chunk, got, want)
		}
		if b.Omitted() != 90 {
			t.Errorf("chunk %d: Omitted() = %d, want 90", chunk, b.Omitted())
		}
	}
}

func TestBufferZeroLimitCountsOnly(t *testing.T) {
	b := New(0)
	b.Write([]byte(strings.Repeat("x\n", 50)))
	if b.Omitted() != 100 || b.String() != "[… 50 lines (100 bytes) omitted …]\n" {
		t.Fatalf("got %q omitted %d", b.String(), b.Omitted())
	}
}

// numbered is the output of seq 1 n.
func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.String()
}

// checkExact checks that out, a cut of numbered(n), shows whole lines of it in order and that
// its markers' counts and the lines shown add up to n lines and len(numbered(n)) bytes.
func checkExact(t *testing.T, out string, n int) {
	t.Helper()
	shown, markers := 0, 0
	var left Omission
	next := 1
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if o, ok := ParseMarker(line); ok {
			markers++
			left = left.Add(o)
			continue
		}
		v, err := strconv.Atoi(line)
		if err != nil || v < next {
			t.Fatalf("line %q is not a whole line of the output in order", line)
		}
		next = v + 1
		shown++
	}
	if markers == 0 {
		t.Fatalf("no marker in %d bytes of output", len(out))
	}
	if got := int64(shown) + left.Lines; got != int64(n) {
		t.Errorf("%d lines shown + %d said omitted = %d, want %d", shown, left.Lines, got, n)
	}
	if c := Count(out); c.Lines != int64(n) || c.Bytes != int64(len(numbered(n))) {
		t.Errorf("Count = %+v, want %d lines, %d bytes", c, n, len(numbered(n)))
	}
}

// A command's 100,000 lines cut by the sandbox, then by the tool's cap, then by compaction:
// every marker says exactly how many lines are left out.
func TestCountsStayExactThroughEveryCut(t *testing.T) {
	const n = 100_000
	all := numbered(n)
	b := New(64 << 10)
	for rest := all; rest != ""; {
		k := min(4093, len(rest)) // writes that end inside lines
		b.Write([]byte(rest[:k]))
		rest = rest[k:]
	}
	captured := b.String()
	checkExact(t, captured, n)
	tool := Clip(captured, 32<<10, "")
	checkExact(t, tool, n)
	if strings.Count(tool, "omitted") != 1 {
		t.Errorf("the tool's cut keeps the capture's marker besides its own:\n%s", tool)
	}
	compacted := Clip(tool, 4<<10, "compacted")
	checkExact(t, compacted, n)
	if !strings.Contains(compacted, "; compacted …]") {
		t.Errorf("the reason is missing: %q", compacted)
	}
}

func TestMarkerRoundTrips(t *testing.T) {
	for _, o := range []Omission{{0, 0}, {1, 1}, {1, 7}, {93776, 612345}} {
		for _, why := range []string{"", "run it again narrower"} {
			got, ok := ParseMarker(Marker(o, why))
			if !ok || got != o {
				t.Errorf("ParseMarker(%q) = %+v, %v", Marker(o, why), got, ok)
			}
		}
	}
	if Marker(Omission{1, 1}, "") != "[… 1 line (1 byte) omitted …]" {
		t.Errorf("singular: %q", Marker(Omission{1, 1}, ""))
	}
	for _, s := range []string{"[… lots omitted …]", "[… 3 lines (4 bytes) kept …]", "… 3 lines (4 bytes) omitted …"} {
		if _, ok := ParseMarker(s); ok {
			t.Errorf("ParseMarker(%q) accepted it", s)
		}
	}
}

func TestClipLeavesShortTextAlone(t *testing.T) {
	if Clip("short\n", 10, "") != "short\n" {
		t.Error("short text changed")
	}
}

func TestKeepLinesCountsWhatItLeavesOut(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	s := b.String()
	got := KeepLines(s, 0, 3, "")
	// Lines 1-97 are left out: 9 of "line N\n" (7 bytes), 88 of "line NN\n" (8 bytes).
	want := "[… 97 lines (767 bytes) omitted …]\nline 98\nline 99\nline 100"
	if got != want {
		t.Errorf("KeepLines(0, 3) = %q, want %q", got, want)
	}
	if c := Count(got + "\n"); c != Count(s) {
		t.Errorf("the kept text stands for %+v, the whole for %+v", c, Count(s))
	}
	// A cut of a cut counts what the first marker stood for.
	again := KeepLines(KeepLines(s, 2, 2, ""), 1, 1, "")
	if c := Count(again + "\n"); c != Count(s) {
		t.Errorf("cut twice, the text stands for %+v, the whole for %+v: %q", c, Count(s), again)
	}
	if got := KeepLines("a\nb\nc\n", 1, 1, ""); got != "a\nb\nc" {
		t.Errorf("a marker would stand for one line: got %q", got)
	}
}
