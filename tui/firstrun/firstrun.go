// Package firstrun is the screen `hew` opens when no model provider is set up: the user chooses
// OpenAI (an API key), an OpenAI-compatible server (a base URL, a key if it needs one) or Amazon
// Bedrock (an AWS profile and a region); the choice is checked live — the server is asked for
// its models, as `hew doctor` asks — and saved to the user's config file once it works.
//
// The screen knows nothing of configuration files or providers: the caller checks and saves
// through Options.Check and Options.Save, which run off Bubble Tea's Update, as commands.
package firstrun

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/tui/keymap"
)

// Kinds of provider the screen offers.
const (
	OpenAI     = "openai"
	Compatible = "compatible"
	Bedrock    = "bedrock"
)

// Choice is what the user chose.
type Choice struct {
	Kind string // OpenAI, Compatible or Bedrock
	// APIKey is the key typed, or "" for none.
	APIKey string
	// KeyEnv names the environment variable holding the key when the user typed $NAME
	// instead of a key; APIKey is then "".
	KeyEnv  string
	BaseURL string
	Profile string
	Region  string
	// Model is the model chosen from the server's list, or "" to keep the default.
	Model string
}

// Report is the outcome of checking a choice: what was found, what is wrong (nothing when the
// choice works), and the models the server listed.
type Report struct {
	Lines, Problems, Models []string
}

// Options configure the screen.
type Options struct {
	// Reason says why the screen shows, such as the error hew met without credentials.
	Reason string
	// ConfigPath is the user's config file, where Save writes.
	ConfigPath string
	// Prefill holds values to start the fields with (AWS_PROFILE, AWS_REGION, ...).
	Prefill Choice
	// DefaultModel returns the model hew uses for a kind when none is chosen.
	DefaultModel func(kind string) string
	// Check checks a choice live; Save saves it and returns where. Both run as commands.
	Check func(ctx context.Context, c Choice) Report
	Save  func(c Choice) (string, error)
}

// step is which part of the screen shows.
type step int

const (
	stepProvider step = iota
	stepFields
	stepChecking
	stepResult
	stepSaving
)

// kinds are the providers offered, in order, with what each needs.
var kinds = []struct{ kind, name, needs string }{
	{OpenAI, "OpenAI", "an API key from platform.openai.com"},
	{Compatible, "OpenAI-compatible server", "a base URL (Ollama, vLLM, llama.cpp, LM Studio…)"},
	{Bedrock, "Amazon Bedrock", "an AWS profile (or the default chain) and a region"},
}

// field is one input of a provider's form.
type field struct {
	label, help string
	input       textinput.Model
	optional    bool
}

// Model is the screen's Bubble Tea model.
type Model struct {
	opts          Options
	ctx           context.Context
	width, height int

	step   step
	kind   int // index in kinds
	fields []field
	focus  int
	seq    int // counts checks; the answer to an abandoned one is dropped

	report     Report
	incomplete bool     // the report says what the fields lack; nothing was checked
	models     []string // the models to choose from after a check; none: keep the default
	model      int
	saveErr    error

	// Saved is where the choice was saved, once it was; Chosen is the choice.
	Saved  string
	Chosen Choice
}

// New makes the screen.
func New(ctx context.Context, o Options) *Model {
	m := &Model{opts: o, ctx: ctx, width: 80, height: 24}
	for i, k := range kinds {
		if k.kind == o.Prefill.Kind {
			m.kind = i
		}
	}
	return m
}

// Init does nothing: the screen waits for keys.
func (m *Model) Init() tea.Cmd { return nil }

