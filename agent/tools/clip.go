package tools

import "hew/sandbox/capture"

// Clip caps s at about limit bytes, keeping its head and tail whole lines where it can and
// saying exactly how much was left out in between (see capture.Clip).
func Clip(s string, limit int) string { return ClipWhy(s, limit, "") }

// ClipWhy is Clip with a reason added to the omission marker, such as "run the tool again to
// see it whole".
func ClipWhy(s string, limit int, why string) string { return capture.Clip(s, limit, why) }
