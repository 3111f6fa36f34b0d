package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"hew/agent/patch"
)

type applyPatchArgs struct {
	Patch string `json:"patch"`
}

var applyPatch = define(Tool{
	Name:    EditApplyPatch,
	summary: summarizePatch,
}, func(ctx context.Context, env *Env, a applyPatchArgs) Result {
	p, err := patch.Parse(a.Patch)
	if err != nil {
		return errorf("%v", err)
	}
	res, err := patch.Apply(env.Layer, p)
	if err != nil {
		err = fmt.Errorf("%w\nNothing was applied", err)
	}
	return editResult(res, err)
})

// summarizePatch names the files a patch touches.
func summarizePatch(raw json.RawMessage) string {
	var a applyPatchArgs
	_ = json.Unmarshal(raw, &a)
	var files []string
	for _, line := range strings.Split(a.Patch, "\n") {
		for _, p := range []string{"*** Add File: ", "*** Update File: ", "*** Delete File: ", "+++ b/"} {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), p); ok {
				files = append(files, rest)
			}
		}
	}
	return "patch " + strings.Join(files, ", ")
}

// editResult reports the outcome of a patch or an edit to the model.
func editResult(res *patch.Result, err error) Result {
	if err != nil {
		return errorf("%v", err)
	}
	return Result{Output: "applied to the proposal:\n" + res.String(), Changed: true}
}
