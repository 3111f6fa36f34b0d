// Package keymap lists every key the terminal UI handles, as bubbles key bindings with their
// help. The bindings are the one source of the keys: the views match presses against them, and
// /help, the review footer, the prompts' hints and the README's key tables are rendered from
// their help.
package keymap

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// Transcript holds the keys of the transcript and the input below it.
type Transcript struct {
	Send, NewLine, HistoryPrev, HistoryNext, Complete key.Binding
	Commands, Files, Shortcuts                        key.Binding
	Stop, Quit                                        key.Binding
	PageUp, PageDown, LineUp, LineDown                key.Binding
	SelectPrev, SelectNext, Copy, Expand, Review      key.Binding
}

// TranscriptKeys are the transcript's keys.
var TranscriptKeys = Transcript{
	Send:        bind("enter", "send the message, or run the / command", "enter"),
	NewLine:     bind("ctrl+j/alt+enter/shift+enter", "new line", "ctrl+j", "alt+enter", "shift+enter"),
	HistoryPrev: bind("↑", "previous message sent (on the first line)", "up"),
	HistoryNext: bind("↓", "next message sent (on the last line)", "down"),
	Complete:    bind("tab", "complete a / command", "tab"),
	Commands:    bind("/", "start a command (at the start of the input); the matching ones show below it", "/"),
	Files:       bind("@", "complete a file path of the repository (see the @ file keys)", "@"),
	Shortcuts:   bind("?", "show every key and command (when the input is empty; in the review too)", "?"),
	Stop:        bind("esc", "stop the running turn (the partial answer is kept), or unselect the message", "esc"),
	Quit:        bind("ctrl+c", "stop the running turn; twice: quit (the session is saved)", "ctrl+c"),
	PageUp:      bind("pgup", "scroll up a page (the mouse wheel scrolls too)", "pgup"),
	PageDown:    bind("pgdown", "scroll down a page", "pgdown"),
	LineUp:      bind("shift+↑", "scroll up a line", "shift+up"),
	LineDown:    bind("shift+↓", "scroll down a line", "shift+down"),
	SelectPrev:  bind("alt+↑/ctrl+↑", "select the message above", "alt+up", "ctrl+up"),
	SelectNext:  bind("alt+↓/ctrl+↓", "select the message below", "alt+down", "ctrl+down"),
	Copy:        bind("ctrl+y", "copy the selected message, else the last answer (OSC 52, works over SSH)", "ctrl+y"),
	Expand:      bind("ctrl+o", "show or hide the selected tool call's output, else every one's", "ctrl+o"),
	Review:      bind("ctrl+r", "review the proposal", "ctrl+r"),
}

// All lists the bindings in the order help shows them.
func (k Transcript) All() []key.Binding {
	return []key.Binding{k.Send, k.NewLine, k.HistoryPrev, k.HistoryNext, k.Complete, k.Commands, k.Files, k.Shortcuts,
		k.Stop, k.Quit, k.PageUp, k.PageDown, k.LineUp, k.LineDown, k.SelectPrev, k.SelectNext, k.Copy, k.Expand, k.Review}
}

// Footer lists the bindings the line below the input shows while nothing else is there, with
// short descriptions, most useful first: what does not fit the width is left out.
func (k Transcript) Footer(busy bool) []key.Binding {
	if busy {
		return []key.Binding{Short(k.Stop, "stop the turn"), Short(k.Quit, "twice: quit"), Short(k.Shortcuts, "shortcuts")}
	}
	return []key.Binding{Short(k.Shortcuts, "shortcuts"), Short(k.Commands, "commands"), Short(k.Files, "files"),
		Short(k.NewLine, "new line"), Short(k.Review, "review"), Short(k.Quit, "twice: quit")}
}

// Short is b with a shorter description, for a footer; b keeps its keys.
func Short(b key.Binding, desc string) key.Binding {
	h := b.Help().Key
	if i := strings.IndexByte(h, '/'); i > 0 && len(h) > 12 {
		h = h[:i] // "ctrl+j/alt+enter/shift+enter" shows as "ctrl+j"
	}
	b.SetHelp(h, desc)
	return b
}

