package gitops

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"hew/gitops/internal/gitenv"
)

// conversion knows which paths git converts between the working tree and the object database
// (content filters such as git-lfs and git-crypt, line endings by core.autocrlf or the text and
// eol attributes, ident, working-tree-encoding) and converts them with the git command itself:
// `git hash-object -w --path` cleans exactly as `git add` does, `git cat-file --filters`
// smudges exactly as a checkout does. Paths git does not convert are read and written as they
// are, without running git.
type conversion struct {
	r     *Repo
	paths map[string]bool // the paths git converts
}

// conversionAttrs are the attributes that make git convert a file's content.
var conversionAttrs = []string{"filter", "text", "eol", "crlf", "ident", "working-tree-encoding"}

// conversionsOf is conversions under the repository's configuration, read only when there are
// paths to ask about.
func (r *Repo) conversionsOf(ctx context.Context, paths []string) (*conversion, error) {
	var cfg gitConfig
	if len(paths) > 0 {
		cfg = r.readConfig()
	}
	return r.conversions(ctx, cfg, paths)
}

// conversions works out which of paths git converts. With core.autocrlf true or input every
// path is handed to git, which decides by its content; otherwise the paths with a conversion
// attribute are. Without the git command, a repository that converts files at all is refused,
// since committing its files unconverted could commit secrets in plain text or LFS content.
func (r *Repo) conversions(ctx context.Context, cfg gitConfig, paths []string) (*conversion, error) {
	return r.conversionsWith(ctx, cfg, paths, nil)
}

// attrRun is git check-attr of the conversion attributes of paths, started ahead.
type attrRun struct {
	paths []string
	out   []byte
	err   error
	done  chan struct{}
}

// startCheckAttr starts git check-attr of paths, to be used by conversionsWith; nil without
// git or paths.
func (r *Repo) startCheckAttr(ctx context.Context, paths []string) *attrRun {
	if !r.hasGit() || len(paths) == 0 {
		return nil
	}
	a := &attrRun{paths: paths, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.out, a.err = r.checkAttr(ctx, paths)
	}()
	return a
}

// wait waits for the run to end; a nil run has nothing to wait for.
func (a *attrRun) wait() {
	if a != nil {
		<-a.done
	}
}

// checkAttr runs git check-attr of the conversion attributes of paths.
func (r *Repo) checkAttr(ctx context.Context, paths []string) ([]byte, error) {
	var in bytes.Buffer
	for _, p := range paths {
		in.WriteString(p)
		in.WriteByte(0)
	}
	out, err := r.runGit(ctx, in.Bytes(), append([]string{"check-attr", "-z", "--stdin"}, conversionAttrs...)...)
	if err != nil {
		return nil, fmt.Errorf("read .gitattributes: %w", err)
	}
	return out, nil
}

// conversionsWith is conversions, taking git check-attr's answer from ahead when it was started
// for the same paths.
func (r *Repo) conversionsWith(ctx context.Context, cfg gitConfig, paths []string, ahead *attrRun) (*conversion, error) {
	cv := &conversion{r: r, paths: map[string]bool{}}
	if len(paths) == 0 {
		return cv, nil
	}
	autocrlf := strings.ToLower(cfg.Get("core", "", "autocrlf"))
	all := autocrlf == "input" || cfg.Bool("core", "", "autocrlf")
	if !r.hasGit() {
		if src := r.attributeSource(cfg); all || src != "" {
			if all {
				src = "core.autocrlf"
			}
			return nil, errNoGit("converting files as " + src + " says")
		}
		return cv, nil
	}
	if all {
		for _, p := range paths {
			cv.paths[p] = true
		}
		return cv, nil
	}
	var out []byte
	var err error
	if ahead != nil && slices.Equal(ahead.paths, paths) {
		ahead.wait()
		out, err = ahead.out, ahead.err
	} else {
		out, err = r.checkAttr(ctx, paths)
	}
	if err != nil {
		return nil, err
	}
	fields := bytes.Split(out, []byte{0})
	for i := 0; i+2 < len(fields); i += 3 {
		if v := string(fields[i+2]); v != "unspecified" && !(v == "unset" && string(fields[i+1]) != "filter") {
			cv.paths[string(fields[i])] = true
		}
	}
	return cv, nil
}

