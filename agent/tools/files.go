package tools

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"hew/agent/proposal"
)

// matchingFiles lists the files under dir (dir itself when it names a file) that match glob,
// in lexical order, leaving out what git ignores.
func matchingFiles(ctx context.Context, env *Env, dir, glob string) ([]string, error) {
	match, err := compileGlob(glob)
	if err != nil {
		return nil, err
	}
	var names []string
	err = walkFiles(ctx, env, dir, true, func(name string, _ fs.DirEntry) error {
		if match(name) {
			names = append(names, name)
		}
		return nil
	})
	return names, err
}

// walkFiles calls fn for every file under dir (a file itself when dir names one, with a nil
// entry) that is not ignored: what git ls-files -co --exclude-standard would list (see
// proposal.Layer.Excluded). With repos, that includes the submodules and other repositories
// inside, named as git names them ("sub" for a submodule, "nested/" for an untracked
// repository), whose files are not listed. A dir that is itself ignored is an error.
func walkFiles(ctx context.Context, env *Env, dir string, repos bool, fn func(name string, d fs.DirEntry) error) error {
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
		return fn(clean, nil)
	}
	return env.Layer.WalkDir(clean, true, func(name string, d fs.DirEntry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r, ok := d.(proposal.Repository); ok && repos {
			if !r.Submodule {
				name += "/"
			}
			return fn(name, d)
		}
		if d.IsDir() {
			return nil
		}
		return fn(name, d)
	})
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