// FileCompletion holds the keys of the list of files an @ in the input shows.
type FileCompletion struct {
	Insert, Up, Down, Close key.Binding
}

// FileKeys are the keys of the @ file list; other keys edit the input, narrowing the list.
var FileKeys = FileCompletion{
	Insert: bind("tab/enter", "insert the selected path in place of @…", "tab", "enter"),
	Up:     bind("↑", "previous file", "up"),
	Down:   bind("↓", "next file", "down"),
	Close:  bind("esc", "close the list, keeping what was typed", "esc"),
}

// All lists the bindings in the order help shows them.
func (k FileCompletion) All() []key.Binding { return []key.Binding{k.Insert, k.Up, k.Down, k.Close} }

// Overlay holds the keys of the ? shortcuts overlay.
type Overlay struct {
	Up, Down, PageUp, PageDown, Close key.Binding
}

// OverlayKeys are the keys of the ? shortcuts overlay.
var OverlayKeys = Overlay{
	Up:       bind("↑/k", "scroll up", "up", "k"),
	Down:     bind("↓/j", "scroll down", "down", "j"),
	PageUp:   bind("pgup", "scroll up a page", "pgup"),
	PageDown: bind("pgdown/space", "scroll down a page", "pgdown", "space"),
	Close:    bind("esc/?/q", "close", "esc", "?", "q"),
}

// All lists the bindings in the order help shows them.
func (k Overlay) All() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Close}
}

// Review holds the keys of the proposal review.
type Review struct {
	Accept, Reject, AcceptFile, RejectFile, Note, SendNote, Edit, Commit key.Binding
	NextHunk, PrevHunk, NextFile, PrevFile, PageDown, PageUp             key.Binding
	Split, Close                                                         key.Binding
}

// ReviewKeys are the review's keys.
var ReviewKeys = Review{
	Accept:     bind("y", "accept the hunk (it is written into your tree)", "y"),
	Reject:     bind("n", "reject the hunk", "n"),
	AcceptFile: bind("Y", "accept the rest of the file", "Y", "shift+y"),
	RejectFile: bind("N", "reject the rest of the file", "N", "shift+n"),
	Note:       bind("f", "reject the hunk with a note for the model (one note for all the hunks rejected before it is sent)", "f"),
	SendNote:   bind("F", "send the rejections and the note to the model now (otherwise they go with your next message)", "F", "shift+f"),
	Edit:       bind("e", "edit the file in $EDITOR at the hunk", "e"),
	Commit:     bind("c", "commit what was accepted: the tests run on it first, then you edit the message", "c"),
	NextHunk:   bind("↓/j", "next hunk", "down", "j"),
	PrevHunk:   bind("↑/k", "previous hunk", "up", "k"),
	NextFile:   bind("tab", "next file", "tab"),
	PrevFile:   bind("shift+tab", "previous file", "shift+tab"),
	PageDown:   bind("pgdown/space/ctrl+d", "scroll the hunks down", "pgdown", "space", "ctrl+d"),
	PageUp:     bind("pgup/ctrl+u", "scroll the hunks up", "pgup", "ctrl+u"),
	Split:      bind("s", "toggle unified / side by side", "s"),
	Close:      bind("esc", "back to the transcript", "esc"),
}

// All lists the bindings in the order help shows them.
func (k Review) All() []key.Binding {
	return []key.Binding{k.Accept, k.Reject, k.AcceptFile, k.RejectFile, k.Note, k.SendNote, k.Edit, k.Commit,
		k.NextHunk, k.PrevHunk, k.NextFile, k.PrevFile, k.PageDown, k.PageUp, k.Split, k.Close}
}

