package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// typeRun types text key by key, running what each key starts (the @ list's listing).
func (h *harness) typeRun(text string) {
	h.t.Helper()
	for _, r := range text {
		k := tea.KeyPressMsg{Code: r, Text: string(r)}
		if r == ' ' {
			k = keyPress("space")
		}
		_, cmd := h.m.Update(k)
		h.run(cmd)
	}
}

func TestAtCompletesFilesGitWouldList(t *testing.T) {
	h := newHarness(t, map[string]string{
		"main.go": "package main\n", "cmd/hew/root.go": "package main\n", "cmd/hew/doctor.go": "package main\n",
		".gitignore": "build/\n*.log\n",
	}, "never")
	for name, body := range map[string]string{"notes.md": "n\n", "debug.log": "x\n", "build/out.bin": "x\n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(h.dir, name)), 0o755)
		os.WriteFile(filepath.Join(h.dir, name), []byte(body), 0o644)
	}
	h.typeRun("look at @roo")
	if scr := h.screen(); !strings.Contains(scr, "› cmd/hew/root.go") || !strings.Contains(scr, "1 of 1") {
		t.Fatalf("@roo does not offer cmd/hew/root.go:\n%s", scr)
	}
	h.run(h.key("tab"))
	if v := h.m.input.Value(); v != "look at cmd/hew/root.go " {
		t.Errorf("tab made the input %q", v)
	}

	h.typeRun("and @")
	scr := h.screen()
	for _, want := range []string{"› main.go", "notes.md", ".gitignore"} {
		if !strings.Contains(scr, want) {
			t.Errorf("@ does not list %s:\n%s", want, scr)
		}
	}
	for _, ignored := range []string{"debug.log", "build/out.bin"} {
		if strings.Contains(scr, ignored) {
			t.Errorf("@ lists %s, which git ignores:\n%s", ignored, scr)
		}
	}
	h.run(h.key("down"))
	h.run(h.key("enter")) // inserts; does not send
	if v := h.m.input.Value(); v != "look at cmd/hew/root.go and notes.md " || h.m.busy {
		t.Errorf("enter on the list: input %q, busy %v", v, h.m.busy)
	}

	h.typeRun("@zzz")
	if !strings.Contains(h.screen(), "no file matches @zzz") {
		t.Errorf("no word that nothing matches:\n%s", h.screen())
	}
	h.run(h.key("esc"))
	h.typeRun("q")
	if h.m.files != nil || strings.Contains(h.screen(), "no file matches") {
		t.Errorf("esc did not keep the list closed while the word goes on:\n%s", h.screen())
	}
	h.typeRun(" @mai")
	if !strings.Contains(h.screen(), "› main.go") {
		t.Errorf("a new @ word does not reopen the list:\n%s", h.screen())
	}
}

func TestQuestionMarkShowsEveryKeyAndCommand(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	h.m.SetSize(80, 24)
	scr := h.screen()
	if !strings.Contains(scr, " ? shortcuts · / commands · @ files") {
		t.Errorf("the footer does not point to the shortcuts, commands and files:\n%s", scr)
	}
	h.run(h.key("?"))
	scr = h.screen()
	for _, want := range []string{"Keys and commands (1–", "esc/?/q close", "/model [NAME]", "/help", "ctrl+r"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the overlay lacks %q:\n%s", want, scr)
		}
	}
	lines := strings.Split(scr, "\n")
	if len(lines) != 24 {
		t.Errorf("the overlay screen has %d rows, want 24", len(lines))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("a row is wider than 80: %q", l)
		}
	}
	h.run(h.key("j"))
	if h.m.overlay.top != 1 || strings.Contains(h.screen(), "Commands (type /") {
		t.Errorf("j did not scroll the overlay:\n%s", h.screen())
	}
	for range 20 {
		h.run(h.key("space"))
	}
	if !strings.Contains(h.screen(), "Approval questions") {
		t.Errorf("paging down does not reach the end:\n%s", h.screen())
	}
	h.run(h.key("q"))
	if h.m.overlay != nil || !strings.Contains(h.screen(), "Ask for a change") {
		t.Errorf("q did not close the overlay:\n%s", h.screen())
	}
	// With text in the input, ? is typed.
	h.typeRun("why?")
	if h.m.overlay != nil || h.m.input.Value() != "why?" {
		t.Errorf("? in a message opened the overlay (input %q)", h.m.input.Value())
	}
}

func TestFooterDropsWholeHintsWhenNarrow(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n"}, "never")
	h.m.SetSize(40, 20)
	var footer string
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, "? shortcuts") {
			footer = l
		}
	}
	if strings.TrimRight(footer, " ") != " ? shortcuts · / commands · @ files" {
		t.Errorf("footer at 40 columns: %q", footer)
	}
}

func TestQuestionMarkInTheReview(t *testing.T) {
	h := reviewHarness(t)
	h.run(h.key("?"))
	if h.m.overlay == nil || !strings.Contains(h.screen(), "Review (ctrl+r):") && !strings.Contains(h.screen(), "Keys and commands") {
		t.Fatalf("? in the review:\n%s", h.screen())
	}
	h.run(h.key("esc"))
	if h.m.overlay != nil || h.m.view != viewReview {
		t.Errorf("esc did not return to the review")
	}
	h.run(h.key("f"))
	h.run(h.key("?"))
	if h.m.overlay != nil {
		t.Error("? while typing a note opened the overlay")
	}
}