// Messages the screen sends itself.
type (
	checkedMsg struct {
		seq    int
		choice Choice
		report Report
	}
	savedMsg struct {
		path string
		err  error
	}
)

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		for i := range m.fields {
			m.fields[i].input.SetWidth(m.inputWidth())
		}
	case checkedMsg:
		if msg.seq == m.seq && m.step == stepChecking {
			m.checked(msg)
		}
	case savedMsg:
		if msg.err != nil {
			m.step, m.saveErr = stepResult, msg.err
			return m, nil
		}
		m.Saved = msg.path
		return m, tea.Quit
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		if m.step == stepFields {
			var cmd tea.Cmd
			m.fields[m.focus].input, cmd = m.fields[m.focus].input.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	km := keymap.FirstRunKeys
	if key.Matches(k, km.Quit) {
		return tea.Quit
	}
	switch m.step {
	case stepProvider:
		switch {
		case key.Matches(k, km.Up):
			m.kind = max(m.kind-1, 0)
		case key.Matches(k, km.Down):
			m.kind = min(m.kind+1, len(kinds)-1)
		case key.Matches(k, km.Next):
			m.openFields()
		}
	case stepFields:
		switch {
		case key.Matches(k, km.Back):
			m.step = stepProvider
		case key.Matches(k, km.NextField, km.Down):
			m.focusField(m.focus + 1)
		case key.Matches(k, km.PrevField, km.Up):
			m.focusField(m.focus - 1)
		case key.Matches(k, km.Next):
			if m.focus < len(m.fields)-1 {
				m.focusField(m.focus + 1)
				return nil
			}
			return m.check()
		default:
			var cmd tea.Cmd
			m.fields[m.focus].input, cmd = m.fields[m.focus].input.Update(k)
			return cmd
		}
	case stepChecking:
		if key.Matches(k, km.Back) {
			m.seq++ // drop the answer
			m.step = stepFields
		}
	case stepResult:
		switch {
		case key.Matches(k, km.Back):
			m.back()
		case key.Matches(k, km.Up):
			m.model = max(m.model-1, 0)
		case key.Matches(k, km.Down):
			m.model = min(m.model+1, max(len(m.models)-1, 0))
		case key.Matches(k, km.Next):
			if len(m.report.Problems) > 0 || m.saveErr != nil {
				m.back()
				return nil
			}
			return m.save()
		case key.Matches(k, km.SaveAnyway):
			if len(m.report.Problems) > 0 && !m.incomplete && m.saveErr == nil {
				return m.save()
			}
		}
	}
	return nil
}

// back returns from a check's outcome to the fields, the first one focused.
func (m *Model) back() {
	m.step, m.saveErr = stepFields, nil
	m.focusField(0)
}

// openFields shows the form of the chosen provider, keeping what was typed for it before.
func (m *Model) openFields() {
	p := m.opts.Prefill
	if len(m.fields) == 0 || m.Chosen.Kind != kinds[m.kind].kind {
		switch kinds[m.kind].kind {
		case OpenAI:
			m.fields = []field{newField("API key", "", "sk-…", "saved in your config file, readable by you alone; or type $NAME to read it from that environment variable", true, false)}
		case Compatible:
			m.fields = []field{
				newField("Base URL", p.BaseURL, "http://localhost:11434/v1", "the server's OpenAI API root, usually ending in /v1", false, false),
				newField("API key", "", "(none)", "only if the server needs one; $NAME reads it from that environment variable", true, true),
			}
		case Bedrock:
			m.fields = []field{
				newField("AWS profile", p.Profile, "(the default credential chain)", "a profile of ~/.aws/config; run aws sso login first if it uses SSO", false, true),
				newField("Region", firstOf(p.Region, "us-east-1"), "us-east-1", "where Bedrock serves your models", false, false),
			}
		}
		m.Chosen.Kind = kinds[m.kind].kind
	}
	for i := range m.fields {
		m.fields[i].input.SetWidth(m.inputWidth())
	}
	m.step = stepFields
	m.focusField(0)
}

func newField(label, value, placeholder, help string, secret, optional bool) field {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.SetValue(value)
	if secret {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
	}
	st := textinput.DefaultDarkStyles()
	st.Cursor.Blink = false // a blinking cursor would tick forever
	in.SetStyles(st)
	return field{label: label, help: help, input: in, optional: optional}
}

func (m *Model) focusField(i int) {
	m.focus = min(max(i, 0), len(m.fields)-1)
	for j := range m.fields {
		if j == m.focus {
			m.fields[j].input.Focus()
		} else {
			m.fields[j].input.Blur()
		}
	}
}

func (m *Model) inputWidth() int { return max(m.width-30, 10) }

