package patch

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

const defaultPerm fs.FileMode = 0o644

// Apply applies p to fsys. Every hunk of every file is validated in memory first; only then are
// files written, each atomically. If any check fails nothing is written, and if a write fails the
// files already written are restored. A returned error is an *Error.
//
// Hunks are matched against each file's current content, so a patch made against an older
// version still applies as long as its context lines are still there, and is refused otherwise.
func Apply(fsys FS, p *Patch) (*Result, error) {
	pl, res, err := prepare(fsys, p)
	if err != nil {
		return nil, err
	}
	if err := pl.commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// Check validates p against fsys as Apply would, without writing anything.
func Check(fsys FS, p *Patch) (*Result, error) {
	_, res, err := prepare(fsys, p)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func prepare(fsys FS, p *Patch) (*plan, *Result, error) {
	if p == nil || len(p.Files) == 0 {
		return nil, nil, &Error{Kind: ErrSyntax, Msg: "the patch changes no files"}
	}
	pl := newPlan(fsys)
	res := &Result{}
	for i := range p.Files {
		fr, err := pl.apply(&p.Files[i])
		if err != nil {
			return nil, nil, err
		}
		res.Files = append(res.Files, fr)
	}
	return pl, res, nil
}

// A plan is the tree as a patch leaves it, held in memory over the FS until commit.
type plan struct {
	fsys    FS
	entries map[string]*entry
	order   []string
}

// entry is one file's state before and after the patch.
type entry struct {
	origData   []byte
	origMode   fs.FileMode
	origExists bool
	isDir      bool
	isLink     bool

	data   []byte
	mode   fs.FileMode
	exists bool
}

func newPlan(fsys FS) *plan {
	return &plan{fsys: fsys, entries: map[string]*entry{}}
}

// load returns the planned state of a file, reading it from the FS the first time.
func (pl *plan) load(name string) (string, *entry, error) {
	clean, err := CleanPath(name)
	if err != nil {
		return "", nil, refuse(name, err, "refused")
	}
	if e, ok := pl.entries[clean]; ok {
		return clean, e, nil
	}
	e := &entry{}
	fi, err := pl.fsys.Stat(clean)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", nil, refuse(clean, err, "cannot read it")
	case fi.IsDir():
		e.isDir, e.origExists = true, true
	case fi.Mode()&fs.ModeSymlink != 0:
		e.isLink, e.origExists = true, true
	case !fi.Mode().IsRegular():
		return "", nil, refuse(clean, nil, "is not a regular file")
	default:
		data, err := pl.fsys.ReadFile(clean)
		if err != nil {
			return "", nil, refuse(clean, err, "cannot read it")
		}
		e.origData, e.origMode, e.origExists = data, fi.Mode().Perm(), true
	}
	e.data, e.mode, e.exists = e.origData, e.origMode, e.origExists
	pl.entries[clean] = e
	pl.order = append(pl.order, clean)
	return clean, e, nil
}

// loadFile is load for a file that must exist as a regular file; what names the operation.
func (pl *plan) loadFile(name, what string) (string, *entry, error) {
	clean, e, err := pl.load(name)
	if err != nil {
		return "", nil, err
	}
	if err := e.checkFile(clean, what); err != nil {
		return "", nil, err
	}
	if !e.exists {
		hint := ""
		if what == "update" {
			hint = "; to create it, use an add (\"*** Add File:\")"
		}
		if alt, ok := pl.withoutGitPrefix(clean); ok {
			hint = fmt.Sprintf("; did you mean %s? Paths in a patch are relative to the repository root, without the a/ or b/ prefix of a git diff's headers", alt)
		}
		return "", nil, refuse(clean, fs.ErrNotExist, "cannot %s it: the file does not exist%s", what, hint)
	}
	return clean, e, nil
}

// withoutGitPrefix returns name without a leading "a/" or "b/" when that names an existing
// file: the mistake of copying a path from a git diff's header.
func (pl *plan) withoutGitPrefix(name string) (string, bool) {
	alt, ok := strings.CutPrefix(name, "a/")
	if !ok {
		alt, ok = strings.CutPrefix(name, "b/")
	}
	if !ok {
		return "", false
	}
	if e, seen := pl.entries[alt]; seen {
		return alt, e.exists
	}
	fi, err := pl.fsys.Stat(alt)
	return alt, err == nil && fi.Mode().IsRegular()
}

// checkFile refuses directories and symbolic links.
func (e *entry) checkFile(name, what string) error {
	switch {
	case e.exists && e.isDir:
		return refuse(name, nil, "cannot %s it: it is a directory, not a file", what)
	case e.exists && e.isLink:
		return refuse(name, nil, "cannot %s it: it is a symbolic link; patch the file it points to instead", what)
	}
	return nil
}

// decode returns a file's content as text, refusing binary files.
func (e *entry) decode(name string) (*text, error) {
	if isBinary(e.data) {
		return nil, refuse(name, nil, "it is a binary file; binary files cannot be patched")
	}
	return parseText(e.data), nil
}

// patched returns the file's planned content with hunks applied.
func (e *entry) patched(name string, hunks []Hunk) (*text, error) {
	t, err := e.decode(name)
	if err != nil {
		return nil, err
	}
	return applyHunks(name, t, hunks, tailNewline)
}

func (e *entry) set(data []byte, mode fs.FileMode) {
	e.data, e.mode, e.exists, e.isDir, e.isLink = data, mode, true, false, false
}

// apply plans one file operation.
func (pl *plan) apply(fp *FilePatch) (FileResult, error) {
	switch fp.Op {
	case 'A':
		return pl.add(fp)
	case 'D':
		return pl.delete(fp)
	case 'M':
		return pl.update(fp)
	}
	return FileResult{}, &Error{Kind: ErrSyntax, Path: fp.Path, Msg: fmt.Sprintf("unknown operation %q", fp.Op)}
}

func (pl *plan) add(fp *FilePatch) (FileResult, error) {
	name, e, err := pl.load(fp.Path)
	if err != nil {
		return FileResult{}, err
	}
	if err := e.checkFile(name, "add"); err != nil {
		return FileResult{}, err
	}
	if e.exists {
		hint := "update it with a diff against its current content instead"
		if !fp.MustNotExist { // the apply_patch format
			hint = "to change it, use \"*** Update File:\" with the lines to change; to replace it whole, delete it first (\"*** Delete File:\") in the same patch"
		}
		return FileResult{}, refuse(name, fs.ErrExist, "cannot add it: the file already exists; %s", hint)
	}
	out, err := applyHunks(name, &text{eol: "\n"}, fp.Hunks, tailNewline)
	if err != nil {
		return FileResult{}, err
	}
	mode := fp.Mode
	if mode == 0 {
		mode = defaultPerm
		if e.exists {
			mode = e.mode
		}
	}
	e.set(out.bytes(), mode)
	return FileResult{Op: 'A', Path: name}, nil
}

func (pl *plan) delete(fp *FilePatch) (FileResult, error) {
	name, e, err := pl.loadFile(fp.Path, "delete")
	if err != nil {
		return FileResult{}, err
	}
	if len(fp.Hunks) > 0 {
		out, err := e.patched(name, fp.Hunks)
		if err != nil {
			return FileResult{}, err
		}
		if len(out.lines) > 0 {
			return FileResult{}, refuse(name, nil, "cannot delete it: the file has %d line(s) the diff does not remove, so it changed since the diff was made; re-read it", len(out.lines))
		}
	}
	e.exists = false
	return FileResult{Op: 'D', Path: name}, nil
}

func (pl *plan) update(fp *FilePatch) (FileResult, error) {
	name, e, err := pl.loadFile(fp.Path, "update")
	if err != nil {
		if fp.MoveTo != "" && errors.Is(err, fs.ErrNotExist) {
			if dest, d, derr := pl.load(fp.MoveTo); derr == nil && d.exists && !d.isDir {
				return FileResult{}, &Error{Kind: ErrApplied, Path: fp.Path,
					Msg: fmt.Sprintf("cannot move it to %s: it does not exist and %s does, so the move may have been applied already; nothing was changed", dest, dest)}
			}
		}
		return FileResult{}, err
	}
	data := e.data
	if len(fp.Hunks) > 0 {
		out, err := e.patched(name, fp.Hunks)
		if err != nil {
			return FileResult{}, err
		}
		data = out.bytes()
		if bytes.Equal(data, e.data) && changes(fp.Hunks) {
			// Hunks found only by a forgiving pass (a change of trailing whitespace, say) can
			// apply again over their own result.
			return FileResult{}, &Error{Kind: ErrApplied, Path: name, Msg: "applying it would change nothing: its change is already in the file", Detail: appliedAdvice}
		}
	}
	mode := e.mode
	if fp.Mode != 0 {
		mode = fp.Mode
	}
	if fp.MoveTo == "" {
		e.set(data, mode)
		return FileResult{Op: 'M', Path: name}, nil
	}
	dest, d, err := pl.load(fp.MoveTo)
	if err != nil {
		return FileResult{}, err
	}
	if dest == name {
		e.set(data, mode)
		return FileResult{Op: 'M', Path: name}, nil
	}
	if err := d.checkFile(dest, "move a file onto"); err != nil {
		return FileResult{}, err
	}
	if d.exists {
		return FileResult{}, refuse(dest, fs.ErrExist, "cannot move %s here: the file already exists and would be replaced; move it to a new path, or delete %s first in the same patch", name, dest)
	}
	d.set(data, mode)
	e.exists = false
	return FileResult{Op: 'M', Path: dest, From: name}, nil
}

// commit writes the planned changes: removals first, then writes. If one fails, the files
// already changed are restored.
func (pl *plan) commit() error {
	var done []string
	for _, removals := range []bool{true, false} {
		for _, name := range pl.order {
			e := pl.entries[name]
			if !e.changed() || e.exists == removals {
				continue
			}
			var err error
			if e.exists {
				err = pl.fsys.WriteFile(name, e.data, e.mode)
			} else {
				err = pl.fsys.Remove(name)
			}
			if err != nil {
				msg := "writing failed, so no file was changed"
				if rerr := pl.rollback(done); rerr != nil {
					msg = fmt.Sprintf("writing failed, and restoring the files already written also failed (%v)", rerr)
				}
				return &Error{Kind: ErrWrite, Path: name, Msg: msg, Err: err}
			}
			done = append(done, name)
		}
	}
	return nil
}

func (e *entry) changed() bool {
	if e.exists != e.origExists {
		return true
	}
	return e.exists && (e.mode != e.origMode || !bytes.Equal(e.data, e.origData))
}

func (pl *plan) rollback(done []string) error {
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		e := pl.entries[done[i]]
		var err error
		if e.origExists {
			err = pl.fsys.WriteFile(done[i], e.origData, e.origMode)
		} else {
			err = pl.fsys.Remove(done[i])
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restore %s: %w", done[i], err))
		}
	}
	return errors.Join(errs...)
}

