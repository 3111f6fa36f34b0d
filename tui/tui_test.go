package tui

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/agent/engine/enginetest"
	"hew/agent/llm/llmtest"
	"hew/gitops/gittest"
)

// harness is a UI model over a real engine in a real git repository, talking to a fake model
// server, driven key by key without a terminal.
type harness struct {
	t   testing.TB
	m   *Model
	dir string
	srv *llmtest.OpenAIServer
}

func newHarness(t testing.TB, files map[string]string, approval string, turns ...llmtest.Turn) *harness {
	t.Helper()
	return newHarnessWith(t, files, approval, nil, turns...)
}

// newHarnessWith is newHarness with the engine options changed by tweak first, when not nil.
func newHarnessWith(t testing.TB, files map[string]string, approval string, tweak func(*engine.Options), turns ...llmtest.Turn) *harness {
	t.Helper()
	dir := gittest.NewRepo(t, files)

	srv := llmtest.NewOpenAIServer(t, turns...)
	base := enginetest.Options(t, dir, srv)
	if tweak != nil {
		tweak(&base)
	}
	// open starts or resumes a session as hew does; every engine it makes is closed at the end
	// (closing twice is harmless).
	open := func(ctx context.Context, id string) (*engine.Engine, error) {
		o := base
		var eng *engine.Engine
		var err error
		if id == "" {
			eng, err = engine.New(ctx, o)
		} else {
			eng, err = engine.Resume(ctx, o, id)
		}
		if err == nil {
			t.Cleanup(func() { eng.Close() })
		}
		return eng, err
	}
	eng, err := open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(context.Background(), Options{Engine: eng, Approval: approval, Open: open})
	if err != nil {
		t.Fatal(err)
	}
	m.SetSize(100, 30)
	return &harness{t: t, m: m, dir: dir, srv: srv}
}

// key presses one key, given as tea names it ("y", "tab", "shift+tab", "esc", "ctrl+c"), and
// runs what it returns.
func (h *harness) key(s string) tea.Cmd {
	h.t.Helper()
	k := keyPress(s)
	_, cmd := h.m.Update(k)
	return cmd
}

func keyPress(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "alt+up":
		return tea.KeyPressMsg{Code: tea.KeyUp, Mod: tea.ModAlt}
	case "alt+down":
		return tea.KeyPressMsg{Code: tea.KeyDown, Mod: tea.ModAlt}
	case "ctrl+o", "ctrl+y", "ctrl+r":
		return tea.KeyPressMsg{Code: rune(s[len(s)-1]), Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// typeText types text key by key.
func (h *harness) typeText(text string) {
	for _, r := range text {
		if r == ' ' {
			h.key("space")
			continue
		}
		h.m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// run executes cmd and everything it leads to, synchronously, except spinner ticks, then
// delivers the queued engine events.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	if cmd == nil {
		h.drain()
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case spinner.TickMsg, nil:
	default:
		_, next := h.m.Update(msg)
		h.run(next)
	}
	h.drain()
}

// start executes a turn's command in the background; the result arrives on the channel.
func (h *harness) start(cmd tea.Cmd) chan tea.Msg {
	ch := make(chan tea.Msg, 8)
	go func() {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				if c == nil {
					continue
				}
				if m := c(); m != nil {
					if _, tick := m.(spinner.TickMsg); !tick {
						ch <- m
					}
				}
			}
			return
		}
		ch <- msg
	}()
	return ch
}

// finish waits for a background turn and hands its result to the model.
func (h *harness) finish(ch chan tea.Msg) {
	h.t.Helper()
	select {
	case msg := <-ch:
		h.drain()
		_, next := h.m.Update(msg)
		h.run(next)
	case <-time.After(30 * time.Second):
		h.t.Fatal("the turn did not finish")
	}
}

// drain hands every queued message to the model.
func (h *harness) drain() {
	h.m.queue.mu.Lock()
	items := h.m.queue.items
	h.m.queue.items = nil
	h.m.queue.mu.Unlock()
	for _, it := range items {
		h.m.Update(it)
	}
}

// waitApproval delivers queued messages until an approval question is showing.
func (h *harness) waitApproval() {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for h.m.approval == nil {
		if time.Now().After(deadline) {
			h.t.Fatal("no approval question")
		}
		time.Sleep(10 * time.Millisecond)
		h.drain()
	}
}

func (h *harness) screen() string {
	return stripANSI(h.m.View().Content)
}

func toolCall(name string, args any) llmtest.ToolCall {
	b, _ := json.Marshal(args)
	return llmtest.ToolCall{Name: name, Arguments: string(b)}
}
