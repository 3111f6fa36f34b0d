// Package openai streams model responses from OpenAI's Responses API and from any server that
// speaks OpenAI Chat Completions (Ollama, vLLM, llama.cpp, LM Studio), behind the llm.Provider
// seam.
package openai

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"hew/agent/llm"
	"hew/agent/llm/catalog"
	"hew/agent/llm/netwait"
	"hew/agent/llm/retry"
)

// DefaultBaseURL is OpenAI's own API.
const DefaultBaseURL = "https://api.openai.com/v1"

// The APIs a Provider can speak.
const (
	APIResponses = "responses"
	APIChat      = "chat"
)

// Options configure a Provider.
type Options struct {
	// APIKey authenticates requests. It is required for api.openai.com; local servers may need
	// none.
	APIKey string
	// BaseURL is the API root, ending in /v1; empty means DefaultBaseURL.
	BaseURL string
	// API is APIResponses, APIChat, or "" to choose: Responses for api.openai.com, Chat
	// Completions for any other server.
	API string
	// HTTPClient, if set, sends the requests; Timeouts' idle timeout still applies.
	HTTPClient *http.Client
	// Timeouts bound the waits on the server (see package netwait); zero means the defaults.
	Timeouts netwait.Timeouts
	// MaxRetries is how many times a rate-limited, failed (5xx) or broken request is retried:
	// 0 means the default (5), a negative value means never.
	MaxRetries int
	// RetryWait is the wait before the first retry, doubled for each later one with jitter;
	// 0 means the default (one second).
	RetryWait time.Duration
	// MaxRetryWait is the longest Retry-After a server may ask for and still be waited for;
	// 0 means retry.DefaultMaxAfter.
	MaxRetryWait time.Duration
	// Organization and Project, if set, are sent as OpenAI-Organization and OpenAI-Project.
	Organization, Project string
	// Client, if set, sends the requests in place of a client New would build from APIKey,
	// HTTPClient, Organization and Project. It serves endpoints that need their own client
	// setup, such as Amazon Bedrock's OpenAI-compatible endpoint (package
	// github.com/openai/openai-go/v3/bedrock). BaseURL then only names the server in errors,
	// and the client should make no retries of its own: Stream retries.
	Client *openai.Client
	// Catalog says which models take reasoning settings; nil means catalog.Default().
	// CatalogProvider is the provider whose entries apply: "" means "openai".
	Catalog         *catalog.Catalog
	CatalogProvider string
}

// Provider streams responses from an OpenAI-compatible API. It is safe for concurrent use.
type Provider struct {
	client  openai.Client
	api     string
	baseURL string
	openAI  bool // the server is api.openai.com
	retry   retry.Policy

	catalog         *catalog.Catalog
	catalogProvider string
	httpClient      *http.Client // for the local servers' own APIs (see ListModels)
	hosted          bool         // a hosted endpoint with its own client (Bedrock), not a local server
	apiKey          string
	// drops remembers, per model, the request parameters the server refused as unsupported
	// this session, so they are not sent again.
	mu    sync.Mutex
	drops map[string]map[string]bool
	// bodies keeps the recent conversations encoded, so a request encodes only what is new.
	bodies bodyCache
}

// Parameters the provider drops for a model whose server refuses them.
const (
	paramReasoningEffort = "reasoning_effort" // Chat Completions
	paramReasoning       = "reasoning"        // Responses
	paramEncrypted       = "include"          // Responses: include reasoning.encrypted_content
)

// New returns a Provider for opts. It fails with an *llm.Error of kind llm.ErrConfig when the
// options cannot work: no key for api.openai.com, a malformed base URL, an unknown API.
func New(opts Options) (*Provider, error) {
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, configError(fmt.Sprintf("base URL %q is not an http(s) URL", opts.BaseURL),
			"set OPENAI_BASE_URL to the server's API root, such as http://localhost:11434/v1")
	}
	p := &Provider{baseURL: base, openAI: strings.EqualFold(u.Hostname(), "api.openai.com"),
		retry: retry.Tuned(opts.MaxRetries, opts.RetryWait).WithMaxAfter(opts.MaxRetryWait), catalog: opts.Catalog, catalogProvider: cmp.Or(opts.CatalogProvider, "openai")}
	if p.catalog == nil {
		p.catalog = catalog.Default()
	}
	p.httpClient, p.apiKey = opts.HTTPClient, opts.APIKey
	if p.httpClient == nil {
		p.httpClient = http.DefaultClient
	}
	switch opts.API {
	case APIResponses, APIChat:
		p.api = opts.API
	case "":
		p.api = APIChat
		if p.openAI {
			p.api = APIResponses
		}
	default:
		return nil, configError(fmt.Sprintf("unknown OpenAI API %q", opts.API),
			`use "responses", "chat", or leave it empty to choose by server`)
	}
	if opts.APIKey == "" && p.openAI && opts.Client == nil {
		return nil, configError("no API key for "+base, "set OPENAI_API_KEY")
	}

	if opts.Client != nil {
		p.client, p.hosted = *opts.Client, true
		return p, nil
	}
	key := opts.APIKey
	if key == "" {
		key = "none" // local servers ignore it; the SDK would otherwise read OPENAI_API_KEY itself
	}
	reqOpts := []option.RequestOption{
		option.WithBaseURL(base + "/"),
		option.WithAPIKey(key),
		option.WithMaxRetries(0), // retries are ours, see Stream
	}
	httpClient := netwait.Client(opts.Timeouts)
	if opts.HTTPClient != nil {
		c := *opts.HTTPClient
		c.Transport = netwait.Transport(c.Transport, opts.Timeouts)
		httpClient = &c
	}
	p.httpClient = httpClient // model lists wait within the same bounds
	reqOpts = append(reqOpts, option.WithHTTPClient(httpClient))
	if opts.Organization != "" {
		reqOpts = append(reqOpts, option.WithOrganization(opts.Organization))
	}
	if opts.Project != "" {
		reqOpts = append(reqOpts, option.WithProject(opts.Project))
	}
	p.client = openai.NewClient(reqOpts...)
	return p, nil
}

