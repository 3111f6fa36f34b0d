// Package capture keeps a bounded record of a command's output: the first and last bytes, with the
// size of what was left out in between counted.
package capture

import (
	"fmt"
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

// Omitted reports how many bytes were written but not kept.
func (b *Buffer) Omitted() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.written - int64(len(b.head)+len(b.tail))
}

// String returns the kept output; when bytes were left out, a line between head and tail says how
// many.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	tail := append(append([]byte{}, b.tail[b.start:]...), b.tail[:b.start]...)
	omitted := b.written - int64(len(b.head)+len(tail))
	if omitted == 0 {
		return string(b.head) + string(tail)
	}
	return fmt.Sprintf("%s\n[… %d bytes omitted …]\n%s", b.head, omitted, tail)
}
