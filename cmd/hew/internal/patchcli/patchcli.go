// Package patchcli is the work of "hew patch apply": read a patch, apply it to a directory with
// the patch engine, print what changed. cmd/hew's cobra command calls Run; so does this package's
// initialization, for a command line that is plainly "hew patch apply ...", before the rest of
// hew initializes.
//
// That early start matters because Go initializes every package linked into a binary before
// main, and hew links in the UI's and the model providers' libraries, whose initialization costs
// tens of milliseconds (syntax-highlighting tables, say), against a few milliseconds for applying
// a patch. Go initializes packages in import-path order as their imports become ready, so this
// package, which imports only the patch engine and a few standard packages (none of which
// need regexp, whose readiness releases the heavy ones), runs before them. Any command line it does
// not fully understand (help, an unknown flag, two files) is left to cobra, which then parses it
// as usual, so the two paths cannot disagree about what a command line means.
package patchcli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"hew/agent/patch"
)

// Options are the flags and arguments of "hew patch apply".
type Options struct {
	Check bool
	Dir   string // -C; "" for the working directory
	File  string // "" or "-" for standard input
}

// An Error is a failure of Run: Usage marks a mistake in the command line (exit 2), otherwise
// the patch was not applied (exit 1).
type Error struct {
	Usage bool
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Run applies the patch o names, relative to the working directory wd, reading standard input
// from in, and prints one line per changed file to out.
func Run(o Options, wd string, in io.Reader, out io.Writer) error {
	dir := wd
	if o.Dir != "" {
		dir = o.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(wd, dir)
		}
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return &Error{Usage: true, Err: fmt.Errorf("-C %s: not a directory", o.Dir)}
	}
	text, err := readInput(o.File, wd, in)
	if err != nil {
		return err
	}
	p, err := patch.Parse(string(text))
	if err != nil {
		return &Error{Err: fmt.Errorf("patch not applied: %w", err)}
	}
	apply := patch.Apply
	if o.Check {
		apply = patch.Check
	}
	res, err := apply(patch.DirFS(dir), p)
	if err != nil {
		return &Error{Err: fmt.Errorf("patch not applied: %w", err)}
	}
	fmt.Fprint(out, res.String())
	return nil
}

func readInput(file, wd string, in io.Reader) ([]byte, error) {
	if file == "" || file == "-" {
		if in == nil {
			return nil, &Error{Err: errors.New("read patch from standard input: no standard input")}
		}
		data, err := io.ReadAll(in)
		if err != nil {
			return nil, &Error{Err: fmt.Errorf("read patch from standard input: %w", err)}
		}
		return data, nil
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(wd, file)
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &Error{Usage: true, Err: fmt.Errorf("patch file %s does not exist", file)}
	}
	if err != nil {
		return nil, &Error{Err: fmt.Errorf("read patch: %w", err)}
	}
	return data, nil
}

// ParseArgs reads a command line (without the program name) that is "patch apply" followed only
// by --check, -C DIR (or --directory DIR, -CDIR, -C=DIR, --directory=DIR), and at most one FILE
// or "-", with "--" ending the flags. It reports false for anything else, which cobra then reads.
func ParseArgs(args []string) (Options, bool) {
	var o Options
	if len(args) < 2 || args[0] != "patch" || args[1] != "apply" {
		return o, false
	}
	files := 0
	flags := true
	for i := 2; i < len(args); i++ {
		a := args[i]
		switch {
		case !flags || a == "-" || a == "" || a[0] != '-':
			o.File = a
			files++
		case a == "--":
			flags = false
		case a == "--check":
			o.Check = true
		case a == "-C" || a == "--directory":
			if i+1 == len(args) {
				return o, false
			}
			i++
			o.Dir = args[i]
		case len(a) > 2 && a[:2] == "-C":
			o.Dir = a[2:]
			if o.Dir[0] == '=' {
				o.Dir = o.Dir[1:]
			}
		case len(a) > len("--directory=") && a[:len("--directory=")] == "--directory=":
			o.Dir = a[len("--directory="):]
		default:
			return o, false
		}
	}
	if files > 1 || o.Dir == "" && hasDirFlag(args) {
		return o, false
	}
	return o, true
}

// hasDirFlag reports whether args set -C to an empty value, which cobra reports its own way.
func hasDirFlag(args []string) bool {
	for i, a := range args {
		if a == "--" {
			return false
		}
		if a == "-C" || a == "--directory" || a == "-C=" || a == "--directory=" || i > 1 && len(a) > 2 && a[:2] == "-C" {
			return true
		}
	}
	return false
}

// Main runs "hew patch apply" for args when ParseArgs understands them: it prints as hew does
// ("hew: " and the reason on errOut) and returns the exit code and true; otherwise false.
func Main(args []string, wd string, in io.Reader, out, errOut io.Writer) (int, bool) {
	o, ok := ParseArgs(args)
	if !ok {
		return 0, false
	}
	err := Run(o, wd, in, out)
	if err == nil {
		return 0, true
	}
	fmt.Fprintln(errOut, "hew:", err)
	var e *Error
	if errors.As(err, &e) && e.Usage {
		return 2, true
	}
	return 1, true
}

// sandboxHelperEnv is set when hew re-executes itself as the sandbox's helper stage, which must
// take over the process instead (package sandbox).
const sandboxHelperEnv = "HEW_SANDBOX_HELPER"

func init() {
	if len(os.Args) < 3 || os.Args[1] != "patch" || os.Getenv(sandboxHelperEnv) != "" {
		return
	}
	wd, err := os.Getwd()
	if err != nil {
		return
	}
	if code, ok := Main(os.Args[1:], wd, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
}
