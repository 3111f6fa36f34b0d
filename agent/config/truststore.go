package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The trust store: which repositories' config files the user trusts, by root and content hash.

// TrustFile is where trusted project configurations are recorded: trusted.json in the
// directory of the user's config file.
func TrustFile(getenv func(string) string) string {
	u := UserFile(getenv)
	if u == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(u), "trusted.json")
}

// TrustEntry records that the user trusts the .hew/config.toml of the repository at Root while
// its content has the hash SHA256.
type TrustEntry struct {
	Root    string    `json:"root"`
	SHA256  string    `json:"sha256"`
	Trusted time.Time `json:"trusted_at"`
}

type trustStore struct {
	Version  int          `json:"version"`
	Projects []TrustEntry `json:"projects"`
}

// Trusted lists the trust store's entries, sorted by root.
func Trusted(getenv func(string) string) ([]TrustEntry, error) {
	st, err := readTrust(TrustFile(getenv))
	return st.Projects, err
}

// IsTrusted reports whether the user trusts the .hew/config.toml of the repository at root
// whose content hashes to sum.
func IsTrusted(getenv func(string) string, root, sum string) (bool, error) {
	st, err := readTrust(TrustFile(getenv))
	if err != nil {
		return false, err
	}
	root = canonicalRoot(root)
	return slices.ContainsFunc(st.Projects, func(e TrustEntry) bool { return e.Root == root && e.SHA256 == sum }), nil
}

// TrustProject records that the user trusts the .hew/config.toml of the repository at root
// with content hash sum, replacing what was trusted there before.
func TrustProject(getenv func(string) string, root, sum string, now time.Time) error {
	path := TrustFile(getenv)
	if path == "" {
		return errors.New("record trust: neither XDG_CONFIG_HOME nor HOME is set, so there is no config directory")
	}
	st, err := readTrust(path)
	if err != nil {
		return err
	}
	root = canonicalRoot(root)
	st.Projects = slices.DeleteFunc(st.Projects, func(e TrustEntry) bool { return e.Root == root })
	st.Projects = append(st.Projects, TrustEntry{Root: root, SHA256: sum, Trusted: now.UTC().Truncate(time.Second)})
	return writeTrust(path, st)
}

// RevokeProject forgets the trust of the repository at root, reporting whether there was any.
func RevokeProject(getenv func(string) string, root string) (bool, error) {
	path := TrustFile(getenv)
	st, err := readTrust(path)
	if err != nil {
		return false, err
	}
	root = canonicalRoot(root)
	n := len(st.Projects)
	st.Projects = slices.DeleteFunc(st.Projects, func(e TrustEntry) bool { return e.Root == root })
	if len(st.Projects) == n {
		return false, nil
	}
	return true, writeTrust(path, st)
}

// readTrust reads the trust store at path; a missing file is an empty store. A store others can
// write is refused: anyone who can write it could make hew trust a file.
func readTrust(path string) (trustStore, error) {
	st := trustStore{Version: 1}
	if path == "" {
		return st, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read the trust store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return st, fmt.Errorf("read the trust store: %w", err)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return st, fmt.Errorf("the trust store %s can be written by other users (mode %v), so hew does not use it: run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	if err := json.NewDecoder(f).Decode(&st); err != nil {
		return trustStore{Version: 1}, fmt.Errorf("the trust store %s is not valid JSON (%v): fix it or remove it and trust your repositories again", path, err)
	}
	return st, nil
}

// writeTrust replaces the trust store at path in one rename, readable by the user only.
func writeTrust(path string, st trustStore) error {
	slices.SortFunc(st.Projects, func(a, b TrustEntry) int { return strings.Compare(a.Root, b.Root) })
	st.Version = 1
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("record trust: %w", err)
	}
	if err := writeFileAtomic(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("record trust: %w", err)
	}
	return nil
}

// canonicalRoot is root as the trust store keys it: absolute, with symbolic links resolved, so
// that one repository reached by two paths is one entry.
func canonicalRoot(root string) string {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	return filepath.Clean(root)
}
