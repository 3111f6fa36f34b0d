package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/tui/keymap"
)

// The ? overlay lists every key and / command in place of the transcript, rendered from the
// keymaps and the command table like /help, and scrolls when it does not fit. ? opens it when
// the input is empty (else ? is typed); esc, ? or q closes it.

// overlay is the shortcuts overlay while it shows.
type overlay struct {
	top int // the first row shown
}

// keysAndCommands lists the / commands, then the keys of every screen and question: what /help
// prints and the ? overlay shows.
func keysAndCommands() string {
	var b strings.Builder
	b.WriteString("Commands (type / at the start of the input; tab completes):\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-22s %s\n", strings.TrimSpace(c.name+" "+c.args), c.help)
	}
	for _, g := range []struct {
		name string
		keys []key.Binding
	}{
		{"Keys of the input and transcript", keymap.TranscriptKeys.All()},
		{"@ file list", keymap.FileKeys.All()},
		{"Review (ctrl+r)", keymap.ReviewKeys.All()},
		{"Commit dialog (c in the review)", keymap.CommitKeys.All()},
		{"Model picker (/model)", keymap.PickerKeys.All()},
		{"Approval questions", keymap.ApprovalKeys.All()},
		{"Shortcuts overlay (?)", keymap.OverlayKeys.All()},
	} {
		b.WriteString("\n" + g.name + ":\n" + keymap.Table(g.keys, "  "))
	}
	return strings.TrimRight(b.String(), "\n")
}

// shortcutLines are the overlay's rows, at most width cells wide.
func shortcutLines(width int) []string {
	lines := strings.Split(keysAndCommands(), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return lines
}

// openOverlay shows the shortcuts.
func (m *Model) openOverlay() { m.overlay = &overlay{} }

// overlayKey handles a key while the overlay shows.
func (m *Model) overlayKey(k tea.KeyPressMsg) tea.Cmd {
	km, h := keymap.OverlayKeys, m.overlayHeight()
	switch {
	case key.Matches(k, km.Close):
		m.overlay = nil
	case key.Matches(k, km.Up):
		m.overlay.scroll(-1, m.width, h)
	case key.Matches(k, km.Down):
		m.overlay.scroll(+1, m.width, h)
	case key.Matches(k, km.PageUp):
		m.overlay.scroll(-(h - 1), m.width, h)
	case key.Matches(k, km.PageDown):
		m.overlay.scroll(h-1, m.width, h)
	}
	return nil
}

// overlayHeight is the rows the overlay has: the screen but the status line.
func (m *Model) overlayHeight() int { return max(m.height-1, 3) }

func (o *overlay) scroll(d, width, height int) {
	n := len(shortcutLines(width))
	o.top = min(max(o.top+d, 0), max(n-(height-1), 0))
}

// view renders the overlay height rows high: a title with the keys, then a page of rows.
func (o *overlay) view(width, height int) string {
	lines := shortcutLines(width)
	rows := height - 1
	end := min(o.top+rows, len(lines))
	km := keymap.OverlayKeys
	keys := keymap.Line([]key.Binding{km.Close, keymap.Short(km.Down, "scroll"), keymap.Short(km.PageDown, "page")})
	title := "Keys and commands · " + keys
	if len(lines) > rows {
		title = fmt.Sprintf("Keys and commands (%d–%d of %d) · %s", o.top+1, end, len(lines), keys)
	}
	out := []string{askStyle.Render(ansi.Truncate(title, width, "…"))}
	out = append(out, lines[o.top:end]...)
	for len(out) < height {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}
