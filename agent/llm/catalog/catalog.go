// Package catalog describes the models hew knows: who serves them, their context window, their
// price, what they support and how to talk to them. The data ships embedded (models.toml) and
// users override or extend it from their configuration.
package catalog

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"

	"hew/agent/llm"
)

//go:embed models.toml
var defaultData []byte

// Edit tools a model may prefer.
const (
	EditApplyPatch = "apply_patch"
	EditFile       = "edit_file"
)

// Bedrock APIs a model may be served through.
const (
	APIConverse = "converse" // Bedrock's Converse and ConverseStream
	APIOpenAI   = "openai"   // Bedrock's OpenAI-compatible endpoint
)

// Reasoning styles: how a request asks a model to reason.
const (
	ReasoningAnthropic = "anthropic" // a thinking budget in additional model request fields
	ReasoningEffort    = "effort"    // a reasoning_effort field
	ReasoningNative    = "native"    // the model always reasons; nothing to ask
)

// Places a Bedrock prompt-cache point may go.
const (
	CacheSystem = "system"
	CacheTools  = "tools"
)

// Model is one catalogue entry. Prices are US dollars per million tokens.
type Model struct {
	Provider      string // "openai" or "bedrock"
	ID            string // the id sent to the API
	Name          string // a display name
	Family        string // the maker: openai, anthropic, meta, mistral, amazon, deepseek, qwen
	ContextWindow int
	MaxOutput     int

	InputPrice       float64
	CachedInputPrice float64 // prompt tokens read from a cache; 0 means InputPrice
	CacheWritePrice  float64 // prompt tokens written to a cache; 0 means InputPrice
	OutputPrice      float64
	// PriceDate is the day the prices were taken from the provider's pricing page
	// (YYYY-MM-DD); "" when not recorded. A model with no input and no output price has an
	// unknown price (see Priced).
	PriceDate string

	Tools     bool
	Reasoning bool
	EditTool  string // EditApplyPatch or EditFile

	// API is how Bedrock serves the model: APIConverse or APIOpenAI.
	API string
	// StreamTools is false when ConverseStream rejects tool use for the model.
	StreamTools bool
	// System is false when the model rejects system prompts.
	System bool
	// CachePoints lists where prompt-cache points may go (CacheSystem, CacheTools).
	CachePoints []string
	// ReasoningStyle is how to ask for reasoning (ReasoningAnthropic, ReasoningEffort,
	// ReasoningNative) or "".
	ReasoningStyle string
	// LatencyOptimized is true when Bedrock offers the model with latency-optimised inference
	// (performanceConfig latency "optimized").
	LatencyOptimized bool
	// Profiles lists the cross-region inference profile prefixes (us, eu, apac, global) under
	// which the model is also served, as "us." + ID.
	Profiles []string
}

// Priced reports whether the catalogue knows the model's price; Cost is 0 for a model it
// does not.
func (m Model) Priced() bool { return m.InputPrice > 0 || m.OutputPrice > 0 }

// Caches reports whether a prompt-cache point may go at place (CacheSystem or CacheTools).
func (m Model) Caches(place string) bool { return slices.Contains(m.CachePoints, place) }

// Cost returns the price in US dollars of the tokens u counts.
func (m Model) Cost(u llm.Usage) float64 {
	cached := orPrice(m.CachedInputPrice, m.InputPrice)
	write := orPrice(m.CacheWritePrice, m.InputPrice)
	plain := max(u.InputTokens-u.CachedTokens-u.CacheWriteTokens, 0)
	total := float64(plain)*m.InputPrice +
		float64(u.CachedTokens)*cached +
		float64(u.CacheWriteTokens)*write +
		float64(u.OutputTokens)*m.OutputPrice
	return total / 1e6
}

func orPrice(p, fallback float64) float64 {
	if p == 0 {
		return fallback
	}
	return p
}

