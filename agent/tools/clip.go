package tools

import (
	"fmt"

	"hew/sandbox/capture"
)

// Clip caps s at about limit bytes, keeping its head and tail whole lines where it can and
// saying exactly how much was left out in between (see capture.Clip).
func Clip(s string, limit int) string { return ClipWhy(s, limit, "") }

// ClipWhy is Clip with a reason added to the omission marker, such as "run the tool again to
// see it whole".
func ClipWhy(s string, limit int, why string) string { return capture.Clip(s, limit, why) }

// count says n of a noun, singular for one: "1 line", "2 lines".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
