package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// outPath resolves a file name given on the command line against the command's directory.
func outPath(ios *IO, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(ios.Dir, name)
}

// checkOutFile refuses, before any work is done, an output file whose directory does not
// exist or that names a directory, so a long run does not end unable to write its result.
func checkOutFile(ios *IO, flag, name string) error {
	if name == "" {
		return usageError("%s: give a file name", flag)
	}
	p := outPath(ios, name)
	if st, err := os.Stat(filepath.Dir(p)); err != nil || !st.IsDir() {
		return usageError("%s %s: the directory %s does not exist", flag, name, filepath.Dir(p))
	}
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return usageError("%s %s: that is a directory; give a file name", flag, name)
	}
	return nil
}

// writeOutFile writes data to name whole or not at all: into a temporary file beside it, then
// renamed over it, so a reader never sees half a report.
func writeOutFile(ios *IO, name string, data []byte) error {
	p := outPath(ios, name)
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