func configError(msg, hint string) *llm.Error {
	return &llm.Error{Kind: llm.ErrConfig, Provider: "openai", Message: msg, Hint: hint}
}

// Name returns "openai".
func (p *Provider) Name() string { return "openai" }

// API returns the API the provider speaks, APIResponses or APIChat.
func (p *Provider) API() string { return p.api }

// Stream sends req and reports text, reasoning and tool calls to onDelta as they arrive.
//
// Rate limits, server errors and streams that break before anything was reported are retried
// with backoff, honouring the server's Retry-After up to a cap. Errors are *llm.Error, except
// the context's own error when ctx ends. When a stream breaks after output was reported, Stream
// returns an llm.ErrStream error along with the partial response received so far; callers must
// not treat that response as complete.
//
// A model the catalogue does not know is sent the reasoning setting; if its server refuses it as
// an unsupported parameter (400), the request is sent once more without it, and the setting is
// left out for that model for the rest of the session.
func (p *Provider) Stream(ctx context.Context, req llm.Request, onDelta func(llm.Delta)) (llm.Response, error) {
	resp, streamed, err := p.stream(ctx, req, onDelta)
	if err == nil || streamed {
		return resp, err
	}
	// Each refused parameter is dropped once; a server refusing two (reasoning and encrypted
	// content) costs two more requests.
	for range 2 {
		name := p.refusedParam(err, req)
		if name == "" {
			break
		}
		p.drop(req.Model, name)
		var streamed bool
		if resp, streamed, err = p.stream(ctx, req, onDelta); err == nil || streamed {
			break
		}
	}
	return resp, err
}

// takesReasoning reports whether model may be sent reasoning settings: a catalogue model when it
// reasons, and any model the catalogue does not know (see Stream).
func (p *Provider) takesReasoning(model string) bool {
	if m, ok := p.catalog.Lookup(p.catalogProvider, model); ok {
		return m.Reasoning
	}
	return true
}

// dropped returns the parameters the server refused for model this session.
func (p *Provider) dropped(model string) map[string]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.drops[model])
}

func (p *Provider) drop(model, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drops == nil {
		p.drops = map[string]map[string]bool{}
	}
	if p.drops[model] == nil {
		p.drops[model] = map[string]bool{}
	}
	p.drops[model][name] = true
}

// refusedParam returns the reasoning parameter that err says the server does not support
// ("Unsupported parameter: 'reasoning.effort' is not supported with this model.", "Encrypted
// content is not supported with this model."), when the request sent it and it was not
// dropped already; else "".
func (p *Provider) refusedParam(err error, req llm.Request) string {
	var e *llm.Error
	if !errors.As(err, &e) || e.Kind != llm.ErrBadRequest || !p.takesReasoning(req.Model) {
		return ""
	}
	msg := strings.ToLower(e.Message)
	refused := false
	for _, s := range []string{"unsupported", "not supported", "unrecognized", "unknown", "not allowed", "extra inputs", "does not support"} {
		refused = refused || strings.Contains(msg, s)
	}
	var name string
	switch {
	case !refused:
	case p.api == APIResponses && strings.Contains(msg, "encrypted"):
		name = paramEncrypted
	case req.ReasoningEffort != "" && strings.Contains(msg, "reasoning") && p.api == APIResponses:
		name = paramReasoning
	case req.ReasoningEffort != "" && strings.Contains(msg, "reasoning"):
		name = paramReasoningEffort
	}
	if name == "" || p.dropped(req.Model)[name] {
		return ""
	}
	return name
}

// stream makes the request with retries; streamed reports whether any delta was reported.
func (p *Provider) stream(ctx context.Context, req llm.Request, onDelta func(llm.Delta)) (llm.Response, bool, error) {
	if onDelta == nil {
		onDelta = func(llm.Delta) {}
	}
	streamed := false
	report := func(d llm.Delta) {
		streamed = true
		onDelta(d)
	}
	var resp llm.Response
	policy := p.retry
	policy.OnRetry = func(attempt int, wait time.Duration, err error) {
		onDelta(llm.Delta{Kind: llm.DeltaNotice, Text: retry.Notice(retry.Reason(err), attempt+1, policy.Attempts, wait)})
	}
	err := retry.Do(ctx, policy, func(err error) (bool, time.Duration) {
		var e *llm.Error
		if streamed || !errors.As(err, &e) {
			return false, 0
		}
		return retryable(e), e.RetryAfter
	}, func(ctx context.Context) error {
		var err error
		if p.api == APIResponses {
			resp, err = p.streamResponses(ctx, req, report)
		} else {
			resp, err = p.streamChat(ctx, req, report)
		}
		return p.classify(ctx, err, req.Model)
	})
	return resp, streamed, err
}
