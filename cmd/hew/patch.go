package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"hew/agent/patch"
)

func newPatchCmd(ios *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "patch",
		Short: "Apply patches to the working tree",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newPatchApplyCmd(ios, nil))
	return cmd
}

// patchApplyOptions are the flags and arguments of "hew patch apply".
type patchApplyOptions struct {
	IO    *IO
	Check bool
	Dir   string // -C; "" for the working directory
	File  string // "" or "-" for standard input
}

func newPatchApplyCmd(ios *IO, runF func(*patchApplyOptions) error) *cobra.Command {
	opts := &patchApplyOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "apply [FILE|-]",
		Short: "Apply a patch (apply_patch format or unified diff) atomically",
		Long: `Apply a patch in the apply_patch format ("*** Begin Patch" ... "*** End Patch") or a unified
diff (as "git diff" writes it), read from FILE or, when FILE is absent or "-", standard input.
Every hunk is checked before any file is written: the patch applies whole or not at all.
Prints one "A path", "M path" or "D path" line per changed file.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.File = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runPatchApply(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Check, "check", false, "only check that the patch applies; change nothing")
	cmd.Flags().StringVarP(&opts.Dir, "directory", "C", "", "apply in `DIR` instead of the current directory")
	return cmd
}

func runPatchApply(opts *patchApplyOptions) error {
	ios := opts.IO
	dir := ios.Dir
	if opts.Dir != "" {
		dir = opts.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(ios.Dir, dir)
		}
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError("-C %s: not a directory", opts.Dir)
	}
	text, err := readPatchInput(ios, opts.File)
	if err != nil {
		return err
	}
	p, err := patch.Parse(string(text))
	if err != nil {
		return failure(fmt.Errorf("patch not applied: %w", err))
	}
	fsys := patch.DirFS(dir)
	apply := patch.Apply
	if opts.Check {
		apply = patch.Check
	}
	res, err := apply(fsys, p)
	if err != nil {
		return failure(fmt.Errorf("patch not applied: %w", err))
	}
	fmt.Fprint(ios.Out, res.String())
	return nil
}

func readPatchInput(ios *IO, file string) ([]byte, error) {
	if file == "" || file == "-" {
		data, err := readAll(ios.In)
		if err != nil {
			return nil, failure(fmt.Errorf("read patch from standard input: %w", err))
		}
		return data, nil
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(ios.Dir, file)
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usageError("patch file %s does not exist", file)
	}
	if err != nil {
		return nil, failure(fmt.Errorf("read patch: %w", err))
	}
	return data, nil
}

func readAll(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input")
	}
	return io.ReadAll(r)
}
