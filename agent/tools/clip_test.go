package tools

import (
	"fmt"
	"strings"
	"testing"
)

func TestClipKeepsHeadAndTail(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	got := Clip(b.String(), 1000)
	if len(got) > 1100 || !strings.HasPrefix(got, "line 0\n") || !strings.HasSuffix(got, "line 9999\n") || !strings.Contains(got, "lines (") {
		t.Errorf("clip: %d bytes\n%s", len(got), got)
	}
	if Clip("short", 10) != "short" {
		t.Error("short text changed")
	}
}
