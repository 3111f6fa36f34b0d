package tools

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

const (
	defaultReadOffset = 1    // the first line read_file shows when offset is not given
	defaultReadLimit  = 2000 // how many lines read_file shows when limit is not given
	maxLineLength     = 2000 // longer lines are cut
)

type readFileArgs struct {
	Path   string `json:"path"`
	Offset int    `json:"offset,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

var readFile = define(Tool{
	Name:     "read_file",
	ReadOnly: true,
	consts:   map[string]any{"DefaultOffset": defaultReadOffset, "DefaultLimit": defaultReadLimit, "MaxLineLength": maxLineLength},
	summary:  summarize("read", "path"),
}, func(ctx context.Context, env *Env, a readFileArgs) Result {
	if a.Path == "" {
		return errorf("read_file needs a path")
	}
	data, err := env.Layer.ReadFile(a.Path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errorf("%s does not exist. Use list_files to find the right path", a.Path)
		}
		return errorf("read %s: %v", a.Path, err)
	}
	if isBinary(data) {
		return errorf("%s is a binary file (%d bytes); read_file shows text only", a.Path, len(data))
	}
	if len(data) == 0 {
		return Result{Output: "(empty file)"}
	}
	if a.Offset <= 0 {
		a.Offset = defaultReadOffset
	}
	if a.Limit <= 0 {
		a.Limit = defaultReadLimit
	}
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if a.Offset > len(lines) {
		return errorf("%s has %s; offset %d is past the end", a.Path, count(len(lines), "line"), a.Offset)
	}
	end := min(a.Offset-1+a.Limit, len(lines))
	var b strings.Builder
	for i := a.Offset - 1; i < end; i++ {
		line := strings.TrimRight(lines[i], "\r\n")
		if len(line) > maxLineLength {
			line = line[:maxLineLength] + " [… line cut]"
		}
		fmt.Fprintf(&b, "%d\t%s\n", i+1, line)
	}
	if end < len(lines) {
		fmt.Fprintf(&b, "[… %d more lines; continue with offset %d]\n", len(lines)-end, end+1)
	}
	return Result{Output: b.String()}
})
