package tui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
// server off Update, merged with the catalogue: the listed models the catalogue knows first,
// then the other listed ones, then the catalogue's models the server did not list. When the
// server cannot be asked (unreachable, no credentials) or lists nothing, a notice says so and
// the picker offers the catalogue's models alone. Typing narrows the list to the ids holding
// what was typed. Enter switches with engine.SwitchModel, as /model NAME does; esc closes it.

// pickerRows is how many models the picker shows at once.
const pickerRows = 8

// pickerTimeout bounds the wait for the server's list; the picker stays usable meanwhile.
const pickerTimeout = 20 * time.Second

// modelPicker is the list of models above the input.
type modelPicker struct {
	seq     int // the list asked for (an answer to an earlier one is dropped)
	loading bool
	server  bool        // the server answered with models (else the list is the catalogue's)
	all     []pickEntry // every model offered
	list    []pickEntry // those matching filter
	filter  string      // what was typed
	cur     int
}

// pickEntry is a model the picker offers; listed reports that the server listed it.
type pickEntry struct {
	engine.ModelChoice
	listed bool
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
		r.fallback, r.fbErr = eng.CatalogueModels()
		return r
	}
}

func (r modelsList) apply(m *Model) tea.Cmd {
	p := m.picker
	if p == nil || p.seq != r.seq {
		return nil // closed, or asked again since
	}
	p.loading = false
	provider := m.eng.Model().Provider
	switch {
	case r.err != nil:
		m.notice(fmt.Sprintf("could not ask %s which models your credentials can use: %v. The picker shows the catalogue's models instead.", provider, r.err))
	case len(r.list) == 0:
		m.notice(fmt.Sprintf("%s lists no models for these credentials. The picker shows the catalogue's models instead.", provider))
	}
	if r.fbErr != nil && (r.err != nil || len(r.list) == 0) {
		m.picker = nil
		m.fail(r.fbErr, "check [[models]] in the config")
		return nil
	}
	if r.err == nil {
		p.server = len(r.list) > 0
		p.all = mergeModels(r.list, r.fallback)
	} else {
		p.all = mergeModels(nil, r.fallback)
	}
	p.narrow()
	now := m.eng.Model().Model.ID
	for i, c := range p.list {
		if c.Model.ID == now {
			p.cur = i
		}
	}
	m.tr.Bottom()
	return nil
}

// mergeModels returns the models the server listed that the catalogue knows, then the other
// listed ones, each group by id, then the catalogue's models the server did not list.
func mergeModels(listed, catalogue []engine.ModelChoice) []pickEntry {
	var known, unknown, rest []pickEntry
	seen := map[string]bool{}
	for _, c := range listed {
		seen[c.Model.ID] = true
		if c.Known {
			known = append(known, pickEntry{c, true})
		} else {
			unknown = append(unknown, pickEntry{c, true})
		}
	}
	for _, c := range catalogue {
		if !seen[c.Model.ID] {
			rest = append(rest, pickEntry{c, false})
		}
	}
	byID := func(a, b pickEntry) int { return strings.Compare(a.Model.ID, b.Model.ID) }
	slices.SortStableFunc(known, byID)
	slices.SortStableFunc(unknown, byID)
	return slices.Concat(known, unknown, rest)
}

// narrow keeps the models whose id holds the filter, case aside, and the selection in range.
func (p *modelPicker) narrow() {
	p.list = p.list[:0:0]
	f := strings.ToLower(p.filter)
	for _, e := range p.all {
		if strings.Contains(strings.ToLower(e.Model.ID), f) {
			p.list = append(p.list, e)
		}
	}
	p.cur = min(p.cur, max(len(p.list)-1, 0))
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
	case key.Matches(k, km.Delete):
		if r := []rune(p.filter); len(r) > 0 {
			p.filter = string(r[:len(r)-1])
			p.narrow()
		}
	case k.Text != "" && !p.loading:
		p.filter += k.Text
		p.cur = 0
		p.narrow()
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
		lines = append(lines, "  no model id holds "+strconv.Quote(p.filter)+"; backspace deletes")
	default:
		from := "Models your credentials can use now, then the catalogue's:"
		if !p.server {
			from = "Models in the catalogue:"
		}
		if p.filter != "" {
			from += " (holding " + strconv.Quote(p.filter) + ")"
		}
		lines = append(lines, ansi.Truncate(from, width, "…"))
		top := min(max(p.cur-pickerRows/2, 0), max(len(p.list)-pickerRows, 0))
		for i := top; i < min(top+pickerRows, len(p.list)); i++ {
			lines = append(lines, ansi.Truncate(pickerRow(p.list[i], i == p.cur, p.list[i].Model.ID == now.Model.ID, p.server), width, "…"))
		}
	}
	km := keymap.PickerKeys
	hint := "type to filter · " + keymap.Line([]key.Binding{keymap.Short(km.Up, "up"), keymap.Short(km.Down, "down"),
		keymap.Short(km.Choose, "switch"), keymap.Short(km.Close, "close")})
	if len(p.list) > 0 {
		hint = fmt.Sprintf("%d of %d · %s", p.cur+1, len(p.list), hint)
	}
	return append(lines, hintStyle.Render(ansi.Truncate("  "+hint, width, "…")))
}

// pickerRow is one model of the picker: id, context window, what the catalogue knows, and
// whether the server listed it (when it listed any).
func pickerRow(c pickEntry, selected, inUse, server bool) string {
	mark := "  "
	if selected {
		mark = "› "
	}
	id := c.Model.ID
	if inUse {
		id += " (in use)"
	}
	s := fmt.Sprintf("%s%-32s %6s tokens", mark, id, status.Tokens(int64(c.Model.ContextWindow)))
	if server && !c.listed {
		s += "  not listed;"
	}
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
