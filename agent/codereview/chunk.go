package codereview

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"hew/gitops/diff"
)

// Why a changed file was not reviewed (Skipped.Reason).
const (
	// SkipBinary is a binary file: there is no text to show the model.
	SkipBinary = "binary"
	// SkipTooLarge is a file whose change does not fit the model's context window even split
	// into MaxFileParts requests (or has a single line too long for one request).
	SkipTooLarge = "too_large"
	// SkipExcluded is a file an exclusion pattern matches (--exclude, or DefaultExcludes).
	SkipExcluded = "excluded"
	// SkipGenerated is a file marked as generated ("Code generated ... DO NOT EDIT.").
	SkipGenerated = "generated"
	// SkipFailed is a file whose request failed: a model error, or an answer that was not
	// usable twice. The review as a whole then fails (exit 1) after reporting what it found.
	SkipFailed = "failed"
)

// Skipped is a changed file the review did not cover, and why.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"` // one of the Skip constants
	Detail string `json:"detail"` // the reason for people
}

// MaxFileParts is the most requests one file's change is split into; a larger change is
// skipped as too large.
const MaxFileParts = 12

// DefaultExcludes are the patterns a review leaves out unless the file is named otherwise:
// lock files and minified assets, which are machine-written and which a model cannot judge.
func DefaultExcludes() []string {
	return []string{"go.sum", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
		"bun.lockb", "Cargo.lock", "poetry.lock", "uv.lock", "Pipfile.lock", "Gemfile.lock", "composer.lock",
		"*.min.js", "*.min.css", "*.map"}
}

// excluded returns the first pattern that matches p, or "". A pattern without a slash matches
// the file's name in any directory; one with a slash matches the whole path (** crosses
// directories), as in .gitignore.
func excluded(p string, patterns []string) string {
	for _, pat := range patterns {
		pat = strings.TrimPrefix(pat, "/")
		name := p
		if !strings.Contains(pat, "/") {
			name = path.Base(p)
		}
		if ok, _ := doublestar.Match(pat, name); ok {
			return pat
		}
		if ok, _ := doublestar.Match(strings.TrimSuffix(pat, "/")+"/**", p); ok && strings.Contains(pat, "/") {
			return pat // a directory pattern such as vendor/ or gen/api
		}
	}
	return ""
}

// generatedMarker is the line Go (and many other generators) put near the top of a generated
// file: https://go.dev/s/generatedcode.
var generatedMarker = regexp.MustCompile(`(?m)^(//|#|--|/\*|\s*\*) ?Code generated .* DO NOT EDIT\.`)

// isGenerated reports whether the first lines of b carry the generated-code marker.
func isGenerated(b []byte) bool {
	head := b[:min(len(b), 2048)]
	return generatedMarker.Match(head)
}

// ValidateExcludes reports a pattern that is not a valid glob.
func ValidateExcludes(patterns []string) error {
	for _, p := range patterns {
		if !doublestar.ValidatePattern(strings.TrimPrefix(p, "/")) {
			return fmt.Errorf("exclude pattern %q is not a valid glob", p)
		}
	}
	return nil
}

// chunk is what one review request shows: whole files, or parts of a large one.
type chunk struct {
	parts []part
	size  int
}

// paths returns the distinct files of c in order.
func (c chunk) paths() []string {
	var out []string
	for _, p := range c.parts {
		if len(out) == 0 || out[len(out)-1] != p.path {
			out = append(out, p.path)
		}
	}
	return out
}

// plan splits files into chunks of at most budget bytes of prompt each (the header aside),
// keeping the files of one directory together where they fit, and says which files it left
// out and why. ctx is how many lines around a change are shown; a file too large with it is
// shown with less context, then split by hunks.
func plan(files []File, budget, ctx int, exclude []string) ([]chunk, []Skipped) {
	var skipped []Skipped
	type dir struct {
		name  string
		parts []part
		size  int
	}
	var dirs []*dir
	byName := map[string]*dir{}
	for _, f := range files {
		if pat := excluded(f.Path, exclude); pat != "" {
			skipped = append(skipped, Skipped{f.Path, SkipExcluded, fmt.Sprintf("matches the exclude pattern %q", pat)})
			continue
		}
		if diff.IsBinary(f.Old) || diff.IsBinary(f.New) {
			skipped = append(skipped, Skipped{f.Path, SkipBinary, "a binary file"})
			continue
		}
		if !f.Deleted && isGenerated(f.New) {
			skipped = append(skipped, Skipped{f.Path, SkipGenerated, `marked "Code generated ... DO NOT EDIT."`})
			continue
		}
		parts, why := fileParts(f, ctx, budget)
		if why != "" {
			skipped = append(skipped, Skipped{f.Path, SkipTooLarge, why})
			continue
		}
		name := path.Dir(f.Path)
		d := byName[name]
		if d == nil {
			d = &dir{name: name}
			byName[name] = d
			dirs = append(dirs, d)
		}
		for _, p := range parts {
			d.parts = append(d.parts, p)
			d.size += len(p.text)
		}
	}
	sort.SliceStable(dirs, func(i, j int) bool { return dirs[i].name < dirs[j].name })

	var chunks []chunk
	add := func(p part, fresh bool) {
		if fresh || len(chunks) == 0 || chunks[len(chunks)-1].size+len(p.text) > budget {
			chunks = append(chunks, chunk{})
		}
		c := &chunks[len(chunks)-1]
		c.parts = append(c.parts, p)
		c.size += len(p.text)
	}
	for _, d := range dirs {
		// A directory that fits whole goes into one request: with the current one when there is
		// room, else a new one. A larger directory fills requests file by file, in path order.
		fits := d.size <= budget
		fresh := fits && len(chunks) > 0 && chunks[len(chunks)-1].size+d.size > budget
		for i, p := range d.parts {
			add(p, fresh && i == 0)
		}
	}
	return chunks, skipped
}

