// Package bedrock is the llm.Provider for Amazon Bedrock: it streams every model family through
// the Converse API, letting the model catalogue decide what each family accepts (system prompts,
// tool use while streaming, prompt-cache points, how to ask for reasoning), and the OpenAI
// models Bedrock serves only through its OpenAI-compatible endpoint through that endpoint.
package bedrock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"hew/agent/llm"
	"hew/agent/llm/awscreds"
	"hew/agent/llm/catalog"
	"hew/agent/llm/netwait"
	"hew/agent/llm/retry"
)

// Options configures a Provider. Empty fields fall back to the environment and the shared AWS
// configuration, as the AWS CLI does.
type Options struct {
	Region  string
	Profile string
	// BearerToken is an Amazon Bedrock API key; empty means AWS_BEARER_TOKEN_BEDROCK, and
	// without one, SigV4 with the AWS credential chain. Bearer tokens are sent only over HTTPS.
	BearerToken string
	// Endpoint replaces the regional endpoint; empty means AWS_ENDPOINT_URL_BEDROCK_RUNTIME.
	// It also serves the OpenAI-compatible route (at Endpoint/openai/v1) unless
	// AWS_ENDPOINT_URL_BEDROCK_MANTLE names that route's own.
	Endpoint string
	// HTTPClient sends requests on both routes; nil means the AWS SDK's default client.
	HTTPClient *http.Client
	// Timeouts bound the waits on the server (see package netwait); zero means the defaults.
	Timeouts netwait.Timeouts
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// MaxRetries is how many times a throttled, failed (5xx) or broken request is tried again
	// before its error is returned; 0 means 3 and a negative value means none.
	MaxRetries int
	// RetryWait is the wait before the first retry, doubled for each later one with jitter;
	// 0 means one second. Waits never exceed 30 seconds.
	RetryWait time.Duration
	// MaxRetryWait is the longest Retry-After a server may ask for and still be waited for;
	// 0 means retry.DefaultMaxAfter.
	MaxRetryWait time.Duration
	// Catalog describes the models; nil means catalog.Default().
	Catalog *catalog.Catalog
	// Guardrail, as "ID:VERSION", applies a Bedrock guardrail to every Converse request;
	// an intervention stops the answer with llm.StopFiltered naming the guardrail.
	Guardrail string
	// Latency "optimized" asks for latency-optimised inference for the models the catalogue
	// marks latency_optimized; "" or "standard" never does.
	Latency string
}

// Provider streams Bedrock models. It is safe for concurrent use.
type Provider struct {
	client  *bedrockruntime.Client
	catalog *catalog.Catalog
	region  string
	profile string
	policy  retry.Policy
	openAI  *openAIRoute
	getenv  func(string) string
	apps    profiles
	// guardrail and its version apply to every Converse request when set.
	guardrail, guardrailVersion string
	latencyOptimized            bool
}

// New resolves the AWS configuration (see awscreds.Load) and returns a Provider. It fails with
// an *llm.Error of kind llm.ErrConfig when no region is configured or the profile cannot be
// loaded; missing credentials surface on the first Stream.
func New(ctx context.Context, opts Options) (*Provider, error) {
	cfg, err := awscreds.Load(ctx, awscreds.Options{
		Region: opts.Region, Profile: opts.Profile, BearerToken: opts.BearerToken,
		Endpoint: opts.Endpoint, HTTPClient: opts.HTTPClient, Getenv: opts.Getenv,
	})
	if err != nil {
		return nil, err
	}
	if b, ok := cfg.AWS.HTTPClient.(*awshttp.BuildableClient); ok {
		dialer := netwait.Dialer(opts.Timeouts)
		cfg.AWS.HTTPClient = b.WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialer.Timeout }).
			WithTransportOptions(func(t *http.Transport) { t.TLSHandshakeTimeout = dialer.Timeout })
	}
	client := bedrockruntime.NewFromConfig(cfg.AWS, cfg.ClientOptions, func(o *bedrockruntime.Options) {
		// Stream retries whole attempts itself, so a stream that breaks before its first
		// delta is retried like a refused request; the SDK must not retry underneath.
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = hideWriteTo{netwait.Wrap(o.HTTPClient, opts.Timeouts)}
	})
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	guardrail, version, _ := strings.Cut(opts.Guardrail, ":")
	return &Provider{
		guardrail: guardrail, guardrailVersion: version, latencyOptimized: opts.Latency == "optimized",
		getenv: getenv,
		client: client, catalog: cat, region: cfg.AWS.Region, profile: cfg.Profile,
		policy: retry.Tuned(opts.MaxRetries, opts.RetryWait).WithMaxAfter(opts.MaxRetryWait),
		openAI: &openAIRoute{aws: cfg, httpClient: opts.HTTPClient, timeouts: opts.Timeouts, maxRetries: opts.MaxRetries, retryWait: opts.RetryWait, maxRetryWait: opts.MaxRetryWait, catalog: cat},
	}, nil
}

