package patch

import (
	"strings"
)

const (
	beginPatch  = "*** Begin Patch"
	endPatch    = "*** End Patch"
	addFile     = "*** Add File:"
	deleteFile  = "*** Delete File:"
	updateFile  = "*** Update File:"
	moveTo      = "*** Move to:"
	endOfFile   = "*** End of File"
	opsExpected = "expected \"*** Add File: PATH\", \"*** Delete File: PATH\", \"*** Update File: PATH\" or \"*** End Patch\""
)

// isOpMarker reports whether a trimmed line starts a file operation.
func isOpMarker(t string) bool {
	return strings.HasPrefix(t, addFile) || strings.HasPrefix(t, deleteFile) || strings.HasPrefix(t, updateFile)
}

// endsBlock reports whether a line ends a file operation's body.
func endsBlock(l string) bool {
	t := strings.TrimSpace(l)
	return isOpMarker(t) || t == endPatch
}

// applyPatchParser reads the apply_patch format.
type applyPatchParser struct {
	lines []string
	first int    // line number of lines[0] in the patch text
	cr    []bool // by line of the patch text: see splitLines
	i     int
}

func (p *applyPatchParser) lineNo() int { return p.first + p.i }

// line makes the hunk line of kind from the current patch line's text.
func (p *applyPatchParser) line(kind byte, text string) Line {
	return Line{Kind: kind, Text: text, CR: lineCR(p.cr, p.lineNo()-1)}
}

func parseApplyPatch(lines []string, first int, cr []bool) (*Patch, error) {
	begin := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == beginPatch {
			begin = i
			break
		}
	}
	if begin < 0 {
		return nil, syntaxErr(first, "the patch must start with %q", beginPatch)
	}
	if len(lines) == begin+1 || strings.TrimSpace(lines[len(lines)-1]) != endPatch {
		return nil, syntaxErr(first+len(lines)-1, "the patch does not end with %q; it may have been cut off", endPatch)
	}
	p := &applyPatchParser{lines: lines[begin+1 : len(lines)-1], first: first + begin + 1, cr: cr}
	patch := &Patch{Format: FormatApplyPatch}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		t := strings.TrimSpace(l)
		var (
			fp  FilePatch
			err error
		)
		switch {
		case t == "":
			p.i++
			continue
		case strings.HasPrefix(t, addFile):
			fp, err = p.add(t)
		case strings.HasPrefix(t, deleteFile):
			fp, err = p.delete(t)
		case strings.HasPrefix(t, updateFile):
			fp, err = p.update(t)
		case t == endPatch:
			return nil, syntaxErr(p.lineNo(), "%q appears before the end of the patch; a patch holds one Begin/End pair", endPatch)
		default:
			return nil, syntaxErr(p.lineNo(), "%q is not a file operation; %s", clip(l), opsExpected)
		}
		if err != nil {
			return nil, err
		}
		patch.Files = append(patch.Files, fp)
	}
	if len(patch.Files) == 0 {
		return nil, syntaxErr(p.first, "the patch is empty: it has no file operations; %s", opsExpected)
	}
	return patch, nil
}

// header reads the path after a marker and moves past the marker line.
func (p *applyPatchParser) header(t, marker string) (string, int, error) {
	line := p.lineNo()
	path := strings.TrimSpace(strings.TrimPrefix(t, marker))
	if path == "" {
		return "", 0, syntaxErr(line, "%q needs a path after it", marker)
	}
	p.i++
	return path, line, nil
}

func (p *applyPatchParser) add(t string) (FilePatch, error) {
	path, line, err := p.header(t, addFile)
	if err != nil {
		return FilePatch{}, err
	}
	h := Hunk{line: line + 1}
	blanks := 0
	for ; p.i < len(p.lines) && !endsBlock(p.lines[p.i]); p.i++ {
		l := p.lines[p.i]
		switch {
		case strings.HasPrefix(l, "+"):
			for ; blanks > 0; blanks-- {
				h.Lines = append(h.Lines, Line{Kind: '+'})
			}
			h.Lines = append(h.Lines, p.line('+', l[1:]))
		case strings.TrimSpace(l) == "":
			blanks++ // a blank line inside the content is an empty line; trailing ones are dropped
		default:
			return FilePatch{}, syntaxErr(p.lineNo(), "in \"*** Add File: %s\" every content line must start with '+', got %q", path, clip(l))
		}
	}
	fp := FilePatch{Op: 'A', Path: path, line: line}
	if len(h.Lines) > 0 {
		fp.Hunks = []Hunk{h}
	}
	return fp, nil
}

