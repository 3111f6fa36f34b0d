package gitops

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// dateEnv sets git's commit dates from Options.Now when the caller gave a clock and the
// environment does not set the dates itself.
func (r *Repo) dateEnv() []string {
	if !r.nowSet {
		return nil
	}
	stamp := fmt.Sprintf("@%d %s", r.opts.Now().Unix(), r.opts.Now().Format("-0700"))
	var env []string
	for _, k := range []string{"GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"} {
		if r.opts.Getenv(k) == "" {
			env = append(env, k+"="+stamp)
		}
	}
	return env
}

// identities returns the author and committer lines git would write, such as
// "Ann <ann@example.com> 1700000000 +0100"; the error is git's, saying what to set.
func (r *Repo) identities(ctx context.Context, cfg gitConfig) ([2]string, error) {
	return r.startIdentities(ctx, cfg)()
}

// startIdentities starts working out identities and returns the function that waits for them,
// so that other work can go on meanwhile; call it in any case.
func (r *Repo) startIdentities(ctx context.Context, cfg gitConfig) func() ([2]string, error) {
	var ids [2]string
	if !r.hasGit() {
		var err error
		for i, role := range []string{"AUTHOR", "COMMITTER"} {
			var s Signature
			if s, err = r.identity(cfg, role); err != nil {
				break
			}
			ids[i] = s.Name + " <" + s.Email + ">"
		}
		return func() ([2]string, error) { return ids, err }
	}
	// Both at once: each is a git process that reads the configuration.
	var outs [2][]byte
	var errs [2]error
	var wg sync.WaitGroup
	for i, v := range []string{"GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"} {
		cmd := r.gitCmd(ctx, nil, "var", v)
		cmd.Env = append(cmd.Env, r.dateEnv()...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = runCmd(cmd)
		}()
	}
	return func() ([2]string, error) {
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				return ids, fmt.Errorf("no git identity to commit with: set user.name and user.email (git config --global user.name ...; git config --global user.email ...) or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL; %w", err)
			}
			ids[i] = strings.TrimSpace(string(outs[i]))
		}
		return ids, nil
	}
}

// makeCommit writes the commit object of plan p with message msg and returns its hash. With
// the git command, `git commit-tree` writes it, so that the identity, the dates, the encoding
// and the signature (-S when commit.gpgSign is set) are exactly git's; a signature that cannot
// be made fails the commit. Without git, go-git writes it, unsigned (planCommit refuses
// signing without git).
func (r *Repo) makeCommit(ctx context.Context, cfg gitConfig, p *commitPlan, msg string) (plumbing.Hash, error) {
	if !r.hasGit() {
		author, err := r.identity(cfg, "AUTHOR")
		if err != nil {
			return plumbing.ZeroHash, err
		}
		committer, err := r.identity(cfg, "COMMITTER")
		if err != nil {
			return plumbing.ZeroHash, err
		}
		now := r.opts.Now()
		c := &object.Commit{Author: author.at(now), Committer: committer.at(now), Message: msg, TreeHash: p.tree}
		if !p.parent.IsZero() {
			c.ParentHashes = []plumbing.Hash{p.parent}
		}
		return r.writeCommit(c)
	}
	args := []string{"commit-tree", p.tree.String()}
	if !p.parent.IsZero() {
		args = append(args, "-p", p.parent.String())
	}
	if p.sign {
		args = append(args, "-S")
	}
	cmd := r.gitCmd(ctx, []byte(msg), args...)
	cmd.Env = append(cmd.Env, r.dateEnv()...)
	out, err := runCmd(cmd)
	if err != nil {
		if p.sign {
			return plumbing.ZeroHash, fmt.Errorf("commit: signing failed, so nothing was committed (commit.gpgSign asks for signed commits; fix the key, or set commit.gpgSign false): %w", err)
		}
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	return plumbing.NewHash(strings.TrimSpace(string(out))), nil
}

// committerOf is the committer of commit h, for the reflog; zero when unreadable.
func (r *Repo) committerOf(h plumbing.Hash) Signature {
	c, err := object.GetCommit(r.git.Storer, h)
	if err != nil {
		return Signature{}
	}
	return Signature{Name: c.Committer.Name, Email: c.Committer.Email}
}
