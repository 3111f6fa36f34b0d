package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"hew/agent/config"
	"hew/agent/session"
)

// sessionsOptions are the flags of `hew sessions`.
type sessionsOptions struct {
	IO  *IO
	All bool
}

func newSessionsCmd(ios *IO, runF func(*sessionsOptions) error) *cobra.Command {
	o := &sessionsOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List saved sessions: id, start, repository, turns, cost and first prompt",
		Long: `List the sessions saved under hew's state directory ($XDG_STATE_HOME/hew/sessions), newest
first. Inside a repository only its sessions are listed; --all lists every repository's.
Continue one with 'hew resume ID' or 'hew exec --resume ID "next prompt"'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return runSessions(o)
		},
	}
	cmd.Flags().BoolVar(&o.All, "all", false, "list the sessions of every repository")
	return cmd
}

func runSessions(o *sessionsOptions) error {
	ios := o.IO
	dir := session.Dir(config.StateDir(ios.Getenv))
	infos, err := session.List(dir)
	if err != nil {
		return failure(err)
	}
	repo := ""
	if !o.All {
		repo = findRepoRoot(ios.Dir)
	}
	w := tabwriter.NewWriter(ios.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTARTED\tREPOSITORY\tTURNS\tCOST\tFIRST PROMPT")
	n := 0
	for _, in := range infos {
		if repo != "" && !session.SameRepo(in.Repo, repo) {
			continue
		}
		n++
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t$%.2f\t%s\n", in.ID, in.Start.Local().Format("2006-01-02 15:04"), in.Repo,
			in.Turns, in.CostUSD, oneLine(in.Prompt, 60))
	}
	if n == 0 {
		where := "in " + dir
		if repo != "" {
			where = "for " + repo + " (--all lists every repository's)"
		}
		fmt.Fprintf(ios.ErrOut, "no saved sessions %s\n", where)
		return nil
	}
	return w.Flush()
}

// oneLine returns the first line of s, cut to n characters.
func oneLine(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