// applyHunks applies hunks, in order, to t. defTail says how the file ends when a hunk reaches
// its end and the patch does not say.
func applyHunks(name string, t *text, hunks []Hunk, defTail tailPolicy) (*text, error) {
	m := newMatcher(t.lines)
	type slot struct {
		rep  replacement
		ok   bool
		pend *pending
		err  error
	}
	slots := make([]slot, len(hunks))
	cursor := 0
	for i := range hunks {
		rep, pend, err := locateHunk(m, t.ends, name, &hunks[i], i+1, len(hunks), cursor, defTail)
		switch {
		case pend != nil:
			slots[i] = slot{pend: pend, err: err}
		case err != nil:
			return nil, err
		default:
			slots[i] = slot{rep: rep, ok: true}
			cursor = rep.start + rep.n
		}
	}
	// A hunk found in several places may be placed by the order of the hunks: it comes after
	// the hunk before it and before the hunk after it.
	for progress := true; progress; {
		progress = false
		for i := range slots {
			if slots[i].ok {
				continue
			}
			lo, hi := 0, len(t.lines)
			for j := i - 1; j >= 0; j-- {
				if slots[j].ok {
					lo = slots[j].rep.start + slots[j].rep.n
					break
				}
			}
			for j := i + 1; j < len(slots); j++ {
				if slots[j].ok {
					hi = slots[j].rep.start
					break
				}
			}
			var in []int
			for _, c := range slots[i].pend.cands {
				if c >= lo && c+slots[i].pend.n <= hi {
					in = append(in, c)
				}
			}
			if len(in) == 1 {
				slots[i].rep, slots[i].ok, progress = slots[i].pend.build(in[0]), true, true
			}
		}
	}
	reps := make([]replacement, 0, len(hunks))
	for _, sl := range slots {
		if !sl.ok {
			return nil, sl.err
		}
		reps = append(reps, sl.rep)
	}
	out, pair, ok := t.replace(reps)
	if !ok {
		return nil, &Error{Kind: ErrAmbiguous, Path: name, Hunk: pair[1], Hunks: len(hunks),
			Msg: fmt.Sprintf("it changes lines that hunk %d also changes; merge the two hunks into one", pair[0])}
	}
	return out, nil
}

