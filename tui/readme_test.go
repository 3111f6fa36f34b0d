package tui

import (
	"os"
	"strings"
	"testing"

	"hew/tui/keymap"
)

// readmeKeyTables are the key tables of the README's section on the interactive UI, rendered
// from the keymaps.
func readmeKeyTables() []string {
	return []string{
		keymap.Markdown("review", keymap.ReviewKeys.All()),
		keymap.Markdown("note", keymap.NoteKeys.All()),
		keymap.Markdown("commit", keymap.CommitKeys.All()),
		keymap.Markdown("transcript", keymap.TranscriptKeys.All()),
		keymap.Markdown("approval", keymap.ApprovalKeys.All()),
		keymap.Markdown("model picker", keymap.PickerKeys.All()),
		keymap.Markdown("@ file list", keymap.FileKeys.All()),
		keymap.Markdown("? shortcuts", keymap.OverlayKeys.All()),
	}
}

// TestREADMEListsEveryKey checks that the README's section "The interactive UI" holds the key
// tables exactly as the keymaps render them, so every binding is documented with its help.
func TestREADMEListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "### The interactive UI\n")
	if !ok {
		t.Fatal("the README has no section \"The interactive UI\"")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	for _, table := range readmeKeyTables() {
		if !strings.Contains(section, table) {
			t.Errorf("the README's section \"The interactive UI\" lacks this table (rendered from the keymaps; paste it in):\n%s", table)
		}
	}
}
