package llmtest

import "path/filepath"

// AWSEnv returns environment settings under which the AWS SDK finds nothing of the developer's
// own: HOME and the shared config and credentials files in dir (which need not hold them), no
// keys, profile, region, bearer token or endpoint overrides, and no instance metadata. Tests
// apply them with t.Setenv (the SDK reads the process environment), then add what they test.
func AWSEnv(dir string) map[string]string {
	env := map[string]string{
		"HOME":                        dir,
		"AWS_CONFIG_FILE":             filepath.Join(dir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_BEARER_TOKEN_BEDROCK",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL_BEDROCK_MANTLE", "AWS_BEDROCK_BASE_URL",
		"AWS_CA_BUNDLE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"} {
		env[k] = ""
	}
	return env
}