// pending is a hunk found in several places: its candidate starts, its length in the file, and
// how to build its replacement at one of them.
type pending struct {
	cands []int
	n     int
	build func(start int) replacement
}

// locateHunk finds one hunk in the file and returns its replacement, or an error a model can act
// on.
//
// A hunk whose lines occur in several places is returned as pending, with its error, for the
// caller to place by the hunks around it if it can.
func locateHunk(m *matcher, ends []string, name string, h *Hunk, n, total, cursor int, defTail tailPolicy) (replacement, *pending, error) {
	tail := defTail
	if h.NewNoEOL {
		tail = tailNone
	}
	hunkErr := func(kind ErrorKind, msg, detail string) error {
		return &Error{Kind: kind, Path: name, Hunk: n, Hunks: total, Msg: msg, Detail: detail}
	}
	var scopes []scope
	if len(h.Anchors) > 0 {
		var missing string
		if scopes, missing = m.anchorScopes(h.Anchors); scopes == nil {
			return replacement{}, nil, hunkErr(ErrNoMatch, fmt.Sprintf("the @@ line %q was not found", missing), anchorAdvice)
		}
	}
	old := h.oldLines()
	if len(old) == 0 {
		pos, err := m.insertionPoint(h, scopes)
		if err != nil {
			return replacement{}, nil, hunkErr(err.Kind, err.Msg, err.Detail)
		}
		added := addedLines(h)
		if at, ok := m.alreadyAdded(added, pos); ok {
			return replacement{}, nil, hunkErr(ErrApplied, fmt.Sprintf("its change is already in the file: the lines it adds are already at %s", lineRanges([]int{at}, len(added))), appliedAdvice)
		}
		return replacement{start: pos, lines: added, ends: lineEnds(h, nil, ends), tail: tail, hunk: n}, nil, nil
	}
	pl, cands, p := m.locate(h, old, cursor, scopes)
	if pl.start < 0 && cands == nil {
		// Models often add a blank context line the file does not have; retry without them.
		if trimmed, ok := trimBlankContext(h); ok {
			if tl := trimmed.oldLines(); len(tl) > 0 {
				if pl2, c2, p2 := m.locate(trimmed, tl, cursor, scopes); pl2.start >= 0 || c2 != nil {
					h, old, pl, cands, p = trimmed, tl, pl2, c2, p2
				}
			}
		}
	}
	if at, newLen, ok := m.alreadyApplied(h, old, pl, cands, cursor, scopes); ok {
		return replacement{}, nil, hunkErr(ErrApplied, fmt.Sprintf("its change is already in the file: %s already read as the hunk's result", lineRanges([]int{at}, newLen)), appliedAdvice)
	}
	switch {
	case cands != nil:
		var b strings.Builder
		b.WriteString("The hunk expects these lines:\n")
		quoteLines(&b, "|", capLines(old))
		where := ""
		if scopes != nil {
			where = " after its @@ line"
		}
		b.WriteString("Add unchanged lines around the change until they occur only once, or an \"@@ <line>\" header naming the enclosing function or class.")
		h, old, pass := h, old, p
		build := func(start int) replacement {
			lines, src := m.placeFrom(h, old, placement{start: start, pass: pass})
			return replacement{start: start, n: len(old), lines: lines, ends: lineEnds(h, src, ends), tail: tail, hunk: n}
		}
		return replacement{}, &pending{cands: cands, n: len(old), build: build}, hunkErr(ErrAmbiguous, fmt.Sprintf("its lines occur %d times%s (matching %s), at %s; it is not clear which is meant",
			len(cands), where, passNames[p], lineRanges(cands, len(old))), b.String())
	case pl.start < 0:
		return replacement{}, nil, hunkErr(ErrNoMatch, "its lines were not found in the file", notFoundDetail(m, name, old, "The hunk expects these lines (its context and '-' lines), in this order:\n"))
	}
	lines, src := m.placeFrom(h, old, pl)
	return replacement{start: pl.start, n: len(old), lines: lines, ends: lineEnds(h, src, ends), tail: tail, hunk: n}, nil, nil
}

