package tui

import (
	"fmt"
	"strings"
)

// A paste that the input box cannot show whole — more lines than it has, or tabs, which the
// input turns into spaces — goes in as a placeholder such as "[pasted 42 lines #1]", and the
// paste itself, exactly as it was, takes the placeholder's place when the message is sent.
// Deleting the placeholder drops the paste.

// inputLines is the height of the input box.
const inputLines = 3

// pasted is one paste waiting in the input as its placeholder.
type pasted struct {
	label, text string
}

// pasteIntoInput puts content into the input: as it is when the input shows it whole, else as a
// placeholder. It reports whether it took the paste.
func (m *Model) pasteIntoInput(content string) bool {
	content = strings.ReplaceAll(content, "\r\n", "\n")
	content = strings.ReplaceAll(content, "\r", "\n")
	lines := strings.Count(strings.TrimRight(content, "\n"), "\n") + 1
	if lines <= inputLines && !strings.Contains(content, "\t") {
		return false
	}
	m.pasteSeq++
	p := pasted{label: fmt.Sprintf("[pasted %s #%d]", plural(lines, "line"), m.pasteSeq), text: content}
	m.pastes = append(m.pastes, p)
	m.input.InsertString(p.label)
	return true
}

// expandPastes returns text with each paste's placeholder replaced by the paste, and forgets
// the pastes.
func (m *Model) expandPastes(text string) string {
	for _, p := range m.pastes {
		text = strings.Replace(text, p.label, p.text, 1)
	}
	m.pastes = nil
	return text
}
