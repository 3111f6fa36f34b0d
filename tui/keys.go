package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hew/tui/keymap"
	"hew/tui/transcript"
)

// key handles a key press.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	km := keymap.TranscriptKeys
	if key.Matches(k, km.Quit) {
		if m.quitArmed {
			return m.quit()
		}
		m.quitArmed = true
		m.interrupt()
		m.notice("press ctrl+c again to quit (the session is saved; hew resume --last brings it back)")
		return nil
	}
	m.quitArmed = false
	if m.approval != nil {
		return m.approvalKey(k)
	}
	if m.asking != nil {
		return m.confirmKey(k)
	}
	if m.overlay != nil {
		return m.overlayKey(k)
	}
	if m.picker != nil && m.view == viewTranscript {
		return m.pickerKey(k)
	}
	if m.view == viewReview && m.opCancel != nil && key.Matches(k, keymap.CommitKeys.Cancel) {
		m.opCancel() // skip the tests before a commit
		m.opCancel = nil
		return nil
	}
	if m.view == viewReview && m.commitDlg != nil && m.op == "" {
		return m.commitDialogKey(k)
	}
	if m.view == viewReview {
		if key.Matches(k, km.Shortcuts) && !m.rv.Noting() {
			m.openOverlay() // the review has no ? of its own
			return nil
		}
		return m.reviewKey(k)
	}
	if m.files != nil {
		if cmd, done := m.fileKey(k); done {
			return cmd
		}
	}
	h := m.transcriptHeight()
	switch {
	case key.Matches(k, km.Shortcuts) && m.input.Value() == "":
		m.openOverlay()
		return nil
	case key.Matches(k, km.Stop):
		if m.tr.Selected() != nil && !m.busy {
			m.tr.Unselect()
			return nil
		}
		m.interrupt()
		return nil
	case key.Matches(k, km.SelectPrev):
		m.tr.Select(-1, h)
		return nil
	case key.Matches(k, km.SelectNext):
		m.tr.Select(+1, h)
		return nil
	case key.Matches(k, km.Send):
		text := strings.TrimSpace(m.input.Value())
		if text == "" || !strings.HasPrefix(text, "/") && m.opRunning() {
			return nil // a prompt waits in the input for the operation to end
		}
		m.input.Reset()
		text = strings.TrimRight(m.expandPastes(text), " \t\r\n") // a paste's own indentation stays
		m.remember(text)
		if strings.HasPrefix(text, "/") {
			return m.command(text)
		}
		return m.submit(text)
	case key.Matches(k, km.Complete):
		m.complete()
		return nil
	case key.Matches(k, km.PageUp):
		m.tr.ScrollUp(max(h-2, 1), h)
		return nil
	case key.Matches(k, km.PageDown):
		m.tr.ScrollDown(max(h-2, 1), h)
		return nil
	case key.Matches(k, km.LineUp):
		m.tr.ScrollUp(1, h)
		return nil
	case key.Matches(k, km.LineDown):
		m.tr.ScrollDown(1, h)
		return nil
	case key.Matches(k, km.Expand):
		if e := m.tr.Selected(); e != nil && e.Kind == transcript.Tool {
			m.tr.ToggleEntry(e)
		} else {
			m.tr.ToggleExpanded()
		}
		return nil
	case key.Matches(k, km.Copy):
		if e := m.tr.Selected(); e != nil {
			return m.copyText(e.Plain(), "the selected message")
		}
		return m.copyText(m.lastFinal, "the last answer")
	case key.Matches(k, km.Review):
		return m.openReview()
	case key.Matches(k, km.HistoryPrev):
		if m.input.Line() == 0 && m.browse(-1) {
			return nil
		}
	case key.Matches(k, km.HistoryNext):
		if m.input.Line() == m.input.LineCount()-1 && m.browse(+1) {
			return nil
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return tea.Batch(cmd, m.completeFiles())
}

// copyText copies text, which is what, to the clipboard with OSC 52, which works over SSH.
func (m *Model) copyText(text, what string) tea.Cmd {
	if strings.TrimSpace(text) == "" {
		m.notice("nothing to copy yet: alt+↑ selects a message")
		return nil
	}
	m.notice(fmt.Sprintf("copied %s to the clipboard (%s)", what, plural(len(text), "byte")))
	return tea.SetClipboard(text)
}

// remember adds text to the input history.
func (m *Model) remember(text string) {
	if n := len(m.history); n == 0 || m.history[n-1] != text {
		m.history = append(m.history, text)
	}
	m.histPos = len(m.history)
}

// browse moves through the input history; it reports whether it did.
func (m *Model) browse(d int) bool {
	p := m.histPos + d
	if p < 0 || p > len(m.history) || len(m.history) == 0 {
		return false
	}
	m.histPos = p
	if p == len(m.history) {
		m.input.SetValue("")
	} else {
		m.input.SetValue(m.history[p])
	}
	return true
}
