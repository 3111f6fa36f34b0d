package codereview

import (
	"fmt"
	"strings"

	"hew/gitops/diff"
)

// part is what the model is shown of one file, or of a share of a large file's changes.
type part struct {
	path string
	text string
}

// header opens every review request; parts follow it.
func header(target string, files, index, total int) string {
	s := fmt.Sprintf("Review these changes (%s, %s).\n", target, Count(files, "file"))
	if total > 1 {
		s += fmt.Sprintf("The change is too large for one request: this is part %d of %d, and the other files are reviewed separately. Report problems only in the files shown here.\n", index, total)
	}
	return s
}

// kind says how the change treats f: "new file", "deleted" or "modified".
func kind(f File) string {
	switch {
	case f.Created:
		return "new file"
	case f.Deleted:
		return "deleted"
	}
	return "modified"
}

// render shows the model hunks of f (all of them, or one share, named by label such as "part 2
// of 3"): a modified file as a unified diff followed by the new version's lines within ctx lines
// of the hunks, numbered; a created file as its numbered lines alone (the diff would only repeat
// them); a deleted file by its length, since there is no new code to review.
func render(f File, hunks []diff.Hunk, ctx int, label string) string {
	var b strings.Builder
	k := kind(f)
	if label != "" {
		k += ", " + label
	}
	fmt.Fprintf(&b, "\n## %s (%s)\n\n", f.Path, k)
	if f.Deleted {
		fmt.Fprintf(&b, "(the file is deleted: its %s are not shown)\n", Count(lineCount(f.Old), "line"))
		return b.String()
	}
	lines := strings.SplitAfter(string(f.New), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if !f.Created {
		fmt.Fprintf(&b, "```diff\n--- a/%s\n+++ b/%s\n", f.Path, f.Path)
		for _, h := range hunks {
			b.WriteString(h.String())
		}
		b.WriteString("```\n")
	} else {
		ctx = 0
	}
	ranges := around(hunks, ctx, len(lines))
	if len(ranges) == 0 {
		return b.String()
	}
	if f.Created {
		fmt.Fprintf(&b, "The new file %s, with line numbers:\n```\n", f.Path)
	} else {
		fmt.Fprintf(&b, "\nThe new version of %s around the changes, with line numbers:\n```\n", f.Path)
	}
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

func lineCount(b []byte) int {
	n := strings.Count(string(b), "\n")
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
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