// Override changes or adds one catalogue entry. Keys match models.toml; a nil field keeps the
// catalogue's value. Configuration files decode [[models]] tables into it.
type Override struct {
	Provider       string    `toml:"provider"`
	ID             string    `toml:"id"`
	Name           *string   `toml:"name"`
	Family         *string   `toml:"family"`
	Context        *int      `toml:"context"`
	MaxOutput      *int      `toml:"max_output"`
	Input          *float64  `toml:"input"`
	CachedInput    *float64  `toml:"cached_input"`
	CacheWrite     *float64  `toml:"cache_write"`
	Output         *float64  `toml:"output"`
	PriceDate      *string   `toml:"price_date"`
	Tools          *bool     `toml:"tools"`
	Reasoning      *bool     `toml:"reasoning"`
	EditTool       *string   `toml:"edit_tool"`
	API            *string   `toml:"api"`
	StreamTools    *bool     `toml:"stream_tools"`
	System         *bool     `toml:"system"`
	CachePoints    *[]string `toml:"cache_points"`
	ReasoningStyle *string   `toml:"reasoning_style"`
	Profiles       *[]string `toml:"profiles"`
	Latency        *bool     `toml:"latency_optimized"`
}

// ParseOverrides reads [[models]] tables from TOML text.
func ParseOverrides(data []byte) ([]Override, error) {
	var file struct {
		Models []Override `toml:"models"`
	}
	md, err := toml.Decode(string(data), &file)
	if err != nil {
		return nil, fmt.Errorf("parse model catalogue: %w", err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, fmt.Errorf("parse model catalogue: unknown key %q (see models.toml for the keys)", undecoded[0].String())
	}
	return file.Models, nil
}

// Catalog is a set of models keyed by provider and id. It is immutable; Merge returns a new one.
type Catalog struct {
	models []Model
}

// Default returns the embedded catalogue. It is parsed once (about a millisecond) and shared:
// a Catalog is immutable.
func Default() *Catalog { return defaultCatalog() }

var defaultCatalog = sync.OnceValue(func() *Catalog {
	overrides, err := ParseOverrides(defaultData)
	if err != nil {
		panic(err) // the embedded file is checked by the package tests
	}
	c, err := (&Catalog{}).Merge(overrides)
	if err != nil {
		panic(err)
	}
	return c
})

// Merge returns a catalogue with overrides applied: an override naming a known provider and id
// changes the fields it sets; any other override adds a model, which must then say at least its
// context window.
func (c *Catalog) Merge(overrides []Override) (*Catalog, error) {
	out := &Catalog{models: slices.Clone(c.models)}
	for i, o := range overrides {
		if o.Provider == "" || o.ID == "" {
			return nil, fmt.Errorf("model override %d: provider and id are required", i+1)
		}
		idx := slices.IndexFunc(out.models, func(m Model) bool { return m.Provider == o.Provider && m.ID == o.ID })
		if idx < 0 {
			if o.Context == nil {
				return nil, fmt.Errorf("model %s/%s: a new model needs context (its context window in tokens)", o.Provider, o.ID)
			}
			out.models = append(out.models, newModel(o.Provider, o.ID))
			idx = len(out.models) - 1
		}
		m := &out.models[idx]
		o.apply(m)
		if err := m.validate(); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out.models, func(i, j int) bool { return out.models[i].Provider < out.models[j].Provider })
	return out, nil
}

func newModel(provider, id string) Model {
	m := Model{Provider: provider, ID: id, Name: id, Tools: true, StreamTools: true, System: true, EditTool: EditFile}
	if provider == "openai" {
		m.EditTool = EditApplyPatch
	}
	if provider == "bedrock" {
		m.API = APIConverse
	}
	return m
}

func (o Override) apply(m *Model) {
	set(&m.Name, o.Name)
	set(&m.Family, o.Family)
	set(&m.ContextWindow, o.Context)
	set(&m.MaxOutput, o.MaxOutput)
	set(&m.InputPrice, o.Input)
	set(&m.CachedInputPrice, o.CachedInput)
	set(&m.CacheWritePrice, o.CacheWrite)
	set(&m.OutputPrice, o.Output)
	set(&m.PriceDate, o.PriceDate)
	set(&m.Tools, o.Tools)
	set(&m.Reasoning, o.Reasoning)
	set(&m.EditTool, o.EditTool)
	set(&m.API, o.API)
	set(&m.StreamTools, o.StreamTools)
	set(&m.System, o.System)
	set(&m.CachePoints, o.CachePoints)
	set(&m.ReasoningStyle, o.ReasoningStyle)
	set(&m.Profiles, o.Profiles)
	set(&m.LatencyOptimized, o.Latency)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (m Model) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("model %s/%s: %s", m.Provider, m.ID, fmt.Sprintf(format, args...))
	}
	switch {
	case m.Provider != "openai" && m.Provider != "bedrock":
		return bad("provider %q is not openai or bedrock", m.Provider)
	case m.ContextWindow <= 0:
		return bad("context must be a positive number of tokens")
	case m.InputPrice < 0 || m.CachedInputPrice < 0 || m.CacheWritePrice < 0 || m.OutputPrice < 0:
		return bad("prices cannot be negative")
	case m.PriceDate != "" && !validDate(m.PriceDate):
		return bad("price_date %q is not a date such as 2026-07-30", m.PriceDate)
	case m.EditTool != EditApplyPatch && m.EditTool != EditFile:
		return bad("edit_tool %q is not %s or %s", m.EditTool, EditApplyPatch, EditFile)
	case m.Provider == "bedrock" && m.API != APIConverse && m.API != APIOpenAI:
		return bad("api %q is not %s or %s", m.API, APIConverse, APIOpenAI)
	case !slices.Contains([]string{"", ReasoningAnthropic, ReasoningEffort, ReasoningNative}, m.ReasoningStyle):
		return bad("reasoning_style %q is not anthropic, effort or native", m.ReasoningStyle)
	}
	for _, p := range m.CachePoints {
		if p != CacheSystem && p != CacheTools {
			return bad("cache point %q is not system or tools", p)
		}
	}
	return nil
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Models returns the catalogue's models, those of provider only unless provider is "".
func (c *Catalog) Models(provider string) []Model {
	var out []Model
	for _, m := range c.models {
		if provider == "" || m.Provider == provider {
			out = append(out, m)
		}
	}
	return out
}

// Lookup finds a model by provider and id. A Bedrock id with a cross-region inference profile
// prefix ("us.anthropic...") finds its model when the model lists that profile; the returned
// Model then carries the prefixed id.
func (c *Catalog) Lookup(provider, id string) (Model, bool) {
	for _, m := range c.models {
		if m.Provider == provider && m.ID == id {
			return m, true
		}
	}
	prefix, base, ok := strings.Cut(id, ".")
	if !ok {
		return Model{}, false
	}
	for _, m := range c.models {
		if m.Provider == provider && m.ID == base && slices.Contains(m.Profiles, prefix) {
			m.ID = id
			return m, true
		}
	}
	return Model{}, false
}

// BedrockFamily returns the maker of a Bedrock model from its id ("meta" for
// "us.meta.llama3-3-70b-instruct-v1:0"), for models the catalogue lacks; "" when the id names
// none hew knows. Application inference profile ARNs name no family.
func BedrockFamily(id string) string {
	parts := strings.Split(id, ".")
	for i, part := range parts {
		if i > 1 {
			break // the family is the first part, or the second after a profile prefix
		}
		switch part {
		case "anthropic", "meta", "mistral", "amazon", "deepseek", "qwen", "openai", "cohere", "ai21", "writer", "google", "moonshot", "moonshotai", "minimax", "nvidia", "zai":
			return part
		}
	}
	return ""
}

// IDs returns every id the catalogue knows, profile-prefixed Bedrock ids included.
func (c *Catalog) IDs() []string {
	var ids []string
	for _, m := range c.models {
		ids = append(ids, m.ID)
		for _, p := range m.Profiles {
			ids = append(ids, p+"."+m.ID)
		}
	}
	return ids
}

// Suggest returns up to three known ids closest to id, best first, for "did you mean" hints.
// It returns nothing when no id is reasonably close.
func (c *Catalog) Suggest(id string) []string {
	type scored struct {
		id                string
		dist, prefix, lev int
	}
	want := strings.ToLower(id)
	var cands []scored
	for _, known := range c.IDs() {
		k := strings.ToLower(known)
		lev, prefix := distance(want, k)
		d := min(lev, prefix+(len(k)-len(want))/8) // want may be the start of k, mistyped
		if strings.Contains(k, want) || strings.Contains(want, k) {
			d = min(d, abs(len(k)-len(want))/4) // a prefix or a longer spelling of a known id
		}
		if strings.HasPrefix(k, want) {
			d = 0 // the start of a known id, such as one without its date and version
		}
		if d <= max(len(want), len(k))/3 {
			cands = append(cands, scored{known, d, prefix, lev})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.prefix != b.prefix {
			return a.prefix < b.prefix // a mistyped start of a longer id beats another id
		}
		return a.lev < b.lev
	})
	var out []string
	for _, s := range cands[:min(3, len(cands))] {
		out = append(out, s.id)
	}
	return out
}

// distance returns the Levenshtein edit distance of a and b, and the least distance of a to a
// prefix of b.
func distance(a, b string) (full, prefix int) {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)], slices.Min(prev)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
