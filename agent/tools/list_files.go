package tools

import (
	"context"
	"fmt"
	"strings"
)

// defaultListMax is how many paths list_files returns when max is not given.
const defaultListMax = 500

type listFilesArgs struct {
	Path string `json:"path,omitempty"`
	Glob string `json:"glob,omitempty"`
	Max  int    `json:"max,omitempty"`
}

var listFiles = define(Tool{
	Name:     "list_files",
	ReadOnly: true,
	consts:   map[string]any{"DefaultMax": defaultListMax},
	summary:  summarize("list", "path"),
}, func(ctx context.Context, env *Env, a listFilesArgs) Result {
	if a.Max <= 0 {
		a.Max = defaultListMax
	}
	names, err := matchingFiles(ctx, env, a.Path, a.Glob)
	if err != nil {
		return errorf("%v", err)
	}
	out, more := names[:min(len(names), a.Max)], max(len(names)-a.Max, 0)
	if len(out) == 0 {
		return Result{Output: "no files match"}
	}
	s := strings.Join(out, "\n")
	if more > 0 {
		s += fmt.Sprintf("\n[… %d more files not shown; narrow with path or glob]", more)
	}
	return Result{Output: s}
})
