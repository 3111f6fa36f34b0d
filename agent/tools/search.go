package tools

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

const (
	defaultSearchMax    = 100     // matching lines returned when max_results is not given
	maxSearchFileSize   = 2 << 20 // larger files are skipped
	maxSearchLineLength = 300     // longer matching lines are cut
	searchWorkers       = 8       // files read at once
)

type searchArgs struct {
	Pattern    string `json:"pattern"`
	Path       string `json:"path,omitempty"`
	Glob       string `json:"glob,omitempty"`
	IgnoreCase bool   `json:"ignore_case,omitempty"`
	MaxResults int    `json:"max_results,omitempty"`
}

var search = define(Tool{
	Name:     "search",
	ReadOnly: true,
	consts:   map[string]any{"DefaultMaxResults": defaultSearchMax},
	summary:  summarize("search", "pattern"),
}, func(ctx context.Context, env *Env, a searchArgs) Result {
	if a.Pattern == "" {
		return errorf("search needs a pattern")
	}
	expr := a.Pattern
	if a.IgnoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return errorf("invalid pattern %q: %v (RE2 syntax: escape ( ) [ ] { } . * + ? with \\)", a.Pattern, err)
	}
	if a.MaxResults <= 0 {
		a.MaxResults = defaultSearchMax
	}
	names, err := matchingFiles(ctx, env, a.Path, a.Glob)
	if err != nil {
		return errorf("%v", err)
	}
	var b strings.Builder
	found, more := 0, 0
	for _, fm := range searchFiles(ctx, env, names, re) {
		for _, m := range fm {
			if found >= a.MaxResults {
				more++
				continue
			}
			found++
			b.WriteString(m)
		}
	}
	if found == 0 {
		return Result{Output: "no matches"}
	}
	if more > 0 {
		fmt.Fprintf(&b, "[… %d more matches not shown; narrow the pattern, path or glob]\n", more)
	}
	return Result{Output: b.String()}
})

// searchFiles reads and matches files in parallel (opening files dominates a search) and
// returns each file's matching lines, formatted, in the order of names.
func searchFiles(ctx context.Context, env *Env, names []string, re *regexp.Regexp) [][]string {
	out := make([][]string, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(searchWorkers, len(names)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = searchFile(env, names[i], re)
			}
		}()
	}
	for i := range names {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func searchFile(env *Env, name string, re *regexp.Regexp) []string {
	data, ok, err := env.Layer.ReadSmallFile(name, maxSearchFileSize)
	if err != nil || !ok || !re.Match(data) || isBinary(data) {
		return nil
	}
	var out []string
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !re.Match(line) {
			continue
		}
		text := string(bytes.TrimRight(line, "\r"))
		if len(text) > maxSearchLineLength {
			text = text[:maxSearchLineLength] + " [… line cut]"
		}
		out = append(out, fmt.Sprintf("%s:%d: %s\n", name, i+1, text))
	}
	return out
}
