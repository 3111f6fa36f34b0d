package codereview

import (
	"fmt"
	"strings"

	"hew/gitops/diff"
)

// maxPrompt caps the change sent to the model, in bytes; files beyond it are listed only.
const maxPrompt = 300 << 10

// Prompt renders files for the model: for each file its unified diff, then the new version's
// lines around every change (ctx lines each side, 20 when ctx is 0), numbered so the model can
// point at them.
func Prompt(target string, files []File, ctx int) string {
	if ctx <= 0 {
		ctx = 20
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Review these changes (%s, %s).\n", target, Count(len(files), "file"))
	var left []string
	for _, f := range files {
		part := filePrompt(f, ctx)
		if b.Len()+len(part) > maxPrompt {
			left = append(left, f.Path)
			continue
		}
		b.WriteString(part)
	}
	if len(left) > 0 {
		fmt.Fprintf(&b, "\nThese changed files are left out because the change is too large to send whole: %s\n", strings.Join(left, ", "))
	}
	return b.String()
}

func filePrompt(f File, ctx int) string {
	var b strings.Builder
	kind := "modified"
	oldPath, newPath := f.Path, f.Path
	switch {
	case f.Created:
		kind, oldPath = "new file", ""
	case f.Deleted:
		kind, newPath = "deleted", ""
	}
	fmt.Fprintf(&b, "\n## %s (%s)\n\n", f.Path, kind)
	if diff.IsBinary(f.Old) || diff.IsBinary(f.New) {
		b.WriteString("(binary file; not shown)\n")
		return b.String()
	}
	fmt.Fprintf(&b, "```diff\n%s```\n", diff.Unified(oldPath, newPath, f.Old, f.New))
	if f.Deleted {
		return b.String()
	}
	lines := strings.SplitAfter(string(f.New), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	ranges := around(diff.Hunks(f.Old, f.New, 0), ctx, len(lines))
	if len(ranges) == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "\nThe new version of %s around the changes, with line numbers:\n```\n", f.Path)
	for i, r := range ranges {
		if i > 0 {
			b.WriteString("…\n")
		}
		for n := r[0]; n <= r[1]; n++ {
			fmt.Fprintf(&b, "%5d  %s", n, strings.TrimRight(lines[n-1], "\r\n")+"\n")
		}
	}
	b.WriteString("```\n")
	return b.String()
}

// around returns the 1-based inclusive line ranges of the new version within ctx lines of a
// hunk, merged where they touch, within [1, total].
func around(hunks []diff.Hunk, ctx, total int) [][2]int {
	var out [][2]int
	for _, h := range hunks {
		start, end := h.NewStart-ctx, h.NewStart+max(h.NewLines, 1)-1+ctx
		start, end = max(start, 1), min(end, total)
		if start > end {
			continue
		}
		if n := len(out); n > 0 && start <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], end)
			continue
		}
		out = append(out, [2]int{start, end})
	}
	return out
}
