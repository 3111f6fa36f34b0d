package firstrun

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// screen is a first-run screen driven key by key, with its commands run synchronously.
type screen struct {
	t       *testing.T
	m       *Model
	checked []Choice
	saved   []Choice
	quit    bool
}

func newScreen(t *testing.T, report Report, saveErr error) *screen {
	s := &screen{t: t}
	s.m = New(context.Background(), Options{
		Reason: "no API key for https://api.openai.com/v1", ConfigPath: "/home/u/.config/hew/config.toml",
		Prefill:      Choice{Kind: OpenAI, Region: "eu-west-1"},
		DefaultModel: func(string) string { return "gpt-5.1-codex" },
		Check: func(_ context.Context, c Choice) Report {
			s.checked = append(s.checked, c)
			return report
		},
		Save: func(c Choice) (string, error) {
			s.saved = append(s.saved, c)
			return "/home/u/.config/hew/config.toml", saveErr
		},
	})
	s.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return s
}

func (s *screen) press(keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "ctrl+c", "ctrl+s":
			msg = tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
		default:
			for _, r := range k {
				s.run(s.m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
			}
			continue
		}
		s.run(s.m.Update(msg))
	}
}

func (s *screen) run(_ tea.Model, cmd tea.Cmd) {
	for cmd != nil {
		msg := cmd()
		if _, ok := msg.(tea.QuitMsg); ok {
			s.quit = true
			return
		}
		_, cmd = s.m.Update(msg)
	}
}

func (s *screen) text() string { return ansi.Strip(s.m.Render()) }

func (s *screen) shows(want ...string) {
	s.t.Helper()
	txt := s.text()
	for _, w := range want {
		if !strings.Contains(txt, w) {
			s.t.Errorf("the screen lacks %q:\n%s", w, txt)
		}
	}
}

func TestOpenAIKeyIsCheckedThenSavedAndNeverShown(t *testing.T) {
	s := newScreen(t, Report{Lines: []string{"endpoint: https://api.openai.com/v1", "server:   answered; it lists 2 models"},
		Models: []string{"gpt-5.1-codex", "gpt-5.1"}}, nil)
	s.shows("no API key for https://api.openai.com/v1", "› OpenAI", "OpenAI-compatible server", "Amazon Bedrock", "/home/u/.config/hew/config.toml", "enter choose")
	s.press("enter")
	s.shows("API key", "$NAME", "enter check")
	s.press("sk-secret-typed-1234")
	if strings.Contains(s.text(), "sk-secret") {
		t.Errorf("the key is shown as typed:\n%s", s.text())
	}
	s.press("enter")
	if len(s.checked) != 1 || s.checked[0] != (Choice{Kind: OpenAI, APIKey: "sk-secret-typed-1234"}) {
		t.Fatalf("checked %+v", s.checked)
	}
	s.shows("✓ it works", "lists 2 models", "Model: gpt-5.1-codex (the default", "enter save and start")
	s.press("enter")
	if !s.quit || len(s.saved) != 1 || s.saved[0].APIKey != "sk-secret-typed-1234" || s.saved[0].Model != "" || s.m.Saved == "" {
		t.Errorf("quit %v, saved %+v at %q", s.quit, s.saved, s.m.Saved)
	}
}

func TestCompatibleServerOffersTheModelsItLists(t *testing.T) {
	s := newScreen(t, Report{Lines: []string{"server:   answered; it lists 3 models"}, Models: []string{"qwen3-coder", "llama3", "devstral"}}, nil)
	s.press("down", "enter")
	s.shows("OpenAI-compatible server:", "Base URL", "API key (optional)")
	s.press("enter") // no URL yet: the check says what is missing instead of asking
	s.press("enter")
	s.shows("starts with http:// or https://")
	s.press("ctrl+s") // nothing to save yet
	if len(s.checked) != 0 || len(s.saved) != 0 {
		t.Fatalf("checked %+v without a URL", s.checked)
	}
	s.press("enter", "http://localhost:11434/v1", "enter", "$TOGETHER_KEY", "enter")
	if len(s.checked) != 1 || s.checked[0] != (Choice{Kind: Compatible, BaseURL: "http://localhost:11434/v1", KeyEnv: "TOGETHER_KEY"}) {
		t.Fatalf("checked %+v", s.checked)
	}
	s.shows("The server does not list gpt-5.1-codex", "› devstral", "1 of 3")
	s.press("down", "down", "down") // stays on the last
	s.shows("› qwen3-coder", "3 of 3")
	s.press("enter")
	if len(s.saved) != 1 || s.saved[0].Model != "qwen3-coder" || s.saved[0].KeyEnv != "TOGETHER_KEY" {
		t.Errorf("saved %+v", s.saved)
	}
}

func TestAFailedCheckOrSaveGoesBackToTheFields(t *testing.T) {
	s := newScreen(t, Report{Lines: []string{"credentials: none"}, Problems: []string{"no AWS credentials were found (set AWS_PROFILE)"}}, nil)
	s.press("down", "down", "enter")
	s.shows("Amazon Bedrock:", "AWS profile (optional)", "Region")
	s.press("dev", "enter", "enter")
	if len(s.checked) != 1 || s.checked[0] != (Choice{Kind: Bedrock, Profile: "dev", Region: "eu-west-1"}) {
		t.Fatalf("checked %+v (the region is prefilled)", s.checked)
	}
	s.shows("✗ no AWS credentials were found", "enter change it", "ctrl+s save anyway")
	if strings.Contains(s.text(), "it works") {
		t.Error("a failed check says it works")
	}
	s.press("enter")
	s.shows("Amazon Bedrock:", "dev")
	if len(s.saved) != 0 || s.quit {
		t.Errorf("saved %+v, quit %v after a failed check", s.saved, s.quit)
	}

	// ctrl+s saves what failed the check, when the user says so.
	s.press("enter", "enter")
	s.press("ctrl+s")
	if len(s.saved) != 1 || s.saved[0].Profile != "dev" || !s.quit {
		t.Errorf("ctrl+s after a failed check: saved %+v, quit %v", s.saved, s.quit)
	}

	s = newScreen(t, Report{}, errors.New("save config: the disk is full"))
	s.press("enter", "sk-1234567890", "enter", "enter")
	s.shows("✗ save config: the disk is full")
	if s.quit {
		t.Error("quit although saving failed")
	}
	s.press("ctrl+c")
	if !s.quit || s.m.Saved != "" {
		t.Errorf("ctrl+c: quit %v saved %q", s.quit, s.m.Saved)
	}
}

func TestScreenFitsSmallAndLargeTerminals(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {150, 45}, {40, 12}} {
		s := newScreen(t, Report{}, nil)
		s.m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, keys := range [][]string{nil, {"down", "enter"}} {
			s.press(keys...)
			lines := strings.Split(s.text(), "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d: %d rows", size[0], size[1], len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%dx%d: a row is %d wide: %q", size[0], size[1], w, l)
				}
			}
			if size[0] >= 80 && !strings.Contains(lines[len(lines)-1], "quit") {
				t.Errorf("%dx%d: the last row is not the keys: %q", size[0], size[1], lines[len(lines)-1])
			}
		}
	}
}