// Name returns "bedrock".
func (p *Provider) Name() string { return "bedrock" }

// Region returns the AWS region requests go to.
func (p *Provider) Region() string { return p.region }

// Stream sends req to the model req.Model names and streams its answer. Models the catalogue
// marks as rejecting tool use while streaming are called without streaming when tools are
// offered; their answer arrives as one delta. Throttling, 5xx answers and streams that break
// before their first delta are retried with backoff; a stream that breaks later fails with
// llm.ErrStream so the caller never sees a half message twice. Models the catalogue marks
// api = "openai" go through Bedrock's OpenAI-compatible endpoint instead (see Route), with the
// same retries.
func (p *Provider) Stream(ctx context.Context, req llm.Request, onDelta func(llm.Delta)) (llm.Response, error) {
	model := p.model(ctx, req.Model)
	if len(req.Tools) > 0 && !model.Tools {
		return llm.Response{}, NoToolsError(model)
	}
	if model.API == catalog.APIOpenAI {
		return p.streamOpenAI(ctx, req, onDelta)
	}
	in := buildInput(req, model)
	in.guardrail, in.guardrailVersion = p.guardrail, p.guardrailVersion
	if p.latencyOptimized && model.LatencyOptimized {
		in.performance = &types.PerformanceConfiguration{Latency: types.PerformanceConfigLatencyOptimized}
	}
	emitted := false
	emit := func(d llm.Delta) {
		emitted = true
		if onDelta != nil {
			onDelta(d)
		}
	}
	var resp llm.Response
	classify := func(err error) (bool, time.Duration) {
		if emitted {
			return false, 0
		}
		return retryable(err)
	}
	policy := p.policy
	policy.OnRetry = func(attempt int, wait time.Duration, err error) {
		if onDelta != nil {
			onDelta(llm.Delta{Kind: llm.DeltaNotice, Text: retry.Notice(retry.Reason(p.classify(err, model.ID)), attempt+1, policy.Attempts, wait)})
		}
	}
	err := retry.Do(ctx, policy, classify, func(ctx context.Context) error {
		var err error
		if len(req.Tools) > 0 && !model.StreamTools {
			resp, err = p.converse(ctx, in, emit)
		} else {
			resp, err = p.converseStream(ctx, in, emit)
		}
		return err
	})
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return llm.Response{}, err
		}
		return llm.Response{}, p.classify(err, model.ID)
	}
	if resp.Stop == llm.StopFiltered && p.guardrail != "" && resp.StopDetail == string(types.StopReasonGuardrailIntervened) {
		resp.StopDetail += ": guardrail " + p.guardrail + ":" + p.guardrailVersion
	}
	return resp, nil
}

// NoToolsError is the error for offering tools to a model the catalogue says cannot use them
// (Bedrock answers "This model doesn't support tool use in streaming mode." to every request).
func NoToolsError(m catalog.Model) *llm.Error {
	return &llm.Error{Kind: llm.ErrBadRequest, Final: true, Provider: m.Provider, Model: m.ID,
		Message: fmt.Sprintf("model %s cannot use tools, and hew's agent works through tools", m.ID),
		Hint:    "choose a model with tool use (`hew models` marks them); `hew review` can still use this one"}
}

// model returns the catalogue entry for id, or defaults for a model the catalogue lacks.
func (p *Provider) model(ctx context.Context, id string) catalog.Model {
	if m, ok := p.Resolve(ctx, id); ok {
		return m
	}
	return catalog.Model{Provider: "bedrock", ID: id, API: catalog.APIConverse, StreamTools: true, System: true, EditTool: catalog.EditFile,
		Tools: true, Family: catalog.BedrockFamily(id)}
}
