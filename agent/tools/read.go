package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"
)

const (
	defaultListMax    = 500
	defaultReadLimit  = 2000
	maxLineLength     = 2000
	defaultSearchMax  = 100
	maxSearchFileSize = 2 << 20
)

var listFiles = &Tool{
	Name:     "list_files",
	ReadOnly: true,
	summary:  summarize("list", "path"),
	run: func(ctx context.Context, env *Env, raw json.RawMessage) Result {
		var a struct {
			Path string `json:"path"`
			Glob string `json:"glob"`
			Max  int    `json:"max"`
		}
		if err := decode("list_files", raw, &a); err != nil {
			return errorf("%v", err)
		}
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
	},
}

// matchingFiles lists the non-ignored files under dir (dir itself when it names a file) that
// match glob, in lexical order.
func matchingFiles(ctx context.Context, env *Env, dir, glob string) ([]string, error) {
	match, err := compileGlob(glob)
	if err != nil {
		return nil, err
	}
	var names []string
	err = walkFiles(ctx, env, dir, func(name string) error {
		if match(name) {
			names = append(names, name)
		}
		return nil
	})
	return names, err
}

// walkFiles calls fn for every non-ignored file under dir (a file itself when dir names one).
func walkFiles(ctx context.Context, env *Env, dir string, fn func(name string) error) error {
	clean, err := env.Layer.Clean(dir)
	if err != nil {
		return err
	}
	info, err := env.Layer.Stat(clean)
	if err != nil {
		return fmt.Errorf("%s does not exist", dir)
	}
	if clean != "." && env.Layer.Excluded(clean, info.IsDir()) {
		return fmt.Errorf("%s is ignored by git, and so left out of listings and searches", dir)
	}
	if !info.IsDir() {
		return fn(clean)
	}
	return env.Layer.WalkDir(clean, true, func(name string, d fs.DirEntry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		return fn(name)
	})
}

var readFile = &Tool{
	Name:     "read_file",
	ReadOnly: true,
	summary:  summarize("read", "path"),
	run: func(ctx context.Context, env *Env, raw json.RawMessage) Result {
		var a struct {
			Path   string `json:"path"`
			Offset int    `json:"offset"`
			Limit  int    `json:"limit"`
		}
		if err := decode("read_file", raw, &a); err != nil {
			return errorf("%v", err)
		}
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
			a.Offset = 1
		}
		if a.Limit <= 0 {
			a.Limit = defaultReadLimit
		}
		lines := strings.SplitAfter(string(data), "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		if a.Offset > len(lines) {
			return errorf("%s has %d lines; offset %d is past the end", a.Path, len(lines), a.Offset)
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
	},
}

var search = &Tool{
	Name:     "search",
	ReadOnly: true,
	summary:  summarize("search", "pattern"),
	run: func(ctx context.Context, env *Env, raw json.RawMessage) Result {
		var a struct {
			Pattern    string `json:"pattern"`
			Path       string `json:"path"`
			Glob       string `json:"glob"`
			IgnoreCase bool   `json:"ignore_case"`
			MaxResults int    `json:"max_results"`
		}
		if err := decode("search", raw, &a); err != nil {
			return errorf("%v", err)
		}
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
	},
}

// searchFiles reads and matches files in parallel (opening files dominates a search) and
// returns each file's matching lines, formatted, in the order of names.
func searchFiles(ctx context.Context, env *Env, names []string, re *regexp.Regexp) [][]string {
	out := make([][]string, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(8, len(names)); w++ {
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
	if info, err := env.Layer.Stat(name); err != nil || !info.Mode().IsRegular() || info.Size() > maxSearchFileSize {
		return nil
	}
	data, err := env.Layer.ReadFile(name)
	if err != nil || !re.Match(data) || isBinary(data) {
		return nil
	}
	var out []string
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !re.Match(line) {
			continue
		}
		text := string(bytes.TrimRight(line, "\r"))
		if len(text) > 300 {
			text = text[:300] + " [… line cut]"
		}
		out = append(out, fmt.Sprintf("%s:%d: %s\n", name, i+1, text))
	}
	return out
}

// isBinary reports whether data looks like a binary file: a NUL byte in its first 8 KiB.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8<<10)], 0) >= 0
}

// compileGlob returns a matcher for a glob over slash-separated paths. "**" matches any number
// of directories, "*" and "?" stay within one path element, "{a,b}" is an alternation. A glob
// without "/" matches the file name at any depth. The empty glob matches everything.
func compileGlob(glob string) (func(string) bool, error) {
	if glob == "" {
		return func(string) bool { return true }, nil
	}
	base := !strings.Contains(glob, "/")
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch {
		case strings.HasPrefix(glob[i:], "**/"):
			re.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(glob[i:], "**"):
			re.WriteString(".*")
			i++
		case c == '*':
			re.WriteString("[^/]*")
		case c == '?':
			re.WriteString("[^/]")
		case c == '{':
			re.WriteString("(?:")
		case c == '}':
			re.WriteString(")")
		case c == ',':
			re.WriteString("|")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	rx, err := regexp.Compile(re.String())
	if err != nil {
		return nil, fmt.Errorf("invalid glob %q: %v", glob, err)
	}
	if base {
		return func(p string) bool { return rx.MatchString(path.Base(p)) }, nil
	}
	return rx.MatchString, nil
}