// changes reports whether any hunk changes a line (rather than only restating it).
func changes(hunks []Hunk) bool {
	for i := range hunks {
		if hunks[i].OldNoEOL != hunks[i].NewNoEOL || !slicesEqual(hunks[i].oldLines(), hunks[i].newLines()) {
			return true
		}
	}
	return false
}

// lineEnds gives a hunk's new lines their terminators: a context line keeps the file's own; an
// added line takes the file's usual one, unless the hunk says which (Line.CR). src maps each new
// line to the file line it keeps, or -1 for an added line; nil src means all are added.
func lineEnds(h *Hunk, src []int, fileEnds []string) []string {
	explicit := false
	for _, l := range h.Lines {
		explicit = explicit || l.CR
	}
	var added []bool
	for _, l := range h.Lines {
		if l.Kind == '+' {
			added = append(added, l.CR)
		}
	}
	out := make([]string, 0, len(added))
	a := 0
	for i := 0; i < len(src) || src == nil && a < len(added); i++ {
		switch {
		case src != nil && src[i] >= 0:
			out = append(out, fileEnds[src[i]])
		case explicit && added[a]:
			out, a = append(out, "\r\n"), a+1
		case explicit:
			out, a = append(out, "\n"), a+1
		default:
			out, a = append(out, ""), a+1
		}
	}
	return out
}

