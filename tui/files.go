package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/tui/filelist"
	"hew/tui/keymap"
)

// @ completion: typing @ at the end of the input lists the repository's files below it (what
// `git ls-files -co --exclude-standard` lists, found off Update by package filelist), narrowed
// by what follows the @; tab or enter puts the selected path in place of the @ word.

// fileRows is how many matching files the list shows.
const fileRows = 5

// fileList is the @ file list while it shows.
type fileList struct {
	seq     int    // the listing asked for
	token   string // the @ word being completed, "@" included
	all     []string
	listed  bool // all holds the repository's files
	more    bool // the repository has more files than were listed
	err     error
	matches []string
	cur     int
}

// filesListed is the repository's file list, found off Update.
type filesListed struct {
	seq   int
	files []string
	more  bool
	err   error
}

// atToken returns the @ word the cursor ends, or "" when the cursor is not at the end of the
// input or the last word does not start with @.
func (m *Model) atToken() string {
	v := m.input.Value()
	lines := strings.Split(v, "\n")
	last := lines[len(lines)-1]
	if m.input.Line() != len(lines)-1 || m.input.Column() != len([]rune(last)) {
		return ""
	}
	word := last[strings.LastIndexAny(last, " \t")+1:]
	if !strings.HasPrefix(word, "@") {
		return ""
	}
	return word
}

// completeFiles opens, narrows or closes the @ list after the input changed; opening it
// lists the repository's files, off Update.
func (m *Model) completeFiles() tea.Cmd {
	tok := m.atToken()
	switch {
	case tok == "":
		m.files, m.filesClosed = nil, false
		return nil
	case m.filesClosed:
		return nil
	case m.files != nil:
		m.files.token = tok
		m.files.match()
		return nil
	}
	m.fileSeq++
	m.files = &fileList{seq: m.fileSeq, token: tok}
	root, getenv, ctx, seq := m.eng.Root(), m.opts.Getenv, m.ctx, m.fileSeq
	return func() tea.Msg {
		files, more, err := filelist.List(ctx, root, getenv)
		return filesListed{seq: seq, files: files, more: more, err: err}
	}
}

func (msg filesListed) apply(m *Model) tea.Cmd {
	if f := m.files; f != nil && f.seq == msg.seq {
		f.all, f.more, f.err, f.listed = msg.files, msg.more, msg.err, true
		f.match()
	}
	return nil
}

// match narrows the list to the files matching the word, keeping the selection in range.
func (f *fileList) match() {
	f.matches = filelist.Match(f.all, strings.TrimPrefix(f.token, "@"), 200)
	f.cur = min(f.cur, max(len(f.matches)-1, 0))
}

// fileKey handles a key while the @ list shows; done is false when the key is the input's.
func (m *Model) fileKey(k tea.KeyPressMsg) (cmd tea.Cmd, done bool) {
	f, km := m.files, keymap.FileKeys
	switch {
	case key.Matches(k, km.Insert):
		if len(f.matches) == 0 {
			return nil, key.Matches(k, keymap.TranscriptKeys.Complete)
		}
		v := m.input.Value()
		m.input.SetValue(v[:len(v)-len(f.token)] + quotePath(f.matches[f.cur]) + " ")
		m.files = nil
		return nil, true
	case key.Matches(k, km.Up):
		f.cur = max(f.cur-1, 0)
		return nil, true
	case key.Matches(k, km.Down):
		f.cur = min(f.cur+1, max(len(f.matches)-1, 0))
		return nil, true
	case key.Matches(k, km.Close):
		m.files, m.filesClosed = nil, true
		return nil, true
	}
	return nil, false
}

// quotePath quotes a path holding spaces, so that it stays one word.
func quotePath(p string) string {
	if strings.ContainsAny(p, " \t") {
		return `"` + p + `"`
	}
	return p
}

// view renders the list: a page of matches around the selection, then the keys.
func (f *fileList) view(width int) []string {
	var lines []string
	switch {
	case f.err != nil:
		lines = append(lines, "  cannot list the files: "+f.err.Error())
	case !f.listed:
		lines = append(lines, "  listing the repository's files…")
	case len(f.matches) == 0:
		lines = append(lines, "  no file matches "+f.token)
	default:
		top := min(max(f.cur-fileRows/2, 0), max(len(f.matches)-fileRows, 0))
		for i := top; i < min(top+fileRows, len(f.matches)); i++ {
			if i == f.cur {
				lines = append(lines, askStyle.Render(ansi.Truncate("› "+f.matches[i], width, "…")))
			} else {
				lines = append(lines, ansi.Truncate("  "+f.matches[i], width, "…"))
			}
		}
	}
	for i, l := range lines {
		if i > 0 || len(f.matches) > 0 {
			continue
		}
		lines[i] = hintStyle.Render(ansi.Truncate(l, width, "…"))
	}
	n := fmt.Sprintf("%d of %d", min(f.cur+1, len(f.matches)), len(f.matches))
	if len(f.matches) == 200 || f.more {
		n = fmt.Sprintf("%d of many", f.cur+1)
	}
	km := keymap.FileKeys
	hint := n + " · " + keymap.Line([]key.Binding{keymap.Short(km.Insert, "insert"), keymap.Short(km.Up, "up"),
		keymap.Short(km.Down, "down"), keymap.Short(km.Close, "close")})
	return append(lines, hintStyle.Render(ansi.Truncate("  "+hint, width, "…")))
}
