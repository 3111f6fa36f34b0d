package tui

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/agent/engine"
	"hew/tui/keymap"
	"hew/tui/status"
)

// The model picker (/model with no argument, /models) lists the models the user's credentials
// can use now — engine.AvailableModels, what `hew models --available` prints — asked of the
// server off Update. When the server cannot be asked (unreachable, no credentials) or lists
// nothing, a notice says so and the picker offers the catalogue's models instead. Enter
// switches with engine.SwitchModel, as /model NAME does; esc closes it.

// pickerRows is how many models the picker shows at once.
const pickerRows = 8

// pickerTimeout bounds the wait for the server's list; the picker stays usable meanwhile.
const pickerTimeout = 20 * time.Second

// modelPicker is the list of models above the input.
type modelPicker struct {
	seq     int // the list asked for (an answer to an earlier one is dropped)
	loading bool
	server  bool // the list is the server's (else the catalogue's)
	list    []engine.ModelChoice
	cur     int
}

// modelsList is the list the picker asked for, found off Update.
type modelsList struct {
	seq      int
	list     []engine.ModelChoice
	err      error
	fallback []engine.ModelChoice // the catalogue's models, when the server gave none
	fbErr    error
}

// openPicker shows the picker and asks the server for the models, off Update.
func (m *Model) openPicker() tea.Cmd {
	m.pickerSeq++
	m.picker = &modelPicker{seq: m.pickerSeq, loading: true}
	m.tr.Bottom()
	eng, ctx, seq := m.eng, m.ctx, m.pickerSeq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, pickerTimeout)
		defer cancel()
		r := modelsList{seq: seq}
		r.list, r.err = eng.AvailableModels(ctx)
		if r.err != nil || len(r.list) == 0 {
			r.fallback, r.fbErr = eng.CatalogueModels()
		}
		return r
	}
}

func (r modelsList) apply(m *Model) tea.Cmd {
	p := m.picker
	if p == nil || p.seq != r.seq {
		return nil // closed, or asked again since
	}
	p.loading, p.server, p.list = false, true, r.list
	provider := m.eng.Model().Provider
	switch {
	case r.err != nil:
		m.notice(fmt.Sprintf("could not ask %s which models your credentials can use: %v. The picker shows the catalogue's models instead.", provider, r.err))
	case len(r.list) == 0:
		m.notice(fmt.Sprintf("%s lists no models for these credentials. The picker shows the catalogue's models instead.", provider))
	}
	if r.err != nil || len(r.list) == 0 {
		p.server, p.list = false, r.fallback
		if r.fbErr != nil {
			m.picker = nil
			m.fail(r.fbErr, "check [[models]] in the config")
			return nil
		}
	}
	now := m.eng.Model().Model.ID
	for i, c := range p.list {
		if c.Model.ID == now {
			p.cur = i
		}
	}
	m.tr.Bottom()
	return nil
}

// pickerKey handles a key while the picker shows.
func (m *Model) pickerKey(k tea.KeyPressMsg) tea.Cmd {
	p, km := m.picker, keymap.PickerKeys
	switch {
	case key.Matches(k, km.Close):
		m.picker = nil
	case key.Matches(k, km.Up):
		p.move(-1)
	case key.Matches(k, km.Down):
		p.move(+1)
	case key.Matches(k, km.PageUp):
		p.move(-pickerRows)
	case key.Matches(k, km.PageDown):
		p.move(+pickerRows)
	case key.Matches(k, km.Choose):
		if p.loading || len(p.list) == 0 {
			return nil
		}
		m.picker = nil
		return m.cmdModel([]string{p.list[p.cur].Model.ID})
	}
	return nil
}

// move moves the selection by d, staying in the list.
func (p *modelPicker) move(d int) {
	p.cur = min(max(p.cur+d, 0), max(len(p.list)-1, 0))
}

// view renders the picker: a headline, a page of models around the selection, and the keys.
func (p *modelPicker) view(width int, now engine.ModelInfo, window int64) []string {
	provider := now.Provider
	head := fmt.Sprintf("Model now: %s/%s, context window %s tokens.", provider, now.Model.ID, status.Tokens(window))
	lines := []string{askStyle.Render(ansi.Truncate(head, width, "…"))}
	switch {
	case p.loading:
		lines = append(lines, hintStyle.Render(ansi.Truncate("  asking "+provider+" which models your credentials can use…", width, "…")))
	case len(p.list) == 0:
		lines = append(lines, "  no models to choose from")
	default:
		from := "Models your credentials can use now:"
		if !p.server {
			from = "Models in the catalogue:"
		}
		lines = append(lines, ansi.Truncate(from, width, "…"))
		top := min(max(p.cur-pickerRows/2, 0), max(len(p.list)-pickerRows, 0))
		for i := top; i < min(top+pickerRows, len(p.list)); i++ {
			lines = append(lines, ansi.Truncate(pickerRow(p.list[i], i == p.cur, p.list[i].Model.ID == now.Model.ID), width, "…"))
		}
	}
	hint := keymap.Line(keymap.PickerKeys.All())
	if len(p.list) > 0 {
		hint = fmt.Sprintf("%d of %d · %s", p.cur+1, len(p.list), hint)
	}
	return append(lines, hintStyle.Render(ansi.Truncate("  "+hint, width, "…")))
}

// pickerRow is one model of the picker: id, context window, what the catalogue knows.
func pickerRow(c engine.ModelChoice, selected, inUse bool) string {
	mark := "  "
	if selected {
		mark = "› "
	}
	id := c.Model.ID
	if inUse {
		id += " (in use)"
	}
	s := fmt.Sprintf("%s%-32s %6s tokens", mark, id, status.Tokens(int64(c.Model.ContextWindow)))
	switch {
	case !c.Known:
		s += "  not in the catalogue (no price)"
	case c.Model.Priced():
		s += fmt.Sprintf("  catalogue: $%.2f/$%.2f per M in/out", c.Model.InputPrice, c.Model.OutputPrice)
	default:
		s += "  catalogue"
	}
	if selected {
		return askStyle.Render(s)
	}
	return s
}
