package tools

import (
	"context"

	"hew/agent/patch"
)

type editFileArgs struct {
	Path       string `json:"path"`
	OldString  string `json:"old_string"`
	NewString  string `json:"new_string"`
	ReplaceAll bool   `json:"replace_all,omitempty"`
}

var editFile = define(Tool{
	Name:    EditEditFile,
	summary: summarize("edit", "path"),
}, func(ctx context.Context, env *Env, a editFileArgs) Result {
	if a.Path == "" {
		return errorf("edit_file needs a path")
	}
	return editResult(patch.Edit(env.Layer, a.Path, a.OldString, a.NewString, a.ReplaceAll))
})
