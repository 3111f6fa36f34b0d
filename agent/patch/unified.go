package patch

import (
	"io/fs"
	"strconv"
	"strings"
)

// diffFile collects one file's headers and hunks from a unified diff.
type diffFile struct {
	line               int
	git                bool
	gitOld, gitNew     string
	oldPath, newPath   string
	sawPaths           bool
	isNew, isDel       bool
	oldMode, newMode   string
	renameFrom, rename string
	hunks              []Hunk
}

type unifiedParser struct {
	lines []string
	first int
	cr    []bool // by line of the patch text: see splitLines
	i     int
	files []FilePatch
	cur   *diffFile
}

func (p *unifiedParser) lineNo() int { return p.first + p.i }

func parseUnified(lines []string, first int, cr []bool) (*Patch, error) {
	p := &unifiedParser{lines: lines, first: first, cr: cr}
	for p.i < len(p.lines) {
		if err := p.step(); err != nil {
			return nil, err
		}
	}
	if err := p.flush(); err != nil {
		return nil, err
	}
	if len(p.files) == 0 {
		return nil, syntaxErr(first, "the diff changes no files")
	}
	return &Patch{Format: FormatUnified, Files: p.files}, nil
}

// step reads one header line or one hunk.
func (p *unifiedParser) step() error {
	l := p.lines[p.i]
	switch {
	case strings.HasPrefix(l, "diff --git "):
		if err := p.start(); err != nil {
			return err
		}
		p.cur.git = true
		p.cur.gitOld, p.cur.gitNew = splitGitPaths(strings.TrimPrefix(l, "diff --git "))
	case strings.HasPrefix(l, "diff "):
		if err := p.start(); err != nil {
			return err
		}
	case strings.HasPrefix(l, "--- ") && p.i+1 < len(p.lines) && strings.HasPrefix(p.lines[p.i+1], "+++ "):
		if p.cur == nil || p.cur.sawPaths || len(p.cur.hunks) > 0 {
			if err := p.start(); err != nil {
				return err
			}
		}
		p.cur.oldPath = diffPath(strings.TrimPrefix(l, "--- "))
		p.cur.newPath = diffPath(strings.TrimPrefix(p.lines[p.i+1], "+++ "))
		p.cur.sawPaths = true
		p.i++
	case strings.HasPrefix(l, "@@"):
		if p.cur == nil {
			return syntaxErr(p.lineNo(), "a hunk comes before any file header; start each file with \"--- a/PATH\" and \"+++ b/PATH\"")
		}
		return p.hunk()
	case p.cur != nil && len(p.cur.hunks) == 0:
		if err := p.extendedHeader(l); err != nil {
			return err
		}
	}
	// Anything else (a commit message, "Index:" lines, a signature) is not part of a change.
	p.i++
	return nil
}

// extendedHeader reads git's lines between "diff --git" and the hunks.
func (p *unifiedParser) extendedHeader(l string) error {
	f := p.cur
	cut := func(prefix string) (string, bool) {
		if s, ok := strings.CutPrefix(l, prefix); ok {
			return strings.TrimSpace(s), true
		}
		return "", false
	}
	if s, ok := cut("new file mode "); ok {
		f.isNew, f.newMode = true, s
	} else if s, ok := cut("deleted file mode "); ok {
		f.isDel, f.oldMode = true, s
	} else if s, ok := cut("old mode "); ok {
		f.oldMode = s
	} else if s, ok := cut("new mode "); ok {
		f.newMode = s
	} else if s, ok := cut("rename from "); ok {
		f.renameFrom = unquotePath(s)
	} else if s, ok := cut("rename to "); ok {
		f.rename = unquotePath(s)
	} else if strings.HasPrefix(l, "copy from ") || strings.HasPrefix(l, "copy to ") {
		return syntaxErr(p.lineNo(), "copies are not supported; write the copy as a new file")
	} else if strings.HasPrefix(l, "Binary files ") || strings.HasPrefix(l, "GIT binary patch") {
		return syntaxErr(p.lineNo(), "the diff changes a binary file; binary files cannot be patched")
	}
	return nil
}