const appliedAdvice = "The patch may have been applied already; nothing was changed. Re-read the file; if other changes are still needed, send only those."

// insertionPoint returns where a hunk that only adds lines goes: right after its @@ line, at the
// end of the file ("*** End of File", or no @@ line at all, as the apply_patch format defines), or
// at the line a unified diff's header states. The place must be one the patch names, not a guess:
// an @@ line occurring more than once is refused, and so are added lines whose indentation shows
// they belong elsewhere (deeper inside the @@ line's block, or inside a block at the end of the
// file), and a unified diff's insertion without context in the middle of the file, which git
// apply also refuses.
func (m *matcher) insertionPoint(h *Hunk, scopes []scope) (int, *Error) {
	added := addedLines(h)
	w := -1 // the indentation of the first non-blank added line
	for _, l := range added {
		if strings.TrimSpace(l) != "" {
			w = indentWidth(l)
			break
		}
	}
	const placeAdvice = "The hunk only adds lines; give the unchanged lines around the insertion point as context (' ' lines) so its place is certain."
	switch {
	case len(scopes) > 1:
		starts := make([]int, len(scopes))
		for i, sc := range scopes {
			starts[i] = sc.anchor
		}
		return 0, &Error{Kind: ErrAmbiguous, Msg: fmt.Sprintf("the @@ lines occur %d times, at %s, and the hunk only adds lines, so it is not clear where they go", len(scopes), lineRanges(starts, 1)), Detail: placeAdvice}
	case len(scopes) == 1:
		sc := scopes[0]
		for j := sc.anchor + 1; j < sc.end; j++ {
			if strings.TrimSpace(m.lines[j]) == "" {
				continue
			}
			if w >= 0 && indentWidth(m.lines[j]) != w {
				return 0, &Error{Kind: ErrNoMatch, Msg: fmt.Sprintf("the hunk only adds lines, right after its @@ line (line %d), but they are indented unlike the line there, so they belong elsewhere in the block", sc.anchor+1), Detail: placeAdvice}
			}
			break
		}
		return sc.anchor + 1, nil
	case h.AtEOF:
		return len(m.lines), nil
	case h.ranged || h.OldStart > 0: // a unified diff's range, or one on an apply_patch @@ line
		switch {
		case h.OldStart == 0:
			return 0, nil
		case h.OldStart >= len(m.lines):
			return len(m.lines), nil
		}
		return 0, &Error{Kind: ErrNoMatch, Msg: fmt.Sprintf("the hunk only adds lines, after line %d, and has no context lines to check that place by", h.OldStart), Detail: "Make the diff with context lines (git diff -U3), or use the apply_patch format with context lines."}
	}
	for j := len(m.lines) - 1; j >= 0; j-- {
		if strings.TrimSpace(m.lines[j]) == "" {
			continue
		}
		if w > indentWidth(m.lines[j]) {
			return 0, &Error{Kind: ErrNoMatch, Msg: fmt.Sprintf("the hunk only adds lines and has no @@ line, so they would go at the end of the file, but they are indented deeper than its last line (line %d), so they belong inside a block", j+1), Detail: placeAdvice}
		}
		break
	}
	return len(m.lines), nil
}