// Footer lists the bindings the review's footer shows, with short descriptions, most needed
// first: deciding (y, n, f), committing (c) and leaving (esc) come before moving about, and
// what does not fit the width is left out, so that at 80 columns those keys stay.
func (k Review) Footer() []key.Binding {
	file := key.NewBinding(key.WithKeys(append(k.AcceptFile.Keys(), k.RejectFile.Keys()...)...), key.WithHelp("Y/N", "file"))
	return []key.Binding{short(k.Accept, "y", "accept"), short(k.Reject, "n", "reject"), short(k.Note, "f", "reject+note"),
		short(k.Commit, "c", "commit"), short(k.Close, "esc", "back"), file, short(k.SendNote, "F", "send notes"),
		short(k.Edit, "e", "edit"), short(k.NextHunk, "j/k", "hunk"), short(k.NextFile, "tab", "file"), short(k.Split, "s", "split")}
}

// DoneFooter is the footer of a review with nothing left to decide: what can still be done —
// commit (when something is accepted), send the notes, go back.
func (k Review) DoneFooter(accepted bool) []key.Binding {
	keys := []key.Binding{short(k.SendNote, "F", "send notes"), short(k.Close, "esc", "back")}
	if accepted {
		keys = append([]key.Binding{short(k.Commit, "c", "commit")}, keys...)
	}
	return keys
}

// short is b with a shorter help, for a footer.
func short(b key.Binding, help, desc string) key.Binding {
	b.SetHelp(help, desc)
	return b
}

// Commit holds the keys of the commit dialog (c in the review): the test result on what will
// be committed and the message to edit.
type Commit struct {
	Commit, Anyway, Cancel key.Binding
}

// CommitKeys are the commit dialog's keys; other keys edit the message.
var CommitKeys = Commit{
	Commit: bind("enter", "commit with the message", "enter"),
	Anyway: bind("y", "commit although the tests fail or did not run (then edit the message)", "y"),
	Cancel: bind("esc", "back to the review, committing nothing (while the tests run: skip them)", "esc"),
}

// All lists the bindings in the order help shows them.
func (k Commit) All() []key.Binding { return []key.Binding{k.Commit, k.Anyway, k.Cancel} }

// Picker holds the keys of the model picker (/model or /models).
type Picker struct {
	Up, Down, PageUp, PageDown, Choose, Close, Delete key.Binding
}

// PickerKeys are the model picker's keys; other keys type a filter: the list narrows to the
// models whose id holds it.
var PickerKeys = Picker{
	Up:       bind("↑", "previous model", "up"),
	Down:     bind("↓", "next model", "down"),
	PageUp:   bind("pgup", "up a page of models", "pgup"),
	PageDown: bind("pgdown", "down a page of models", "pgdown"),
	Choose:   bind("enter", "switch to the model for the next turn", "enter"),
	Close:    bind("esc", "close the picker, keeping the model", "esc"),
	Delete:   bind("backspace", "delete the last character of the filter (typing narrows the list to the ids holding it)", "backspace"),
}

// All lists the bindings in the order help shows them.
func (k Picker) All() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Choose, k.Close, k.Delete}
}

// Note holds the keys of a note being typed: for the model with f in the review, or with a
// denied command.
type Note struct {
	Send, Cancel, Delete key.Binding
}

// NoteKeys are the keys of a note being typed; other keys type text.
var NoteKeys = Note{
	Send:   bind("enter", "send the note", "enter"),
	Cancel: bind("esc", "cancel the note", "esc"),
	Delete: bind("backspace", "delete the last character", "backspace"),
}

// All lists the bindings in the order help shows them.
func (k Note) All() []key.Binding { return []key.Binding{k.Send, k.Cancel, k.Delete} }

// Approval holds the answers to a question about running a command.
type Approval struct {
	AllowOnce, AllowSession, Deny, DenyNote key.Binding
	// AllowAlways answers questions about MCP tools only.
	AllowAlways key.Binding
}

// ApprovalKeys are the answers to an approval question.
var ApprovalKeys = Approval{
	AllowOnce:    bind("a/y", "allow once", "a", "y"),
	AllowSession: bind("s", "allow for this session", "s"),
	AllowAlways:  bind("t", "always allow this tool", "t"),
	Deny:         bind("d/esc", "deny", "d", "esc"),
	DenyNote:     bind("n", "deny with a note", "n"),
}