// start begins a new file, finishing the previous one.
func (p *unifiedParser) start() error {
	if err := p.flush(); err != nil {
		return err
	}
	p.cur = &diffFile{line: p.lineNo()}
	return nil
}

// hunk reads one "@@" hunk, using its line counts to know where it ends.
func (p *unifiedParser) hunk() error {
	r, headerText, ok := parseHunkHeader(p.lines[p.i])
	if !ok {
		return syntaxErr(p.lineNo(), "%q is not a hunk header; it must read \"@@ -START,COUNT +START,COUNT @@\"", clip(p.lines[p.i]))
	}
	oldLeft, newLeft := r.oldCount, r.newCount
	h := Hunk{OldStart: r.oldStart, ranged: true, line: p.lineNo()}
	header := p.i
	p.i++
	for ; p.i < len(p.lines); p.i++ {
		l := p.lines[p.i]
		remaining := oldLeft > 0 || newLeft > 0
		if !remaining && !continuesHunk(p.lines, p.i) {
			break
		}
		switch {
		case strings.HasPrefix(l, `\`):
			if n := len(h.Lines); n > 0 {
				switch h.Lines[n-1].Kind {
				case '-':
					h.OldNoEOL = true
				case '+':
					h.NewNoEOL = true
				default:
					h.OldNoEOL, h.NewNoEOL = true, true
				}
			}
			continue
		case l == "" && remaining:
			h.Lines = append(h.Lines, Line{Kind: ' '})
		case l != "" && (l[0] == ' ' || l[0] == '-' || l[0] == '+'):
			h.Lines = append(h.Lines, Line{Kind: l[0], Text: l[1:], CR: lineCR(p.cr, p.lineNo()-1)})
		default:
			if isFileHeader(p.lines, p.i) {
				goto done // the header's counts were wrong; the next file starts here
			}
			return syntaxErr(p.lineNo(), "%q is not a hunk line; hunk lines start with ' ', '-' or '+' (the hunk header at line %d promises %s more)", clip(l), p.first+header, remainingText(oldLeft, newLeft))
		}
		switch h.Lines[len(h.Lines)-1].Kind {
		case ' ':
			oldLeft--
			newLeft--
		case '-':
			oldLeft--
		case '+':
			newLeft--
		}
	}
	if oldLeft > 0 && oldLeft == newLeft {
		// Only context is missing: most likely blank context lines lost their leading space
		// and were trimmed away, not a patch cut short.
		return syntaxErr(p.lineNo(), "the hunk at line %d has %d context line(s) fewer than its header \"%s\" counts; if the hunk ends with empty lines of the file, write each as a line holding a single space, or correct the counts", p.first+header, oldLeft, clip(headerText))
	}
	if oldLeft > 0 || newLeft > 0 {
		return syntaxErr(p.lineNo(), "the diff ends inside a hunk (the hunk header at line %d promises %s more); it may have been cut off", p.first+header, remainingText(oldLeft, newLeft))
	}
done:
	// git diff omits trailing context only at the end of the file, so git apply anchors such a
	// hunk there; here that breaks ties and shows a change already applied.
	if n := len(h.Lines); n > 0 && h.Lines[0].Kind == ' ' && h.Lines[n-1].Kind != ' ' {
		h.AtEOF = true
	}
	h.atStart = h.OldStart <= 1
	p.cur.hunks = append(p.cur.hunks, h)
	return nil
}

func remainingText(oldLeft, newLeft int) string {
	return strconv.Itoa(max(oldLeft, 0)) + " old and " + strconv.Itoa(max(newLeft, 0)) + " new lines"
}

// continuesHunk reports whether line i, after a hunk's counted lines, still belongs to it: models
// miscount, so further ' ', '-', '+' and '\' lines are taken, but not file headers or a
// "-- " mail signature.
func continuesHunk(lines []string, i int) bool {
	l := lines[i]
	if l == "" || l == "-- " || isFileHeader(lines, i) || onlyBlankFrom(lines, i) {
		return false
	}
	return strings.ContainsRune(` -+\`, rune(l[0]))
}

// onlyBlankFrom reports whether lines[i:] are all blank (padding after the last hunk).
func onlyBlankFrom(lines []string, i int) bool {
	for _, l := range lines[i:] {
		if strings.TrimSpace(l) != "" {
			return false
		}
	}
	return true
}

func isFileHeader(lines []string, i int) bool {
	l := lines[i]
	return strings.HasPrefix(l, "diff ") || strings.HasPrefix(l, "@@") ||
		strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ ")
}

// flush turns the current file's headers and hunks into a FilePatch.
func (p *unifiedParser) flush() error {
	f := p.cur
	p.cur = nil
	if f == nil {
		return nil
	}
	oldPath, newPath := f.oldPath, f.newPath
	if !f.sawPaths {
		oldPath, newPath = f.gitOld, f.gitNew
	}
	if f.renameFrom != "" {
		oldPath = f.renameFrom
	}
	if f.rename != "" {
		newPath = f.rename
	}
	strip := f.git || (strings.HasPrefix(oldPath, "a/") || oldPath == devNull) && (strings.HasPrefix(newPath, "b/") || newPath == devNull)
	if strip {
		if f.renameFrom == "" {
			oldPath = strings.TrimPrefix(oldPath, "a/")
		}
		if f.rename == "" {
			newPath = strings.TrimPrefix(newPath, "b/")
		}
	}
	if oldPath == "" && newPath == "" {
		if len(f.hunks) == 0 {
			return nil // a "diff" line with nothing under it
		}
		return syntaxErr(f.line, "the diff's file header names no file; start each file with \"--- a/PATH\" and \"+++ b/PATH\"")
	}
	mode := func(s string) (fs.FileMode, error) {
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseUint(s, 8, 32)
		if err != nil || n&0o170000 != 0o100000 {
			return 0, syntaxErr(f.line, "file mode %s is not a regular file's mode; only regular files (100644, 100755) can be patched", s)
		}
		return fs.FileMode(n & 0o777), nil
	}
	newMode, err := mode(f.newMode)
	if err != nil {
		return err
	}
	if _, err := mode(f.oldMode); err != nil {
		return err
	}
	fp := FilePatch{Hunks: f.hunks, line: f.line}
	switch {
	case f.isNew || oldPath == devNull:
		fp.Op, fp.Path, fp.Mode, fp.MustNotExist = 'A', newPath, newMode, true
	case f.isDel || newPath == devNull:
		fp.Op, fp.Path = 'D', oldPath
	default:
		fp.Op, fp.Path = 'M', oldPath
		if newPath != oldPath {
			fp.MoveTo = newPath
		}
		if newMode != 0 && f.oldMode != f.newMode {
			fp.Mode = newMode
		}
		if len(fp.Hunks) == 0 && fp.MoveTo == "" && fp.Mode == 0 {
			return nil // nothing changes (an "index" line alone, say)
		}
	}
	p.files = append(p.files, fp)
	return nil
}

const devNull = "/dev/null"

// diffPath reads the path on a "---" or "+++" line: it drops a timestamp after a tab and undoes
// git's quoting.
func diffPath(s string) string {
	if i := strings.IndexByte(s, '\t'); i >= 0 {
		s = s[:i]
	}
	return unquotePath(strings.TrimRight(s, " "))
}

func unquotePath(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	return s
}

// splitGitPaths splits the "a/X b/Y" of a "diff --git" line. Paths with spaces are ambiguous
// there; the split that makes both sides name the same file is preferred.
func splitGitPaths(s string) (string, string) {
	if strings.HasPrefix(s, `"`) {
		if i := strings.Index(s[1:], `" `); i >= 0 {
			return unquotePath(s[:i+2]), unquotePath(strings.TrimSpace(s[i+3:]))
		}
	}
	if n := len(s); n%2 == 1 {
		a, b := s[:n/2], s[n/2+1:]
		if strings.TrimPrefix(a, "a/") == strings.TrimPrefix(b, "b/") {
			return a, b
		}
	}
	if i := strings.LastIndex(s, " b/"); i >= 0 {
		return s[:i], unquotePath(s[i+1:])
	}
	a, b, _ := strings.Cut(s, " ")
	return a, b
}
