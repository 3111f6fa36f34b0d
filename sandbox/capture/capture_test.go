package capture

import (
	"bytes"
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

func TestBufferKeepsHeadAndTail(t *testing.T) {
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
		want := all.String()[:5] + "\n[… 90 bytes omitted …]\n" + all.String()[95:]
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
	b.Write([]byte(strings.Repeat("x", 50)))
	if b.Omitted() != 50 || !strings.Contains(b.String(), "50 bytes omitted") {
		t.Fatalf("got %q omitted %d", b.String(), b.Omitted())
	}
}
