package patch

import "strings"

// Parse parses a patch in the apply_patch format ("*** Begin Patch" ... "*** End Patch") or a
// unified diff as "git diff" or "diff -u" writes it, detecting which. It accepts the lenient forms
// models emit: markers padded with spaces, a heredoc or Markdown fence around the patch, and a
// first apply_patch chunk without "@@". A returned error is an *Error of kind ErrSyntax.
func Parse(text string) (*Patch, error) {
	all, cr := splitLines(text)
	lines, first, blankTail := unwrap(all)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == beginPatch || isOpMarker(t) {
			return parseApplyPatch(lines, first, cr)
		}
		if strings.HasPrefix(l, "diff --git ") || strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ ") {
			// A diff's last line may be context for an empty line: a lone space, which the
			// clean-up above took for padding. The hunk's counts decide whether it belongs.
			return parseUnified(append(lines, blankTail...), first, cr)
		}
	}
	return nil, syntaxErr(0, "this is not a patch: expected the apply_patch format (starting \"*** Begin Patch\") or a unified diff (\"--- a/FILE\", \"+++ b/FILE\", \"@@ -N,N +N,N @@\")")
}

// splitLines splits text into lines without their terminators (a final newline ends the last
// line rather than starting an empty one). When some lines but not all end with "\r\n", those
// are marked in cr (by index): a diff of a file with CRLF endings, where the carriage returns
// belong to the content. When all do, the patch itself went through CRLF, and cr is nil.
func splitLines(text string) (lines []string, cr []bool) {
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil, nil
	}
	lines = strings.Split(text, "\n")
	n := 0
	for i, l := range lines {
		if strings.HasSuffix(l, "\r") {
			if cr == nil {
				cr = make([]bool, len(lines))
			}
			lines[i], cr[i] = l[:len(l)-1], true
			n++
		}
	}
	if n == len(lines) {
		cr = nil
	}
	return lines, cr
}

// lineCR reports whether line i of the patch text (0-based) ended with a carriage return that
// belongs to the content.
func lineCR(cr []bool, i int) bool { return i >= 0 && i < len(cr) && cr[i] }

// unwrap removes blank lines around a patch and a heredoc or Markdown fence wrapped around it.
// It returns the remaining lines, the 1-based number of the first one in the original text, and
// the blank lines removed from the end of the patch itself (inside any wrapper).
func unwrap(lines []string) ([]string, int, []string) {
	first := 1
	for {
		for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
			lines, first = lines[1:], first+1
		}
		end := len(lines)
		for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
		var blankTail []string
		lines, blankTail = lines[:end], lines[end:]
		if len(lines) < 2 {
			return lines, first, blankTail
		}
		head, tail := strings.TrimSpace(lines[0]), strings.TrimSpace(lines[len(lines)-1])
		word, heredoc := heredocWord(head)
		switch {
		case heredoc && tail == word:
		case strings.HasPrefix(head, "```") && tail == "```":
		default:
			return lines, first, blankTail
		}
		lines, first = lines[1:len(lines)-1], first+1
	}
}