// alreadyAdded reports whether the lines an add-only hunk adds at pos are already there (just
// after or just before pos).
func (m *matcher) alreadyAdded(added []string, pos int) (int, bool) {
	for _, at := range []int{pos, pos - len(added)} {
		if at >= 0 && m.matchesAt(passTrimRight, added, at) {
			return at, true
		}
	}
	return 0, false
}

// matchesAt reports whether lines occur at line at under pass p.
func (m *matcher) matchesAt(p pass, lines []string, at int) bool {
	if at < 0 || at+len(lines) > len(m.lines) {
		return false
	}
	m.prepare(p)
	for i, l := range lines {
		if m.keys[p][at+i] != lineKey(p, l) {
			return false
		}
	}
	return true
}

// alreadyApplied reports whether a hunk's change is already in the file: its result (context and
// added lines) occurs, in the hunk's scope, either over the place of its old lines (an addition
// with context on one side, applied before: the old lines are still there, followed or preceded
// by the added ones; for a hunk that must end the file, at its end) or, when the old lines are
// not found at all, anywhere the hunk could apply. It returns the result's place.
func (m *matcher) alreadyApplied(h *Hunk, old []string, pl placement, cands []int, cursor int, scopes []scope) (int, int, bool) {
	newSide := h.newLines()
	if slicesEqual(newSide, old) || len(newSide) == 0 || cands != nil {
		return 0, 0, false
	}
	if pl.start < 0 {
		npl, _, _ := m.locate(&Hunk{AtEOF: h.AtEOF}, newSide, cursor, scopes)
		return npl.start, len(newSide), npl.start >= 0
	}
	// The old lines are found only by a forgiving pass, and the hunk's result is there as it
	// is: a change of indentation or punctuation, applied before.
	d := len(newSide) - len(old)
	for p := passExact; p < pl.pass && p <= passTrimRight; p++ {
		for s := pl.start - max(d, 0); s <= pl.start+max(-d, 0); s++ {
			if m.matchesAt(p, newSide, s) {
				return s, len(newSide), true
			}
		}
	}
	// A hunk that must start the file, found further down, while the file starts with its
	// result: a change at the top applied before (the added lines pushed the old ones down).
	if h.atStart && pl.start != 0 && len(newSide) > len(old) && m.matchesAt(pl.pass, newSide, 0) {
		return 0, len(newSide), true
	}
	// The old lines are found. A change applied before can leave them in place only when the
	// hunk has context on one side of its change, or none: then the result covers their place.
	// (With context on both sides, the added lines now separate it, unless they repeat it, and
	// then nothing tells a change made from one still to make.)
	if len(newSide) <= len(old) || contextBothSides(h) {
		return 0, 0, false
	}
	if h.AtEOF && pl.start+len(old) != len(m.lines) {
		s := len(m.lines) - len(newSide)
		return s, len(newSide), s >= 0 && m.matchesAt(pl.pass, newSide, s)
	}
	for s := max(pl.start-(len(newSide)-len(old)), 0); s <= pl.start; s++ {
		if m.matchesAt(pl.pass, newSide, s) {
			return s, len(newSide), true
		}
	}
	return 0, 0, false
}