// choice is the choice the fields describe, or a message saying what is missing.
func (m *Model) choice() (Choice, string) {
	c := Choice{Kind: kinds[m.kind].kind}
	val := func(i int) string { return strings.TrimSpace(m.fields[i].input.Value()) }
	setKey := func(v string) {
		if name, ok := strings.CutPrefix(v, "$"); ok {
			c.KeyEnv = name
		} else {
			c.APIKey = v
		}
	}
	switch c.Kind {
	case OpenAI:
		if val(0) == "" {
			return c, "type the API key (or $NAME of the variable that holds it)"
		}
		setKey(val(0))
	case Compatible:
		c.BaseURL = val(0)
		if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
			return c, "the base URL starts with http:// or https://, such as http://localhost:11434/v1"
		}
		setKey(val(1))
	case Bedrock:
		c.Profile, c.Region = val(0), val(1)
		if c.Region == "" {
			return c, "type the region, such as us-east-1"
		}
	}
	if v := strings.TrimSpace(m.fields[len(m.fields)-1].input.Value()); c.Kind != Bedrock && strings.HasPrefix(v, "$") && !validName(c.KeyEnv) {
		return c, "$NAME names an environment variable: letters, digits and _"
	}
	return c, ""
}

// validName reports whether s can name an environment variable.
func validName(s string) bool {
	for i, r := range s {
		if r != '_' && !(r >= 'A' && r <= 'Z') && !(r >= 'a' && r <= 'z') && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// check starts checking the choice, off Update.
func (m *Model) check() tea.Cmd {
	c, missing := m.choice()
	m.incomplete = missing != ""
	if missing != "" {
		m.report = Report{Problems: []string{missing}}
		m.step = stepResult
		return nil
	}
	m.seq++
	m.step, m.Chosen = stepChecking, c
	seq, ctx, check := m.seq, m.ctx, m.opts.Check
	return func() tea.Msg { return checkedMsg{seq: seq, choice: c, report: check(ctx, c)} }
}

// checked shows the outcome of a check and, when the server lists models but not the default
// one, offers them.
func (m *Model) checked(msg checkedMsg) {
	m.step, m.report, m.Chosen = stepResult, msg.report, msg.choice
	m.models, m.model = nil, 0
	if len(msg.report.Problems) > 0 || len(msg.report.Models) == 0 {
		return
	}
	def := ""
	if m.opts.DefaultModel != nil {
		def = m.opts.DefaultModel(msg.choice.Kind)
	}
	if !slices.Contains(msg.report.Models, def) {
		m.models = slices.Sorted(slices.Values(msg.report.Models))
	}
}

// save saves the choice, off Update.
func (m *Model) save() tea.Cmd {
	c := m.Chosen
	if len(m.models) > 0 {
		c.Model = m.models[m.model]
	}
	m.Chosen = c
	m.step = stepSaving
	save := m.opts.Save
	return func() tea.Msg {
		path, err := save(c)
		return savedMsg{path: path, err: err}
	}
}

var (
	titleStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("214"))
	selStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("214")).Bold(true)
	hintStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("245"))
	okStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("42"))
	badStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("203"))
)

// View renders the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "hew · set up a model provider"
	return v
}

