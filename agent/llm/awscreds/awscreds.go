// Package awscreds resolves the AWS configuration hew uses for Amazon Bedrock — credentials,
// profile, region and endpoint — through the standard AWS chain, and describes it for
// `hew doctor` without revealing secrets.
package awscreds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/auth/bearer"

	"hew/agent/llm"
)

// Environment variables hew reads itself. The AWS SDK reads the rest of the standard ones
// (AWS_ACCESS_KEY_ID, AWS_CONFIG_FILE, AWS_WEB_IDENTITY_TOKEN_FILE, ...) from the process.
const (
	EnvRegion        = "AWS_REGION"
	EnvDefaultRegion = "AWS_DEFAULT_REGION"
	EnvProfile       = "AWS_PROFILE"
	EnvBearerToken   = "AWS_BEARER_TOKEN_BEDROCK"
	EnvEndpoint      = "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"
	// EnvMantleEndpoint overrides the endpoint of Bedrock's OpenAI-compatible API
	// (bedrock-mantle), following the AWS SDKs' AWS_ENDPOINT_URL_<SERVICE> convention.
	EnvMantleEndpoint = "AWS_ENDPOINT_URL_BEDROCK_MANTLE"
)

// Options chooses how to resolve the configuration. Empty fields fall back to the environment
// (through Getenv) and then to the shared AWS config files.
type Options struct {
	Region      string
	Profile     string
	BearerToken string // an Amazon Bedrock API key
	Endpoint    string // a base URL replacing the regional endpoint
	HTTPClient  *http.Client
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

// Config is a resolved configuration.
type Config struct {
	AWS         aws.Config
	Profile     string // the named profile in use, or ""
	BearerToken string // the Bedrock API key in use, or ""
	// Endpoint is the base URL override, or "" for the regional endpoint.
	Endpoint string
	// MantleEndpoint is the base URL override of the OpenAI-compatible endpoint, or "".
	MantleEndpoint string
	// HTTPClient sends Bedrock requests, or nil for the SDK's client. Credential providers
	// (SSO, STS) keep the SDK's client, which honours AWS_CA_BUNDLE.
	HTTPClient *http.Client
}

// Load resolves the configuration with config.LoadDefaultConfig, so environment credentials,
// shared profiles, SSO, web identity, container and instance roles all work. It fails with an
// *llm.Error of kind llm.ErrConfig when no region is set or the profile cannot be loaded.
func Load(ctx context.Context, opts Options) (Config, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Config{
		Profile:     firstOf(opts.Profile, getenv(EnvProfile)),
		BearerToken: firstOf(opts.BearerToken, getenv(EnvBearerToken)),
		Endpoint:    firstOf(opts.Endpoint, getenv(EnvEndpoint)),
		HTTPClient:  opts.HTTPClient,
	}
	c.MantleEndpoint = firstOf(getenv(EnvMantleEndpoint), c.Endpoint)
	var loads []func(*config.LoadOptions) error
	if region := firstOf(opts.Region, getenv(EnvRegion), getenv(EnvDefaultRegion)); region != "" {
		loads = append(loads, config.WithRegion(region))
	}
	if c.Profile != "" {
		loads = append(loads, config.WithSharedConfigProfile(c.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return Config{}, &llm.Error{Kind: llm.ErrConfig, Provider: "bedrock",
			Message: fmt.Sprintf("load AWS configuration: %v", err),
			Hint:    "check the profile exists in ~/.aws/config (or AWS_CONFIG_FILE) and is spelled as in --profile or AWS_PROFILE",
			Err:     err}
	}
	if cfg.Region == "" {
		return Config{}, &llm.Error{Kind: llm.ErrConfig, Provider: "bedrock",
			Message: "no AWS region is configured",
			Hint:    "set AWS_REGION or --region, or a region in the AWS profile"}
	}
	c.AWS = cfg
	return c, nil
}

// ClientOptions applies the configuration's bearer token, endpoint and HTTP client to a Bedrock
// runtime client's options.
func (c Config) ClientOptions(o *bedrockruntime.Options) {
	if c.HTTPClient != nil {
		o.HTTPClient = c.HTTPClient
	}
	if c.Endpoint != "" {
		o.BaseEndpoint = aws.String(c.Endpoint)
	}
	if c.BearerToken != "" {
		o.BearerAuthTokenProvider = BearerToken(c.BearerToken)
		o.AuthSchemePreference = []string{"httpBearerAuth"}
	}
}

// BearerToken provides a Bedrock API key to an AWS SDK client.
func BearerToken(token string) bearer.TokenProvider {
	return bearer.TokenProviderFunc(func(context.Context) (bearer.Token, error) {
		return bearer.Token{Value: token}, nil
	})
}

// Report describes what Load resolved. It never holds a secret.
type Report struct {
	Source   string // where credentials come from
	Profile  string
	Region   string
	Endpoint string
	// OpenAIEndpoint is the API root of the OpenAI-compatible endpoint (see OpenAIBaseURL).
	OpenAIEndpoint string
	// Problem says why credentials could not be obtained, with what to do; "" when they were.
	Problem string
}

// Check resolves the configuration and retrieves credentials, waiting at most timeout for them
// (instance metadata can be slow to answer off EC2), and reports the outcome. A configuration
// that cannot load is returned as an error; missing or expired credentials are a Problem.
func Check(ctx context.Context, opts Options, timeout time.Duration) (Report, error) {
	c, err := Load(ctx, opts)
	if err != nil {
		return Report{}, err
	}
	r := Report{Profile: c.Profile, Region: c.AWS.Region, Endpoint: c.ResolvedEndpoint(ctx), OpenAIEndpoint: c.OpenAIBaseURL()}
	if c.BearerToken != "" {
		r.Source = "Bedrock API key (" + EnvBearerToken + " or configuration)"
		return r, nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	creds, err := c.AWS.Credentials.Retrieve(ctx)
	if err != nil {
		r.Problem = CredentialsError(err, c.Profile).Error()
		return r, nil
	}
	r.Source = describeSource(creds.Source)
	return r, nil
}

// ResolvedEndpoint returns the base URL Bedrock runtime requests go to.
func (c Config) ResolvedEndpoint(ctx context.Context) string {
	client := bedrockruntime.NewFromConfig(c.AWS, c.ClientOptions)
	if base := client.Options().BaseEndpoint; base != nil {
		return *base
	}
	ep, err := bedrockruntime.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, bedrockruntime.EndpointParameters{Region: aws.String(c.AWS.Region)})
	if err != nil {
		return fmt.Sprintf("(cannot resolve an endpoint for region %s: %v)", c.AWS.Region, err)
	}
	return ep.URI.String()
}

// OpenAIBaseURL returns the API root of Bedrock's OpenAI-compatible endpoint, which serves the
// OpenAI models Converse does not (GPT-5.x): AWS_ENDPOINT_URL_BEDROCK_MANTLE, else the runtime
// endpoint override — so one override redirects all of hew's Bedrock traffic — else the
// regional https://bedrock-mantle.REGION.api.aws; followed by /openai/v1.
func (c Config) OpenAIBaseURL() string {
	base := c.MantleEndpoint
	if base == "" {
		base = "https://bedrock-mantle." + c.AWS.Region + ".api.aws"
	}
	return strings.TrimRight(base, "/") + "/openai/v1"
}

// String renders the report as doctor lines.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "credentials: %s\n", firstOf(r.Source, "none"))
	fmt.Fprintf(&b, "profile:     %s\n", firstOf(r.Profile, "(default chain)"))
	fmt.Fprintf(&b, "region:      %s\n", r.Region)
	fmt.Fprintf(&b, "endpoint:    %s (ConverseStream)\n", r.Endpoint)
	fmt.Fprintf(&b, "             %s (OpenAI-compatible, GPT-5.x)\n", r.OpenAIEndpoint)
	if r.Problem != "" {
		fmt.Fprintf(&b, "problem:     %s\n", r.Problem)
	}
	return b.String()
}

// withProfile is the AWS CLI command cmd for the named profile (none: the default).
func withProfile(cmd, profile string) string {
	if profile != "" {
		cmd += " --profile " + profile
	}
	return cmd
}

// CredentialsError turns a failure to obtain AWS credentials into an *llm.Error of kind
// llm.ErrAuth that says what to do, or returns nil when err is not about credentials.
func CredentialsError(err error, profile string) *llm.Error {
	var sso *ssocreds.InvalidTokenError
	if errors.As(err, &sso) {
		return &llm.Error{Kind: llm.ErrAuth, Provider: "bedrock", Err: err,
			Message: "the AWS SSO session has expired or is missing",
			Hint:    "run " + withProfile("aws sso login", profile)}
	}
	msg := err.Error()
	if strings.Contains(msg, "login token") || strings.Contains(msg, "login session") {
		// Console credentials from `aws login` (a login_session profile).
		return &llm.Error{Kind: llm.ErrAuth, Provider: "bedrock", Err: err,
			Message: "the AWS console sign-in (aws login) has expired or is missing",
			Hint:    "run " + withProfile("aws login", profile)}
	}
	for _, s := range []string{"get identity", "failed to refresh cached credentials", "no EC2 IMDS role", "static credentials are empty", "failed to retrieve credentials"} {
		if strings.Contains(msg, s) {
			return &llm.Error{Kind: llm.ErrAuth, Provider: "bedrock", Err: err,
				Message: "no AWS credentials were found",
				Hint:    "set AWS_PROFILE (and run aws sso login if it uses SSO), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_BEARER_TOKEN_BEDROCK"}
		}
	}
	return nil
}

// describeSource names a credential source the SDK reports in words.
func describeSource(src string) string {
	switch {
	case src == "":
		return "AWS credential chain"
	case strings.HasPrefix(src, "EnvConfigCredentials"):
		return "environment (AWS_ACCESS_KEY_ID)"
	case strings.HasPrefix(src, "SharedConfigCredentials"):
		return "shared credentials file (" + strings.TrimSpace(strings.TrimPrefix(src, "SharedConfigCredentials:")) + ")"
	case strings.HasPrefix(src, "LoginProvider"):
		return "AWS console sign-in (aws login)"
	case strings.Contains(src, "SSO"):
		return "AWS SSO"
	case strings.Contains(src, "WebIdentity"):
		return "web identity token"
	case strings.Contains(src, "EC2RoleProvider"):
		return "EC2 instance role (IMDS)"
	case strings.Contains(src, "Endpoint"):
		return "container credentials endpoint"
	case strings.Contains(src, "Process"):
		return "credential_process"
	}
	return src
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
