package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"hew/agent/config"
)

// trustOptions are the flags and argument of `hew trust`.
type trustOptions struct {
	IO     *IO
	Dir    string // the repository to trust or revoke; "" is the working directory's
	List   bool
	Revoke bool
}

func newTrustCmd(ios *IO, runF func(*trustOptions) error) *cobra.Command {
	o := &trustOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "trust [DIR] [--list | --revoke]",
		Short: "Trust this repository's .hew/config.toml as it is now",
		Long: `A repository's .hew/config.toml comes with its code, and the model can propose changes to
it. Until you trust it, hew ignores the settings in it that could send your credentials
elsewhere or weaken containment — the provider, base URL, region and profile, the sandbox
policy, backend, network and allow_env, approval and accept modes, the test command,
commit.no_verify, model prices ([[models]]), MCP servers ([mcp_servers]) and limits looser
than yours — and says which.
The model, reasoning effort, edit tool, commit trailer and tighter limits apply anyway.

'hew trust' shows the file of the repository around DIR (default: here) and records that you
trust it, keyed by the repository's path and the file's SHA-256: any change to the file makes
it untrusted again. Trust is kept in trusted.json next to your config file (mode 0600).
--list shows what you trust; --revoke forgets this repository.

For one run without recording anything, pass --trust-project-config to hew, 'hew exec' or
'hew review'; the interactive UI also asks when it starts.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Dir = args[0]
			}
			if o.List && (o.Revoke || o.Dir != "") {
				return usageError("--list takes no directory and no --revoke")
			}
			if runF != nil {
				return runF(o)
			}
			return runTrust(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.List, "list", false, "list the repositories whose config you trust")
	cmd.Flags().BoolVar(&o.Revoke, "revoke", false, "stop trusting this repository's config")
	return cmd
}

func runTrust(_ context.Context, o *trustOptions) error {
	ios := o.IO
	if o.List {
		return listTrust(ios)
	}
	dir := ios.Dir
	if o.Dir != "" {
		dir = o.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(ios.Dir, dir)
		}
	}
	root := findRepoRoot(dir)
	if root == "" {
		return usageError("%s is not in a git repository: trust is kept per repository", dir)
	}
	if o.Revoke {
		ok, err := config.RevokeProject(ios.Getenv, root)
		if err != nil {
			return failure(err)
		}
		if !ok {
			fmt.Fprintf(ios.Out, "%s was not trusted; nothing to revoke\n", root)
			return nil
		}
		fmt.Fprintf(ios.Out, "no longer trusting the config of %s: its restricted settings are ignored again\n", root)
		return nil
	}
	p, data, err := config.InspectProject(root, ios.Getenv)
	if errors.Is(err, fs.ErrNotExist) {
		return failure(fmt.Errorf("nothing to trust: %s does not exist", config.ProjectPath(root)))
	}
	if err != nil {
		return usageError("%v; fix the file before trusting it", err)
	}
	fmt.Fprintf(ios.Out, "%s (sha256 %s):\n", p.Path, p.SHA256[:16])
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, l := range lines {
		fmt.Fprintf(ios.Out, "%5d  %s\n", i+1, printable(l))
	}
	if len(p.Ignored) == 0 {
		fmt.Fprintln(ios.Out, "\nEvery setting in it applies without trust already.")
	} else {
		fmt.Fprintln(ios.Out, "\nSettings that apply only once you trust it:")
		for _, s := range p.Ignored {
			fmt.Fprintf(ios.Out, "  %s = %s\n", s.Key, printable(s.Value))
		}
	}
	if err := config.TrustProject(ios.Getenv, root, p.SHA256, time.Now()); err != nil {
		return failure(err)
	}
	fmt.Fprintf(ios.Out, "\nTrusted: hew applies every setting of this file as it is now; any change to it makes it untrusted again. 'hew trust --revoke' undoes this.\n")
	return nil
}

func listTrust(ios *IO) error {
	list, err := config.Trusted(ios.Getenv)
	if err != nil {
		return failure(err)
	}
	if len(list) == 0 {
		fmt.Fprintln(ios.Out, "no repository config is trusted")
		return nil
	}
	for _, e := range list {
		state := "trusted"
		data, err := os.ReadFile(config.ProjectPath(e.Root))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			state = "no .hew/config.toml now"
		case err != nil:
			state = "unreadable: " + err.Error()
		case config.HashProject(data) != e.SHA256:
			state = "changed since: untrusted until you run hew trust again"
		}
		fmt.Fprintf(ios.Out, "%s  sha256 %s  %s  %s\n", e.Root, e.SHA256[:min(16, len(e.SHA256))], e.Trusted.Local().Format("2006-01-02 15:04"), state)
	}
	return nil
}

// printable shows s with control characters escaped, so a file cannot drive the terminal.
func printable(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r == '\t':
			b.WriteString("    ")
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}