// All lists the bindings in the order help shows them.
func (k Approval) All() []key.Binding {
	return []key.Binding{k.AllowOnce, k.AllowSession, k.AllowAlways, k.Deny, k.DenyNote}
}

// For lists the bindings that answer a question about a command (tool false) or an MCP tool.
func (k Approval) For(tool bool) []key.Binding {
	if tool {
		return k.All()
	}
	return []key.Binding{k.AllowOnce, k.AllowSession, k.Deny, k.DenyNote}
}

// Confirm holds the answer yes to a confirmation; any other key answers no.
type Confirm struct {
	Yes key.Binding
}

// ConfirmKeys answer a confirmation.
var ConfirmKeys = Confirm{Yes: bind("y or enter", "yes", "y", "Y", "enter")}

// TrustKey is yes to trusting a repository's configuration: y only, so that a reflexive enter
// does not trust it.
var TrustKey = bind("y", "trust it", "y")

// All lists the bindings in the order help shows them.
func (k Confirm) All() []key.Binding { return []key.Binding{k.Yes} }

// Line renders bindings on one line as "key desc · key desc".
func Line(bs []key.Binding) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(parts, " · ")
}

// Table renders bindings as an aligned two-column list, each row indented by indent.
func Table(bs []key.Binding, indent string) string {
	w := 0
	for _, b := range bs {
		w = max(w, len([]rune(b.Help().Key)))
	}
	var s strings.Builder
	for _, b := range bs {
		k := b.Help().Key
		fmt.Fprintf(&s, "%s%s%s  %s\n", indent, k, strings.Repeat(" ", w-len([]rune(k))), b.Help().Desc)
	}
	return s.String()
}

// Markdown renders bindings as a Markdown table headed "key (what) | does".
func Markdown(what string, bs []key.Binding) string {
	var s strings.Builder
	fmt.Fprintf(&s, "| key (%s) | does |\n|---|---|\n", what)
	for _, b := range bs {
		var keys []string
		names := strings.Split(b.Help().Key, "/")
		if b.Help().Key == "/" {
			names = []string{"/"}
		}
		for _, k := range names {
			keys = append(keys, "`"+k+"`")
		}
		fmt.Fprintf(&s, "| %s | %s |\n", strings.Join(keys, " / "), b.Help().Desc)
	}
	return s.String()
}

// TypeNote applies k to a note being typed: NoteKeys.Delete deletes the last character, other
// keys but NoteKeys.Send and Cancel type their text. It returns the note and whether k ended it.
func TypeNote(k tea.KeyPressMsg, note string) (string, bool) {
	switch {
	case key.Matches(k, NoteKeys.Send, NoteKeys.Cancel):
		return note, true
	case key.Matches(k, NoteKeys.Delete):
		if r := []rune(note); len(r) > 0 {
			note = string(r[:len(r)-1])
		}
	case k.Code == tea.KeySpace:
		note += " "
	default:
		note += k.Text
	}
	return note, false
}

// FirstRun holds the keys of the first-run screen, which sets up a model provider; other keys
// type into the field that has the cursor.
type FirstRun struct {
	Up, Down, NextField, PrevField, Next, SaveAnyway, Back, Quit key.Binding
}

// FirstRunKeys are the first-run screen's keys.
var FirstRunKeys = FirstRun{
	Up:         bind("↑", "previous provider or model", "up"),
	Down:       bind("↓", "next provider or model", "down"),
	NextField:  bind("tab", "next field", "tab"),
	PrevField:  bind("shift+tab", "previous field", "shift+tab"),
	Next:       bind("enter", "go on: choose, check, save", "enter"),
	SaveAnyway: bind("ctrl+s", "save although the check failed (a server not running yet, say)", "ctrl+s"),
	Back:       bind("esc", "back a step", "esc"),
	Quit:       bind("ctrl+c", "leave without saving", "ctrl+c"),
}

// All lists the bindings in the order help shows them.
func (k FirstRun) All() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.NextField, k.PrevField, k.Next, k.SaveAnyway, k.Back, k.Quit}
}
