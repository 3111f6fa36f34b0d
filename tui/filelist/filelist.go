// Package filelist lists the files of a working tree as `git ls-files -co --exclude-standard`
// does — tracked files, and untracked ones git does not ignore, through gitops/ignore — and
// ranks them against what the user typed after an @ in the input.
package filelist

import (
	"context"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"hew/gitops/ignore"
)

// Max is the most files List returns; a larger tree is listed in part (truncated is true).
const Max = 100_000

// List returns the files under root, slash-separated and relative to it, in walk order: those
// git tracks or would not ignore. .git directories and what git ignores are not entered;
// symbolic links are listed, not followed. getenv reads the git configuration's environment.
func List(ctx context.Context, root string, getenv func(string) string) (files []string, truncated bool, err error) {
	m, err := ignore.New(root, ignore.Options{Getenv: getenv})
	if err != nil {
		return nil, false, err
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // an unreadable directory is left out, as git leaves it
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if d.Name() == ".git" || m.Excluded(rel, true) {
				return filepath.SkipDir
			}
			return nil
		}
		if m.Excluded(rel, false) {
			return nil
		}
		if len(files) == Max {
			truncated = true
			return filepath.SkipAll
		}
		files = append(files, rel)
		return nil
	})
	return files, truncated, err
}

// Match returns up to n of files that match query, best first. Case is ignored. A file whose
// name starts with query ranks first, then one whose path does, then one whose name or path
// holds query, then one whose path holds query's characters in order (cmdroot finds
// cmd/hew/root.go); within a rank, shallower and shorter paths first. An empty query lists the
// shallowest files.
func Match(files []string, query string, n int) []string {
	q := strings.ToLower(query)
	type scored struct {
		path       string
		rank, deep int
	}
	var hits []scored
	for _, f := range files {
		r := rank(strings.ToLower(f), q)
		if r < 0 {
			continue
		}
		hits = append(hits, scored{f, r, strings.Count(f, "/")})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.deep != b.deep {
			return a.deep < b.deep
		}
		if len(a.path) != len(b.path) {
			return len(a.path) < len(b.path)
		}
		return a.path < b.path
	})
	out := make([]string, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.path)
	}
	return out
}

// rank scores how well file (lower case) matches q: 0 best, -1 no match.
func rank(file, q string) int {
	base := path.Base(file)
	switch {
	case q == "":
		return 0
	case strings.HasPrefix(base, q):
		return 0
	case strings.HasPrefix(file, q):
		return 1
	case strings.Contains(base, q):
		return 2
	case strings.Contains(file, q):
		return 3
	case subsequence(file, q):
		return 4
	}
	return -1
}

// subsequence reports whether q's characters appear in s in order.
func subsequence(s, q string) bool {
	for _, r := range q {
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+len(string(r)):]
	}
	return true
}
