// Package capture keeps a bounded record of a command's output — the first and last bytes, with
// what was left out in between counted exactly — and defines the one marker line every later cut
// of that output uses (see Marker, Clip and Count), so that the count a reader is given, model or
// person, is the true number of lines left out however many times the output was cut.
package capture

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// Buffer is an io.Writer that keeps at most Limit bytes of what is written to it: the first half
// and the most recent half. It is safe for concurrent use, so a command's standard output and
// standard error may share one.
type Buffer struct {
	mu      sync.Mutex
	limit   int
	head    []byte
	tail    []byte // ring of the most recent bytes once head is full
	start   int    // index of the oldest byte in tail once it is full
	written int64
	lines   int64 // newlines written
}

// New returns a Buffer keeping at most limit bytes; a limit below 2 keeps nothing but the count.
func New(limit int) *Buffer {
	if limit < 0 {
		limit = 0
	}
	return &Buffer{limit: limit}
}

// Write records p. It never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.written += int64(len(p))
	b.lines += int64(bytes.Count(p, nl))
	headCap := b.limit / 2
	tailCap := b.limit - headCap
	rest := p
	if n := min(headCap-len(b.head), len(rest)); n > 0 {
		b.head = append(b.head, rest[:n]...)
		rest = rest[n:]
	}
	if tailCap == 0 || len(rest) == 0 {
		return len(p), nil
	}
	if len(rest) >= tailCap {
		b.tail = append(b.tail[:0], rest[len(rest)-tailCap:]...)
		b.start = 0
		return len(p), nil
	}
	for len(rest) > 0 {
		if len(b.tail) < tailCap {
			n := min(tailCap-len(b.tail), len(rest))
			b.tail = append(b.tail, rest[:n]...)
			rest = rest[n:]
			continue
		}
		n := copy(b.tail[b.start:], rest)
		rest = rest[n:]
		b.start = (b.start + n) % tailCap
	}
	return len(p), nil
}

var nl = []byte{'\n'}

// Omitted reports how many bytes were written but not kept.
func (b *Buffer) Omitted() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.written - int64(len(b.head)+len(b.tail))
}

// String returns the kept output. When bytes were left out, the head ends and the tail starts
// on a line boundary where the kept bytes hold one (the partial lines at the cut join what is
// left out), and a Marker line between them says exactly how many lines and bytes that is.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	tail := append(append([]byte{}, b.tail[b.start:]...), b.tail[:b.start]...)
	if b.written == int64(len(b.head)+len(tail)) {
		return string(b.head) + string(tail)
	}
	head, kept := atLines(string(b.head), string(tail))
	left := Omission{
		Lines: b.lines - int64(strings.Count(head, "\n")+strings.Count(kept, "\n")),
		Bytes: b.written - int64(len(head)+len(kept)),
	}
	return joinCut(head, left, "", kept)
}

// Omission is what a cut left out: whole lines (line breaks, where a cut fell inside a line)
// and bytes.
type Omission struct {
	Lines, Bytes int64
}

// Add returns the sum of o and p.
func (o Omission) Add(p Omission) Omission { return Omission{o.Lines + p.Lines, o.Bytes + p.Bytes} }

// The marker line is "[… N lines (M bytes) omitted …]", with "; why" before the closing "…]"
// when a reason is given, such as "[… 93776 lines (612345 bytes) omitted; run the tool again
// narrower …]".
const (
	markerOpen  = "[… "
	markerClose = " …]"
)

// Marker returns the line (without its newline) that stands for what o left out, with why, if
// not empty, saying why or what to do.
func Marker(o Omission, why string) string {
	if why != "" {
		why = "; " + why
	}
	return fmt.Sprintf("%s%d %s (%d %s) omitted%s%s", markerOpen, o.Lines, plural(o.Lines, "line"), o.Bytes, plural(o.Bytes, "byte"), why, markerClose)
}

func plural(n int64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// ParseMarker reads a line written by Marker.
func ParseMarker(line string) (Omission, bool) {
	body, ok := strings.CutPrefix(line, markerOpen)
	if !ok || !strings.HasSuffix(body, markerClose) {
		return Omission{}, false
	}
	var o Omission
	var lw, bw string
	if n, _ := fmt.Sscanf(body, "%d %s (%d %s", &o.Lines, &lw, &o.Bytes, &bw); n != 4 ||
		!strings.HasPrefix(lw, "line") || !strings.HasPrefix(bw, "byte") || !strings.Contains(body, ") omitted") {
		return Omission{}, false
	}
	return o, true
}

// Count returns what text s stands for: its own lines (line breaks) and bytes, with each
// Marker line in it (and its line break) counted as what it says was left out.
func Count(s string) Omission {
	o := Omission{Lines: int64(strings.Count(s, "\n")), Bytes: int64(len(s))}
	if !strings.Contains(s, markerOpen) {
		return o
	}
	for rest := s; rest != ""; {
		line, after, found := strings.Cut(rest, "\n")
		rest = after
		m, ok := ParseMarker(line)
		if !ok {
			continue
		}
		o.Bytes -= int64(len(line))
		if found {
			o.Lines--
			o.Bytes--
		}
		o = o.Add(m)
	}
	return o
}

// Clip caps s at about limit bytes: it keeps the head and the tail, cut at line boundaries
// where it can, and puts a Marker line between them saying what was left out — exactly, counting
// what earlier cuts' markers in the left-out part said — with why, if not empty.
func Clip(s string, limit int, why string) string {
	if len(s) <= limit {
		return s
	}
	head, tail := atLines(s[:limit/2], s[len(s)-limit/2:])
	return joinCut(head, Count(s[len(head):len(s)-len(tail)]), why, tail)
}

// atLines shortens the head of a cut to end after its last line break and the tail to start
// after its first, where they have one (the tail keeps a lone final line break): the partial
// lines at the cut go with what is left out.
func atLines(head, tail string) (string, string) {
	if i := strings.LastIndexByte(head, '\n'); i >= 0 {
		head = head[:i+1]
	}
	if i := strings.IndexByte(tail, '\n'); i >= 0 && i < len(tail)-1 {
		tail = tail[i+1:]
	}
	return head, tail
}

// joinCut puts head, the marker for left and tail together, each marker on a line of its own.
func joinCut(head string, left Omission, why, tail string) string {
	if head != "" && !strings.HasSuffix(head, "\n") {
		head += "\n"
	}
	return head + Marker(left, why) + "\n" + tail
}

// KeepLines keeps the first head and the last tail lines of s, with a Marker line between them
// saying exactly what was left out (counting what markers of earlier cuts among them stood
// for), with why, if not empty. s is returned whole, without its final line break, when
// leaving out lines would not make it shorter.
func KeepLines(s string, head, tail int, why string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= head+tail+1 {
		return strings.Join(lines, "\n")
	}
	left := Count(strings.Join(lines[head:len(lines)-tail], "\n") + "\n")
	kept := append(append(lines[:head:head], Marker(left, why)), lines[len(lines)-tail:]...)
	return strings.Join(kept, "\n")
}
