package approval

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// readOnlyCommand reports whether command only reads, so that approval mode untrusted may run
// it without asking. The command is parsed as bash (mvdan.cc/sh) and judged by its syntax
// tree: every command in it must be a plain call (no assignment, substitution, parameter
// expansion, subshell, function, loop or background job) of a program hew knows to only read,
// with none of the flags that make that program write or run another program (find -exec,
// rg --pre, git --output, sort -o, ...). The only redirections allowed discard output
// (>/dev/null, 2>&1). Anything hew cannot judge asks.
func readOnlyCommand(command string) bool {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(command), "")
	if err != nil || len(f.Stmts) == 0 {
		return false
	}
	for _, st := range f.Stmts {
		if !readOnlyStmt(st) {
			return false
		}
	}
	return true
}

func readOnlyStmt(st *syntax.Stmt) bool {
	if st.Background || st.Coprocess || st.Disown {
		return false
	}
	for _, r := range st.Redirs {
		if !discardingRedirect(r) {
			return false
		}
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		if len(c.Assigns) > 0 || len(c.Args) == 0 {
			return false
		}
		args := make([]string, len(c.Args))
		for i, w := range c.Args {
			s, ok := literal(w)
			if !ok {
				return false
			}
			args[i] = s
		}
		return readOnlyCall(args)
	case *syntax.BinaryCmd:
		return readOnlyStmt(c.X) && readOnlyStmt(c.Y)
	}
	return false // subshells, blocks, loops, functions, [[ ]], let, declare ...
}

// discardingRedirect reports whether r only throws output away or joins two outputs.
func discardingRedirect(r *syntax.Redirect) bool {
	target, ok := literal(r.Word)
	if !ok || r.Hdoc != nil {
		return false
	}
	switch r.Op {
	case syntax.RdrOut, syntax.AppOut, syntax.RdrAll, syntax.AppAll, syntax.RdrClob:
		return target == "/dev/null"
	case syntax.DplOut:
		return target == "-" || strings.Trim(target, "0123456789") == ""
	}
	return false
}

// literal returns the text of a word made only of literal and quoted-literal parts: no
// expansion or substitution of any kind.
func literal(w *syntax.Word) (string, bool) {
	if w == nil {
		return "", false
	}
	var sb strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			sb.WriteString(p.Value)
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			sb.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				sb.WriteString(lit.Value)
			}
		default:
			return "", false
		}
	}
	return sb.String(), true
}

// plainReaders only read, whatever their flags.
var plainReaders = map[string]bool{
	"ls": true, "cat": true, "head": true, "tail": true, "wc": true, "pwd": true, "echo": true,
	"stat": true, "grep": true, "egrep": true, "fgrep": true, "basename": true, "dirname": true,
	"realpath": true, "readlink": true, "true": true, "false": true, "du": true, "nl": true,
	"diff": true, "cmp": true, "which": true,
}

// refusedFlags are, per program, the options that make it write or run another program; a
// flag listed as "--opt" is refused in the "--opt=value" form too.
var refusedFlags = map[string][]string{
	"find": {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls"},
	"rg":   {"--pre", "--pre-glob", "-z", "--search-zip", "--hostname-bin"},
	"sort": {"-o", "--output", "--compress-program"},
	"file": {"-C", "--compile"},
	"tree": {"-o"},
}

// gitReaders are the git subcommands that only read.
var gitReaders = map[string]bool{
	"status": true, "diff": true, "log": true, "show": true, "blame": true, "ls-files": true,
	"rev-parse": true, "shortlog": true, "describe": true, "grep": true,
}

// gitRefused are options of those subcommands that write a file or run a program.
var gitRefused = []string{"--output", "-o", "--ext-diff", "--textconv", "--open-files-in-pager", "-O"}

func readOnlyCall(args []string) bool {
	name := args[0]
	if strings.Contains(name, "/") {
		return false // ./ls is not ls
	}
	if name == "git" {
		return readOnlyGit(args[1:])
	}
	if plainReaders[name] {
		return true
	}
	refused, known := refusedFlags[name]
	if !known {
		return false
	}
	return !hasFlag(args[1:], refused)
}

// hasFlag reports whether args use any of flags, as a word of their own, in --flag=value
// form, or (for one-letter flags) bundled or with the value attached (-ofile, -zo).
func hasFlag(args, flags []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		for _, f := range flags {
			switch {
			case a == f, strings.HasPrefix(a, f+"="):
				return true
			case len(f) == 2 && f[0] == '-' && len(a) > 2 && a[0] == '-' && a[1] != '-' && strings.ContainsRune(a[1:], rune(f[1])):
				return true // a bundle of short flags containing it (over-cautious for find's -name)
			}
		}
	}
	return false
}

// readOnlyGit judges git's arguments: only global options that change nothing, then a reading
// subcommand without an option that writes or runs a program.
func readOnlyGit(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-C":
			i++ // -C DIR only moves
		case a == "--no-pager" || a == "-P" || a == "--no-optional-locks" || a == "--literal-pathspecs":
		case strings.HasPrefix(a, "-"):
			return false // -c, --config-env, --exec-path, --git-dir, ...: they can run programs
		default:
			return gitReaders[a] && !hasGitFlag(args[i+1:])
		}
	}
	return false
}

func hasGitFlag(args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		for _, f := range gitRefused {
			if a == f || strings.HasPrefix(a, f+"=") || len(f) == 2 && strings.HasPrefix(a, f) && !strings.HasPrefix(a, "--") {
				return true
			}
		}
	}
	return false
}
