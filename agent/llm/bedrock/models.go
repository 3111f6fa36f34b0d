package bedrock

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"hew/agent/llm"
	"hew/agent/llm/awscreds"
	"hew/agent/llm/catalog"
)

// EnvControlEndpoint overrides the endpoint of Bedrock's control plane (model and inference
// profile lists), as the AWS CLI reads it.
const EnvControlEndpoint = "AWS_ENDPOINT_URL_BEDROCK"

// control returns a client of Bedrock's control plane with the provider's credentials.
func (p *Provider) control() *awsbedrock.Client {
	c := p.openAI.aws
	return awsbedrock.NewFromConfig(c.AWS, func(o *awsbedrock.Options) {
		if c.HTTPClient != nil {
			o.HTTPClient = c.HTTPClient
		}
		// The runtime endpoint override (often a VPC endpoint of bedrock-runtime) does not
		// serve the control plane: only its own override applies.
		if e := p.getenv(EnvControlEndpoint); e != "" {
			o.BaseEndpoint = aws.String(e)
		}
		if c.BearerToken != "" {
			o.BearerAuthTokenProvider = awscreds.BearerToken(c.BearerToken)
			o.AuthSchemePreference = []string{"httpBearerAuth"}
		}
	})
}

// ListModels lists what the account can call in the region now: the foundation models that
// take on-demand text requests (ListFoundationModels), the cross-region inference profiles and
// the account's application inference profiles (ListInferenceProfiles; an application
// profile's ARN is its model id), and the models of the OpenAI-compatible endpoint. A failure
// of that endpoint's list alone is not an error: the account may not use it.
func (p *Provider) ListModels(ctx context.Context) ([]llm.ModelInfo, error) {
	client := p.control()
	fm, err := client.ListFoundationModels(ctx, &awsbedrock.ListFoundationModelsInput{ByOutputModality: types.ModelModalityText})
	if err != nil {
		return nil, p.classify(err, "")
	}
	var out []llm.ModelInfo
	for _, m := range fm.ModelSummaries {
		onDemand := false
		for _, t := range m.InferenceTypesSupported {
			onDemand = onDemand || t == types.InferenceTypeOnDemand
		}
		if onDemand && (m.ModelLifecycle == nil || m.ModelLifecycle.Status != types.FoundationModelLifecycleStatusLegacy) {
			out = append(out, llm.ModelInfo{ID: aws.ToString(m.ModelId), Kind: "foundation model"})
		}
	}
	for _, typ := range []types.InferenceProfileType{types.InferenceProfileTypeSystemDefined, types.InferenceProfileTypeApplication} {
		pages := awsbedrock.NewListInferenceProfilesPaginator(client, &awsbedrock.ListInferenceProfilesInput{TypeEquals: typ})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, p.classify(err, "")
			}
			for _, ip := range page.InferenceProfileSummaries {
				if ip.Status != "" && ip.Status != types.InferenceProfileStatusActive {
					continue
				}
				info := llm.ModelInfo{ID: aws.ToString(ip.InferenceProfileId), Kind: "cross-region profile", BaseModel: baseModel(ip.Models)}
				if typ == types.InferenceProfileTypeApplication {
					info.ID, info.Kind = aws.ToString(ip.InferenceProfileArn), "application profile"
				}
				out = append(out, info)
			}
		}
	}
	if op, err := p.openAI.get(ctx, p.profile); err == nil {
		if models, err := op.ListModels(ctx); err == nil {
			for _, m := range models {
				m.Kind = "OpenAI-compatible endpoint"
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// baseModel returns the foundation model id an inference profile routes to, from the ARN of
// its first model ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-...").
func baseModel(models []types.InferenceProfileModel) string {
	if len(models) == 0 {
		return ""
	}
	_, id, ok := strings.Cut(aws.ToString(models[0].ModelArn), "foundation-model/")
	if !ok {
		return ""
	}
	return id
}

// IsApplicationProfile reports whether id is an application inference profile ARN.
func IsApplicationProfile(id string) bool {
	return strings.HasPrefix(id, "arn:") && strings.Contains(id, ":application-inference-profile/")
}

// profiles caches the base models of application inference profiles resolved this session.
type profiles struct {
	mu   sync.Mutex
	base map[string]string
}

// Resolve describes model id from the catalogue. An application inference profile ARN the
// catalogue lacks is looked up (GetInferenceProfile) and inherits its base model's entry, with
// the ARN as its id; ok is false when neither the catalogue nor the lookup knows the model.
func (p *Provider) Resolve(ctx context.Context, id string) (catalog.Model, bool) {
	if m, ok := p.catalog.Lookup("bedrock", id); ok {
		return m, true
	}
	if !IsApplicationProfile(id) {
		return catalog.Model{}, false
	}
	base := p.profileBase(ctx, id)
	if base == "" {
		return catalog.Model{}, false
	}
	m, ok := p.catalog.Lookup("bedrock", base)
	if !ok {
		// The base model may be listed under a cross-region profile prefix only.
		for _, prefix := range []string{"us", "eu", "apac", "global"} {
			if m, ok = p.catalog.Lookup("bedrock", prefix+"."+base); ok {
				break
			}
		}
	}
	if !ok {
		return catalog.Model{}, false
	}
	m.ID = id
	return m, true
}

func (p *Provider) profileBase(ctx context.Context, arn string) string {
	p.apps.mu.Lock()
	defer p.apps.mu.Unlock()
	if base, ok := p.apps.base[arn]; ok {
		return base
	}
	out, err := p.control().GetInferenceProfile(ctx, &awsbedrock.GetInferenceProfileInput{InferenceProfileIdentifier: aws.String(arn)})
	if err != nil {
		return "" // not cached: a later call may succeed
	}
	if p.apps.base == nil {
		p.apps.base = map[string]string{}
	}
	p.apps.base[arn] = baseModel(out.Models)
	return p.apps.base[arn]
}
