package tools

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"sync"

	"hew/agent/proposal"
)

const (
	defaultSearchMax    = 100     // matching lines returned when max_results is not given
	maxSearchFileSize   = 2 << 20 // larger files are skipped
	maxSearchLineLength = 300     // longer matching lines are cut
	searchWorkers       = 8       // files read at once
	maxReusedBuffer     = 1 << 20 // a search worker keeps its read buffer up to this size
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
	glob, err := compileGlob(a.Glob)
	if err != nil {
		return errorf("%v", err)
	}
	match := re.Match
	if lit := []byte(a.Pattern); !a.IgnoreCase && regexp.QuoteMeta(a.Pattern) == a.Pattern {
		match = func(b []byte) bool { return bytes.Contains(b, lit) }
	}
	reader, err := env.Layer.NewFileReader()
	if err != nil {
		return errorf("%v", err)
	}
	defer reader.Close()
	// Files are read while the walk goes on.
	files := make(chan walkedFile, 256)
	var walkErr error
	go func() {
		defer close(files)
		walkErr = walkFiles(ctx, env, a.Path, false, func(name string, d fs.DirEntry) error {
			if glob(name) {
				files <- walkedFile{name, d}
			}
			return nil
		})
	}()
	found := searchFiles(env, reader, files, match)
	if walkErr != nil {
		return errorf("%v", walkErr)
	}
	var b strings.Builder
	shown, more := 0, 0
	for _, fm := range found {
		for _, m := range fm {
			if shown >= a.MaxResults {
				more++
				continue
			}
			shown++
			b.WriteString(m)
		}
	}
	if shown == 0 {
		return Result{Output: "no matches"}
	}
	if more > 0 {
		fmt.Fprintf(&b, "[… %d more matches not shown; narrow the pattern, path or glob]\n", more)
	}
	return Result{Output: b.String()}
})

// walkedFile is a file the walk found, with its entry (nil when the search names the file).
type walkedFile struct {
	name string
	d    fs.DirEntry
}

// searchFiles reads and matches the files as they arrive, in parallel (opening files dominates
// a search), and returns each file's matching lines, formatted, in the order they arrived.
func searchFiles(env *Env, reader *proposal.FileReader, files <-chan walkedFile, match func([]byte) bool) [][]string {
	type job struct {
		i int
		f walkedFile
	}
	next := make(chan job, 256)
	var (
		mu  sync.Mutex
		out [][]string
		wg  sync.WaitGroup
	)
	for range searchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte // reused from file to file: the lines kept are copies
			for j := range next {
				var lines []string
				if lines, buf = searchFile(env, reader, j.f, match, buf); lines != nil {
					mu.Lock()
					for len(out) <= j.i {
						out = append(out, nil)
					}
					out[j.i] = lines
					mu.Unlock()
				}
			}
		}()
	}
	i := 0
	for f := range files {
		next <- job{i, f}
		i++
	}
	close(next)
	wg.Wait()
	return out
}

// searchFile returns the matching lines of f, formatted, reading it into buf when it fits; it
// returns the buffer to read the next file into.
func searchFile(env *Env, reader *proposal.FileReader, f walkedFile, match func([]byte) bool, buf []byte) ([]string, []byte) {
	var (
		data []byte
		ok   bool
		err  error
	)
	if f.d != nil {
		data, ok, err = reader.ReadSmallFileInto(f.name, f.d, maxSearchFileSize, buf)
		if cap(data) > cap(buf) && cap(data) <= maxReusedBuffer {
			buf = data[:0]
		}
	} else {
		data, ok, err = env.Layer.ReadSmallFile(f.name, maxSearchFileSize)
	}
	if err != nil || !ok || !match(data) || isBinary(data) {
		return nil, buf
	}
	var out []string
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !match(line) {
			continue
		}
		text := string(bytes.TrimRight(line, "\r"))
		if len(text) > maxSearchLineLength {
			text = text[:maxSearchLineLength] + " [… line cut]"
		}
		out = append(out, fmt.Sprintf("%s:%d: %s\n", f.name, i+1, text))
	}
	return out, buf
}