// Render returns the screen as text, width cells wide at most.
func (m *Model) Render() string {
	w := max(m.width, 20)
	var lines []string
	add := func(s ...string) { lines = append(lines, s...) }
	wrap := func(s string, indent string) []string {
		n := w - ansi.StringWidth(indent)
		return strings.Split(ansi.Hardwrap(ansi.Wordwrap(s, n, ""), n, true), "\n")
	}
	add(titleStyle.Render("hew · set up a model provider"), "")
	if m.opts.Reason != "" {
		for _, l := range wrap("hew has no working model provider yet: "+m.opts.Reason+".", "") {
			add(l)
		}
		add("")
	}
	km := keymap.FirstRunKeys
	var keys []key.Binding
	switch m.step {
	case stepProvider:
		add("Which provider should hew use?")
		for i, k := range kinds {
			row := fmt.Sprintf("  %-26s %s", k.name, k.needs)
			if i == m.kind {
				row = selStyle.Render("› " + row[2:])
			}
			add(ansi.Truncate(row, w, "…"))
		}
		add("")
		for _, l := range wrap(fmt.Sprintf("The choice is checked with the server, then saved to %s; 'hew doctor' checks it again at any time.", m.opts.ConfigPath), "") {
			add(hintStyle.Render(l))
		}
		keys = []key.Binding{keymap.Short(km.Up, "up"), keymap.Short(km.Down, "down"), keymap.Short(km.Next, "choose"), keymap.Short(km.Quit, "quit")}
	case stepFields:
		add(kinds[m.kind].name + ":")
		for i, f := range m.fields {
			mark := "  "
			if i == m.focus {
				mark = selStyle.Render("› ")
			}
			label := f.label
			if f.optional {
				label += " (optional)"
			}
			add(ansi.Truncate(fmt.Sprintf("%s%-24s %s", mark, label, f.input.View()), w, "…"))
			if i == m.focus {
				for _, l := range wrap(f.help, "    ") {
					add(hintStyle.Render("    " + l))
				}
			}
		}
		next := "check"
		if m.focus < len(m.fields)-1 {
			next = "next field"
		}
		keys = []key.Binding{keymap.Short(km.Next, next), keymap.Short(km.NextField, "next field"), keymap.Short(km.Back, "back"), keymap.Short(km.Quit, "quit")}
	case stepChecking:
		where := "https://api.openai.com/v1"
		switch m.Chosen.Kind {
		case Compatible:
			where = m.Chosen.BaseURL
		case Bedrock:
			where = "Bedrock in " + m.Chosen.Region
		}
		add(kinds[m.kind].name+":", "", hintStyle.Render(ansi.Truncate("Checking: asking "+where+" for its models…", w, "…")))
		keys = []key.Binding{keymap.Short(km.Back, "stop and go back"), keymap.Short(km.Quit, "quit")}
	case stepResult, stepSaving:
		add(kinds[m.kind].name + ":")
		for _, l := range m.report.Lines {
			add(ansi.Truncate("  "+l, w, "…"))
		}
		problems := m.report.Problems
		if m.saveErr != nil {
			problems = append(problems, m.saveErr.Error())
		}
		for _, p := range problems {
			for i, l := range wrap(p, "  ✗ ") {
				prefix := "    "
				if i == 0 {
					prefix = "  ✗ "
				}
				add(badStyle.Render(prefix + l))
			}
		}
		switch {
		case len(problems) > 0:
			keys = []key.Binding{keymap.Short(km.Next, "change it"), keymap.Short(km.Back, "back"), keymap.Short(km.Quit, "quit")}
			if !m.incomplete && m.saveErr == nil {
				keys = append(keys[:1], append([]key.Binding{keymap.Short(km.SaveAnyway, "save anyway")}, keys[1:]...)...)
			}
		case m.step == stepSaving:
			add("", hintStyle.Render("Saving to "+m.opts.ConfigPath+"…"))
		default:
			add(okStyle.Render("  ✓ it works"))
			add(m.modelLines(w)...)
			keys = []key.Binding{keymap.Short(km.Next, "save and start"), keymap.Short(km.Back, "back"), keymap.Short(km.Quit, "quit")}
			if len(m.models) > 0 {
				keys = append([]key.Binding{keymap.Short(km.Up, "model"), keymap.Short(km.Down, "model")}, keys...)
			}
		}
	}
	// The keys go on the last row; the rows between stay empty.
	foot := hintStyle.Render(ansi.Truncate(keymap.Line(keys), w, "…"))
	if m.height > 0 && len(lines)+1 > m.height {
		lines = lines[:max(m.height-1, 0)]
	}
	for len(lines)+1 < m.height {
		lines = append(lines, "")
	}
	return strings.Join(append(lines, foot), "\n")
}

// modelLines offer the models the server listed when the default is not among them.
func (m *Model) modelLines(w int) []string {
	def := ""
	if m.opts.DefaultModel != nil {
		def = m.opts.DefaultModel(m.Chosen.Kind)
	}
	if len(m.models) == 0 {
		return []string{"", "Model: " + def + " (the default; /model in hew switches)"}
	}
	out := []string{"", ansi.Truncate(fmt.Sprintf("The server does not list %s; choose a model (%d of %d):", def, m.model+1, len(m.models)), w, "…")}
	rows := max(min(m.height-len(m.report.Lines)-12, 8), 3)
	top := min(max(m.model-rows/2, 0), max(len(m.models)-rows, 0))
	for i := top; i < min(top+rows, len(m.models)); i++ {
		row := "    " + m.models[i]
		if i == m.model {
			row = selStyle.Render("  › " + m.models[i])
		}
		out = append(out, ansi.Truncate(row, w, "…"))
	}
	return out
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// Run shows the screen until the user saves a choice that works or leaves. It returns the
// choice and where it was saved ("" when the user left without saving).
func Run(ctx context.Context, o Options) (Choice, string, error) {
	m := New(ctx, o)
	if _, err := tea.NewProgram(m, tea.WithContext(ctx)).Run(); err != nil {
		return Choice{}, "", err
	}
	return m.Chosen, m.Saved, nil
}