// contextBothSides reports whether a hunk has context lines both before its first change and
// after its last.
func contextBothSides(h *Hunk) bool {
	n := len(h.Lines)
	return n > 0 && h.Lines[0].Kind == ' ' && h.Lines[n-1].Kind == ' '
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const anchorAdvice = "An @@ line must copy a line of the file (a function or class header, say) exactly; re-read the file and retry."

func addedLines(h *Hunk) []string {
	var out []string
	for _, l := range h.Lines {
		if l.Kind == '+' {
			out = append(out, l.Text)
		}
	}
	return out
}

// trimBlankContext returns h without blank context lines at its start and end.
func trimBlankContext(h *Hunk) (*Hunk, bool) {
	lines := h.Lines
	blank := func(l Line) bool { return l.Kind == ' ' && strings.TrimSpace(l.Text) == "" }
	for len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == len(h.Lines) {
		return nil, false
	}
	c := *h
	c.Lines = lines
	return &c, true
}

const maxQuoted = 30

func capLines(lines []string) []string {
	if len(lines) <= maxQuoted {
		return lines
	}
	out := append([]string{}, lines[:maxQuoted]...)
	return append(out, fmt.Sprintf("... (%d more lines)", len(lines)-maxQuoted))
}

// notFoundDetail quotes the lines a hunk expects and the closest lines in the file.
func notFoundDetail(m *matcher, name string, old []string, heading string) string {
	var b strings.Builder
	b.WriteString(heading)
	quoteLines(&b, "|", capLines(old))
	start, score := m.closest(old)
	if score == 0 {
		b.WriteString("None of these lines occurs in the file, even ignoring whitespace. The file may have changed, or the hunk may belong to another file; re-read it and retry.")
		return b.String()
	}
	end := min(start+len(old), len(m.lines))
	fmt.Fprintf(&b, "The closest lines in %s are %s (%d of %d lines match, ignoring whitespace):\n", name, lineRanges([]int{max(start, 0)}, end-max(start, 0)), score, len(old))
	numberedLines(&b, m.lines, start, min(end, max(start, 0)+maxQuoted))
	b.WriteString("Copy the context lines exactly from the current file (re-read it) and retry.")
	return b.String()
}
