package bedrock

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"hew/agent/llm"
	"hew/agent/llm/awscreds"
	"hew/agent/llm/netwait"
	"hew/agent/llm/retry"
)

// Error codes Bedrock answers with that are worth another try.
var retryableCodes = []string{
	"ThrottlingException", "ServiceUnavailableException", "InternalServerException",
	"ModelStreamErrorException", "ModelNotReadyException", "ModelTimeoutException",
}

// retryable reports whether a failed attempt may be tried again and how long the server asked
// to wait. The caller only asks while no delta has reached the user.
func retryable(err error) (bool, time.Duration) {
	after := time.Duration(0)
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		after = retry.After(re.Response.Header, time.Now())
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return slices.Contains(retryableCodes, api.ErrorCode()), after
	}
	if status := httpStatus(err); status == 429 || status >= 500 {
		return true, after
	}
	var se *streamError
	var idle *netwait.IdleError
	if errors.As(err, &se) || errors.As(err, &idle) {
		return true, 0 // the connection broke or went silent before anything was shown: replay the request
	}
	// Connection resets, refused dials and the like, as the AWS SDK judges them.
	return awsretry.IsErrorRetryables(awsretry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary, after
}

// classify turns a final failure into an *llm.Error that says what to do.
func (p *Provider) classify(err error, model string) error {
	e := p.describe(err, model)
	e.Provider, e.Model, e.Err = "bedrock", model, err
	if e.Status == 0 {
		e.Status = httpStatus(err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		e.RetryAfter = retry.After(re.Response.Header, time.Now())
	}
	return e
}

func (p *Provider) describe(err error, model string) *llm.Error {
	if ce := awscreds.CredentialsError(err, p.profile); ce != nil {
		return ce
	}
	var idle *netwait.IdleError
	if errors.As(err, &idle) {
		return &llm.Error{Kind: llm.ErrStream, Message: idle.Error(),
			Hint: "Bedrock or the model hangs; try again later, or raise stream_idle_timeout in [network] of the config (HEW_STREAM_IDLE_TIMEOUT) if the model is slow to start"}
	}
	var se *streamError
	inStream := errors.As(err, &se)
	var api smithy.APIError
	if !errors.As(err, &api) {
		if inStream {
			return &llm.Error{Kind: llm.ErrStream, Message: "the response stream broke: " + se.err.Error(),
				Hint: "try again; nothing after the break was kept"}
		}
		if httpStatus(err) >= 500 {
			return &llm.Error{Kind: llm.ErrServer, Message: err.Error(), Hint: "Bedrock failed; try again later"}
		}
		return &llm.Error{Kind: llm.ErrServer, Message: "cannot reach Bedrock: " + err.Error(),
			Hint: "check the network, the region and any endpoint override (AWS_ENDPOINT_URL_BEDROCK_RUNTIME)"}
	}
	code, msg := api.ErrorCode(), api.ErrorMessage()
	text := code + ": " + msg
	lower := strings.ToLower(msg)
	switch {
	case isContextOverflow(code, lower):
		return &llm.Error{Kind: llm.ErrContextOverflow, Message: text, Hint: "compact the conversation or start a new session"}
	case code == "AccessDeniedException":
		return &llm.Error{Kind: llm.ErrPermission, Message: text,
			Hint: fmt.Sprintf("enable access to %s in %s in the Bedrock console (Model access), and check your IAM policy allows bedrock:InvokeModelWithResponseStream", model, p.region)}
	case slices.Contains([]string{"UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "ExpiredToken"}, code) || strings.Contains(lower, "security token"):
		hint := "refresh your AWS credentials"
		if p.profile != "" {
			hint = "refresh your AWS credentials (aws sso login --profile " + p.profile + " for SSO profiles)"
		}
		return &llm.Error{Kind: llm.ErrAuth, Message: text, Hint: hint}
	case code == "ResourceNotFoundException" || code == "ValidationException" && strings.Contains(lower, "model identifier is invalid"):
		return &llm.Error{Kind: llm.ErrNotFound, Message: text, Hint: p.suggest(model)}
	case code == "ValidationException" && strings.Contains(lower, "inference profile"):
		return &llm.Error{Kind: llm.ErrBadRequest, Message: text,
			Hint: fmt.Sprintf("this model is served only through a cross-region inference profile: use an id such as us.%s", model)}
	case code == "ThrottlingException" || code == "ServiceQuotaExceededException":
		return &llm.Error{Kind: llm.ErrRateLimit, Message: text,
			Hint: fmt.Sprintf("wait and try again, or ask for a higher Bedrock quota for %s in %s", model, p.region)}
	case inStream && code != "ValidationException":
		return &llm.Error{Kind: llm.ErrStream, Message: "the model stopped mid-answer with " + text,
			Hint: "try again; nothing after the break was kept"}
	case slices.Contains(retryableCodes, code) || code == "ModelErrorException" || httpStatus(err) >= 500:
		return &llm.Error{Kind: llm.ErrServer, Message: text, Hint: "Bedrock failed; try again later"}
	}
	return &llm.Error{Kind: llm.ErrBadRequest, Message: text}
}

// isContextOverflow recognises Bedrock's ways of saying the prompt is too long.
func isContextOverflow(code, lowerMsg string) bool {
	if code != "ValidationException" {
		return false
	}
	for _, s := range []string{"too long", "context length", "context window", "too many input tokens", "maximum context", "prompt is too long", "exceeds the maximum"} {
		if strings.Contains(lowerMsg, s) {
			return true
		}
	}
	return false
}

func (p *Provider) suggest(model string) string {
	if s := p.catalog.Suggest(model); len(s) > 0 {
		return "did you mean " + strings.Join(s, " or ") + "? (hew models lists known ids)"
	}
	return "check the model id; hew models lists known ids"
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
