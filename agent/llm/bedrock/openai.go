package bedrock

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	oaibedrock "github.com/openai/openai-go/v3/bedrock"
	"github.com/openai/openai-go/v3/option"

	"hew/agent/llm"
	"hew/agent/llm/awscreds"
	"hew/agent/llm/catalog"
	"hew/agent/llm/netwait"
	"hew/agent/llm/openai"
)

// Route says how a Provider reaches model m: through ConverseStream, or through Bedrock's
// OpenAI-compatible endpoint for the models the catalogue marks api = "openai".
func Route(m catalog.Model) string {
	if m.API == catalog.APIOpenAI {
		return "OpenAI-compatible endpoint (Responses API)"
	}
	return "ConverseStream"
}

// openAIRoute reaches the models Bedrock serves only through its OpenAI-compatible endpoint
// (bedrock-mantle), speaking the Responses API through hew's openai provider with a client from
// openai-go's bedrock package, which signs each request with SigV4 or sends the Bedrock API
// key. The provider is made on first use because making it retrieves AWS credentials.
type openAIRoute struct {
	aws        awscreds.Config
	httpClient *http.Client
	timeouts   netwait.Timeouts
	// maxRetryWait: see Options.MaxRetryWait.
	maxRetryWait time.Duration
	maxRetries   int
	retryWait    time.Duration
	catalog      *catalog.Catalog

	mu       sync.Mutex
	provider *openai.Provider
}

// streamOpenAI streams req through the OpenAI-compatible endpoint.
func (p *Provider) streamOpenAI(ctx context.Context, req llm.Request, onDelta func(llm.Delta)) (llm.Response, error) {
	op, err := p.openAI.get(ctx, p.profile)
	if err != nil {
		return llm.Response{}, p.fromOpenAI(err, req.Model)
	}
	resp, err := op.Stream(ctx, req, onDelta)
	if err == nil || ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return resp, err
	}
	return resp, p.fromOpenAI(err, req.Model)
}

// get returns the route's provider, making it on first use.
func (r *openAIRoute) get(ctx context.Context, profile string) (*openai.Provider, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.provider != nil {
		return r.provider, nil
	}
	base := r.aws.OpenAIBaseURL()
	cfg := oaibedrock.Config{AWSRegion: r.aws.AWS.Region, BaseURL: base}
	if token := r.aws.BearerToken; token != "" {
		if !strings.HasPrefix(strings.ToLower(base), "https://") {
			return nil, &llm.Error{Kind: llm.ErrConfig,
				Message: "a Bedrock API key is sent only over HTTPS, and the OpenAI-compatible endpoint is " + base,
				Hint:    "point " + awscreds.EnvMantleEndpoint + " (or " + awscreds.EnvEndpoint + ") at an https:// URL, or use AWS credentials instead of AWS_BEARER_TOKEN_BEDROCK"}
		}
		cfg.APIKey = token
	} else {
		if r.aws.AWS.Credentials == nil {
			return nil, awscreds.CredentialsError(errors.New("failed to retrieve credentials: none configured"), profile)
		}
		cfg.AWSCredentialsProvider = explainedCredentials{r.aws.AWS.Credentials, profile}
	}
	client, err := oaibedrock.NewClient(ctx, cfg,
		option.WithHTTPClient(r.client()),
		option.WithMaxRetries(0)) // the openai provider retries whole attempts
	if err != nil {
		var le *llm.Error
		if errors.As(err, &le) {
			return nil, le
		}
		return nil, &llm.Error{Kind: llm.ErrConfig, Message: err.Error(), Err: err,
			Hint: "check the region and the endpoint overrides (" + awscreds.EnvMantleEndpoint + ", " + awscreds.EnvEndpoint + ")"}
	}
	op, err := openai.New(openai.Options{BaseURL: base, API: openai.APIResponses, Client: &client,
		MaxRetries: r.maxRetries, RetryWait: r.retryWait, MaxRetryWait: r.maxRetryWait, Catalog: r.catalog, CatalogProvider: "bedrock"})
	if err != nil {
		return nil, err
	}
	r.provider = op
	return op, nil
}

// client returns the HTTP client for the route: the configured one, else one with the AWS
// SDK's transport, so AWS_CA_BUNDLE and the SDK's connection settings apply.
//
// Unlike the Converse client it needs no hideWriteTo: nothing closes the request body while
// the transport writes it. Measured with hideWriteTo's trap (3,000 signed calls to an instant
// local server through this client, TestOpenAIRouteDefaultTransportSurvivesInstantServers six
// times): no failures.
func (r *openAIRoute) client() *http.Client {
	c := &http.Client{}
	if r.httpClient != nil {
		*c = *r.httpClient
	} else if b, ok := r.aws.AWS.HTTPClient.(*awshttp.BuildableClient); ok {
		c.Transport = b.GetTransport()
	}
	c.Transport = netwait.Transport(c.Transport, r.timeouts)
	return c
}

// explainedCredentials retrieves AWS credentials, turning a failure into an *llm.Error of kind
// llm.ErrAuth that says what to do; openai-go keeps it as the cause of its own error, and the
// openai provider passes it on unretried.
type explainedCredentials struct {
	next    aws.CredentialsProvider
	profile string
}

func (c explainedCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := c.next.Retrieve(ctx)
	if err == nil || ctx.Err() != nil {
		return creds, err
	}
	if e := awscreds.CredentialsError(err, c.profile); e != nil {
		return creds, e
	}
	return creds, &llm.Error{Kind: llm.ErrAuth, Provider: "bedrock", Err: err,
		Message: fmt.Sprintf("cannot obtain AWS credentials: %v", err),
		Hint:    "check AWS_PROFILE or the AWS credentials in the environment, or set AWS_BEARER_TOKEN_BEDROCK"}
}

// fromOpenAI rewrites an error of the openai provider as Bedrock's, with hints about AWS
// rather than OpenAI settings.
func (p *Provider) fromOpenAI(err error, model string) error {
	var src *llm.Error
	if !errors.As(err, &src) {
		return &llm.Error{Kind: llm.ErrStream, Provider: "bedrock", Model: model, Message: err.Error(), Err: err}
	}
	e := *src
	e.Provider, e.Model = "bedrock", model
	where := fmt.Sprintf("%s in %s", model, p.region)
	switch e.Kind {
	case llm.ErrAuth:
		if src.Provider != "bedrock" { // a 401 reply, not a credentials failure of ours
			e.Hint = "check AWS_BEARER_TOKEN_BEDROCK, or refresh your AWS credentials"
			if p.profile != "" {
				e.Hint += " (aws sso login --profile " + p.profile + " for SSO profiles)"
			}
		}
	case llm.ErrPermission:
		e.Hint = fmt.Sprintf("enable access to %s in the Bedrock console (Model access), check the model is offered in that region, and that your IAM policy allows invoking it", where)
	case llm.ErrNotFound:
		e.Hint = p.suggest(model)
		if _, known := p.catalog.Lookup("bedrock", model); known {
			e.Hint = fmt.Sprintf("%s is not served in %s; pick a region that offers it (--region or AWS_REGION)", model, p.region)
		}
	case llm.ErrRateLimit:
		e.Hint = fmt.Sprintf("wait and try again, or ask for a higher Bedrock quota for %s", where)
	case llm.ErrConfig, llm.ErrServer:
		if strings.Contains(e.Hint, "OPENAI_BASE_URL") {
			e.Hint = "check the network, the region and any endpoint override (" + awscreds.EnvMantleEndpoint + ", " + awscreds.EnvEndpoint + ")"
		}
	}
	return &e
}
