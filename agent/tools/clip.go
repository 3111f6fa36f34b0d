package tools

import (
	"fmt"
	"strings"
)

// Clip caps s at about limit bytes, keeping its head and tail whole lines where it can and
// saying how much was left out in between.
func Clip(s string, limit int) string { return ClipWhy(s, limit, "") }

// ClipWhy is Clip with a reason added to the omission marker, such as "run the tool again to
// see it whole".
func ClipWhy(s string, limit int, why string) string {
	if len(s) <= limit {
		return s
	}
	head := s[:limit/2]
	tail := s[len(s)-limit/2:]
	if i := strings.LastIndexByte(head, '\n'); i > len(head)/2 {
		head = head[:i+1]
	}
	if i := strings.IndexByte(tail, '\n'); i >= 0 && i < len(tail)/2 {
		tail = tail[i+1:]
	}
	omitted := s[len(head) : len(s)-len(tail)]
	lines := strings.Count(omitted, "\n")
	if why != "" {
		why = "; " + why
	}
	return fmt.Sprintf("%s\n[… %d lines (%d bytes) omitted%s …]\n%s", strings.TrimRight(head, "\n"), lines, len(omitted), why, tail)
}