// fileParts renders f to fit budget: whole with ctx lines of context, or with 5, or none;
// failing that, its hunks split across parts (a hunk too large for one is cut by lines). It
// returns why f cannot be reviewed instead when a single line is too large or more than
// MaxFileParts parts are needed.
func fileParts(f File, ctx, budget int) ([]part, string) {
	hunks := diff.Hunks(f.Old, f.New, diff.DefaultContext)
	var last string
	for _, c := range []int{ctx, min(ctx, 5), 0} {
		last = render(f, hunks, c, "")
		if len(last) <= budget {
			return []part{{f.Path, last}}, ""
		}
	}
	const label = "part 99 of 99" // as long as any label a part gets
	var pieces []diff.Hunk
	for _, h := range hunks {
		cut, ok := cutHunk(f, h, budget, label)
		if !ok {
			return nil, fmt.Sprintf("a line of its change is too long for one request of the model's context window (%d bytes of change)", len(last))
		}
		pieces = append(pieces, cut...)
	}
	var groups [][]diff.Hunk
	for _, h := range pieces {
		if n := len(groups); n > 0 && len(render(f, append(groups[n-1][:len(groups[n-1]):len(groups[n-1])], h), 0, label)) <= budget {
			groups[n-1] = append(groups[n-1], h)
			continue
		}
		groups = append(groups, []diff.Hunk{h})
	}
	if len(groups) > MaxFileParts {
		return nil, fmt.Sprintf("its change (%d bytes) would need %d requests of the model's context window; at most %d are sent for one file", len(last), len(groups), MaxFileParts)
	}
	out := make([]part, len(groups))
	for i, g := range groups {
		out[i] = part{f.Path, render(f, g, 0, fmt.Sprintf("part %d of %d", i+1, len(groups)))}
	}
	return out, ""
}

// cutHunk splits h into consecutive hunks each of which renders within budget, each as
// large as fits, or reports that even one line does not fit.
func cutHunk(f File, h diff.Hunk, budget int, label string) ([]diff.Hunk, bool) {
	overhead := len(render(f, nil, 0, label)) + 200 // the headings and fences of the numbered lines
	var out []diff.Hunk
	rest := h
	for len(render(f, []diff.Hunk{rest}, 0, label)) > budget {
		// Take as many lines as the estimate of their rendered size allows, fewer if the
		// estimate was short.
		n, size := 0, overhead
		for n < len(rest.Lines) && size+lineCost(rest.Lines[n], f.Created) <= budget {
			size += lineCost(rest.Lines[n], f.Created)
			n++
		}
		for ; n > 0; n = n * 9 / 10 {
			if first, second := splitHunk(rest, n); len(render(f, []diff.Hunk{first}, 0, label)) <= budget {
				out, rest = append(out, first), second
				break
			}
		}
		if n == 0 {
			return nil, false
		}
	}
	return append(out, rest), true
}

// lineCost is what a line of a hunk adds to a rendered part at most: its diff line and its
// numbered line.
// A created file is shown numbered only.
func lineCost(l diff.Line, created bool) int {
	c := len(l.Text) + 2
	if created {
		c = 0
	}
	if l.Kind != '-' {
		c += len(l.Text) + 12
	}
	return c
}

// splitHunk cuts h before its line at, numbering both halves as a unified diff would.
func splitHunk(h diff.Hunk, at int) (diff.Hunk, diff.Hunk) {
	oldIn, newIn := 0, 0
	for _, l := range h.Lines[:at] {
		if l.Kind != '+' {
			oldIn++
		}
		if l.Kind != '-' {
			newIn++
		}
	}
	first := diff.Hunk{Lines: h.Lines[:at], OldLines: oldIn, NewLines: newIn}
	second := diff.Hunk{Lines: h.Lines[at:], OldLines: h.OldLines - oldIn, NewLines: h.NewLines - newIn,
		OldNoNewline: h.OldNoNewline, NewNoNewline: h.NewNoNewline}
	// A side's start is its first line, or the line before it when the side is empty.
	first.OldStart, first.NewStart = start(h.OldStart, h.OldLines, 0, oldIn), start(h.NewStart, h.NewLines, 0, newIn)
	second.OldStart = start(h.OldStart, h.OldLines, oldIn, second.OldLines)
	second.NewStart = start(h.NewStart, h.NewLines, newIn, second.NewLines)
	return first, second
}

// start numbers a piece of one side of a hunk that begins after skip of its lines and holds n.
func start(hunkStart, hunkLines, skip, n int) int {
	first := hunkStart + skip
	if hunkLines == 0 {
		first = hunkStart + 1 // the hunk's side is empty: hunkStart is the line before
	}
	if n == 0 {
		return first - 1
	}
	return first
}