// attributeSource names a gitattributes file that may ask for conversions, for the refusal
// without git; "" when there is none. Attribute files in subdirectories are not looked for.
func (r *Repo) attributeSource(cfg gitConfig) string {
	files := []string{filepath.Join(r.root, ".gitattributes"), filepath.Join(r.commonDir, "info", "attributes")}
	if p := cfg.Get("core", "", "attributesFile"); p != "" {
		files = append(files, r.expandHome(p))
	} else if xdg := gitenv.XDGConfigHome(r.opts.Getenv); xdg != "" {
		files = append(files, filepath.Join(xdg, "git", "attributes"))
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return f
		}
	}
	return ""
}

// converts reports whether git converts path p.
func (cv *conversion) converts(p string) bool { return cv != nil && cv.paths[p] }

// clean returns f as git stores it at path p: its content cleaned, and the blob written to the
// object database. A link, a missing file and a path git does not convert are returned as
// they are (the blob still written when store is set).
func (cv *conversion) clean(ctx context.Context, p string, f file, store bool) (file, error) {
	if !f.exists {
		return f, nil
	}
	if f.mode == filemode.Symlink || !cv.converts(p) {
		if store {
			if _, err := cv.r.writeObject(plumbing.BlobObject, f.data); err != nil {
				return file{}, err
			}
		}
		return f, nil
	}
	out, err := cv.r.runGit(ctx, f.data, "hash-object", "-w", "--stdin", "--path="+p)
	if err != nil {
		return file{}, fmt.Errorf("clean %s as git add would: %w", p, err)
	}
	h := plumbing.NewHash(strings.TrimSpace(string(out)))
	data, err := cv.r.readBlob(h)
	if err != nil {
		return file{}, err
	}
	f.data = data
	return f, nil
}

// cleanHashes returns the blob hashes git gives the working-tree files paths, all of which it
// converts, reading them itself (`git hash-object --stdin-paths`); with store the blobs are
// written too.
func (cv *conversion) cleanHashes(ctx context.Context, paths []string, store bool) (map[string]plumbing.Hash, error) {
	out := make(map[string]plumbing.Hash, len(paths))
	if len(paths) == 0 {
		return out, nil
	}
	var in bytes.Buffer
	for _, p := range paths {
		if strings.ContainsAny(p, "\"\\\n") {
			in.WriteString(strconv.Quote(p))
		} else {
			in.WriteString(p)
		}
		in.WriteByte('\n')
	}
	args := []string{"hash-object", "--stdin-paths"}
	if store {
		args = append(args, "-w")
	}
	res, err := cv.r.runGit(ctx, in.Bytes(), args...)
	if err != nil {
		return nil, fmt.Errorf("clean files as git add would: %w", err)
	}
	lines := strings.Fields(string(res))
	if len(lines) != len(paths) {
		return nil, fmt.Errorf("clean files as git add would: git hash-object gave %d hashes for %d files", len(lines), len(paths))
	}
	for i, p := range paths {
		out[p] = plumbing.NewHash(lines[i])
	}
	return out, nil
}

// smudge returns the working-tree form of path p's tree or index entry e, as a checkout writes
// it.
func (cv *conversion) smudge(ctx context.Context, p string, e entry) (file, error) {
	f, err := cv.r.entryFile(p, e)
	if err != nil || !cv.converts(p) || e.mode == filemode.Symlink {
		return f, err
	}
	out, err := cv.r.runGit(ctx, nil, "cat-file", "--filters", "--path="+p, e.hash.String())
	if err != nil {
		return file{}, fmt.Errorf("smudge %s as git checkout would: %w", p, err)
	}
	f.data = out
	return f, nil
}

// smudgeFile returns clean file f, for path p, in its working-tree form.
func (cv *conversion) smudgeFile(ctx context.Context, p string, f file) (file, error) {
	if !f.exists || f.mode == filemode.Symlink || !cv.converts(p) {
		return f, nil
	}
	h, err := cv.r.writeObject(plumbing.BlobObject, f.data)
	if err != nil {
		return file{}, err
	}
	return cv.smudge(ctx, p, entry{f.mode, h})
}