func (p *applyPatchParser) delete(t string) (FilePatch, error) {
	path, line, err := p.header(t, deleteFile)
	if err != nil {
		return FilePatch{}, err
	}
	for ; p.i < len(p.lines) && !endsBlock(p.lines[p.i]); p.i++ {
		if strings.TrimSpace(p.lines[p.i]) != "" {
			return FilePatch{}, syntaxErr(p.lineNo(), "\"*** Delete File: %s\" takes no lines after it, got %q", path, clip(p.lines[p.i]))
		}
	}
	return FilePatch{Op: 'D', Path: path, line: line}, nil
}

func (p *applyPatchParser) update(t string) (FilePatch, error) {
	path, line, err := p.header(t, updateFile)
	if err != nil {
		return FilePatch{}, err
	}
	fp := FilePatch{Op: 'M', Path: path, line: line}
	if p.i < len(p.lines) && strings.HasPrefix(strings.TrimSpace(p.lines[p.i]), moveTo) {
		if fp.MoveTo, _, err = p.header(strings.TrimSpace(p.lines[p.i]), moveTo); err != nil {
			return FilePatch{}, err
		}
	}
	var cur *Hunk
	closeHunk := func() error {
		if cur == nil {
			return nil
		}
		if len(cur.Lines) == 0 {
			return syntaxErr(cur.line, "this hunk of %s has no lines; after \"@@\" give context lines (' '), lines to remove ('-') and lines to add ('+')", path)
		}
		fp.Hunks = append(fp.Hunks, *cur)
		cur = nil
		return nil
	}
	for ; p.i < len(p.lines); p.i++ {
		l := p.lines[p.i]
		// Inside a hunk, a line of one space and marker text is context: a document about
		// the format has such lines (" *** End Patch"). Markers are written flush left.
		context := cur != nil && len(l) > 1 && l[0] == ' ' && l[1] != ' ' && l[1] != '\t'
		if !context && endsBlock(l) {
			break
		}
		switch {
		case context:
			cur.Lines = append(cur.Lines, p.line(' ', l[1:]))
		case strings.TrimSpace(l) == endOfFile:
			if cur == nil || len(cur.Lines) == 0 {
				return FilePatch{}, syntaxErr(p.lineNo(), "%q must follow a hunk's lines", endOfFile)
			}
			cur.AtEOF = true
			if err := closeHunk(); err != nil {
				return FilePatch{}, err
			}
		case strings.HasPrefix(l, "@@"):
			anchor := strings.TrimSpace(l[2:])
			oldStart := 0
			// Some models put a unified diff's range on the line: "@@ -12,7 +12,8 @@ func f() {".
			if r, rest, ok := cutRange(anchor); ok {
				oldStart = r.oldStart
				anchor = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "@@"))
			}
			if cur == nil || len(cur.Lines) > 0 {
				if err := closeHunk(); err != nil {
					return FilePatch{}, err
				}
				cur = &Hunk{line: p.lineNo(), OldStart: oldStart}
			}
			if anchor != "" {
				cur.Anchors = append(cur.Anchors, anchor)
			}
		case l == "" || l[0] == ' ' || l[0] == '-' || l[0] == '+':
			if cur == nil {
				cur = &Hunk{line: p.lineNo()}
			}
			kind, text := byte(' '), ""
			if l != "" {
				kind, text = l[0], l[1:]
			}
			cur.Lines = append(cur.Lines, p.line(kind, text))
		default:
			return FilePatch{}, syntaxErr(p.lineNo(), "%q is not a hunk line of %s; each line of an update starts with ' ' (context), '-' (remove) or '+' (add), or is an \"@@\" header", clip(l), path)
		}
	}
	if err := closeHunk(); err != nil {
		return FilePatch{}, err
	}
	if len(fp.Hunks) == 0 && fp.MoveTo == "" {
		return FilePatch{}, syntaxErr(line, "\"*** Update File: %s\" has no hunks; add \"@@\" and the lines to change, or \"*** Move to: PATH\" to rename it", path)
	}
	return fp, nil
}

// clip shortens a line quoted in an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
