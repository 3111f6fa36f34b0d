package config

// Saving settings into the user's config file, as the first-run screen does: the file is edited,
// not regenerated, so the user's comments, order and other settings stay as they wrote them.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// Value is one setting to save: Key is dotted ("provider", "openai.base_url") and names a
// string setting; an empty Value removes the key from the file.
type Value struct {
	Key, Value string
}

// SaveUser writes values into the user's config file (UserFile), keeping everything else in it
// as written, and returns the file's path. The file is replaced in one rename, readable by the
// user only (0600, in a 0700 directory); a link to it (a dotfiles manager's) is followed and
// its target is written. The new content must load as a config file, or nothing is written.
// A secret (openai.api_key) is never written into a file inside a git work tree, where a
// dotfiles repository would publish it.
func SaveUser(getenv func(string) string, values []Value) (string, error) {
	path := UserFile(getenv)
	if path == "" {
		return "", errors.New("save config: neither XDG_CONFIG_HOME nor HOME is set, so there is no user config file")
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return path, fmt.Errorf("save config: %w", err)
	}
	for _, v := range values {
		if v.Key == "openai.api_key" && v.Value != "" {
			if repo := gitWorkTree(filepath.Dir(path)); repo != "" {
				return path, fmt.Errorf("save config: %s is inside the git repository %s, and hew never writes a key where it could be committed: export OPENAI_API_KEY instead (or name the variable that holds the key)", path, repo)
			}
		}
	}
	data := old
	for _, v := range values {
		if data, err = setKey(data, v.Key, v.Value); err != nil {
			return path, fmt.Errorf("save config %s: %w", path, err)
		}
	}
	check := Defaults()
	if err := check.mergeData(path, data); err != nil {
		return path, fmt.Errorf("save config: the edited file would not load, so it was left as it was: %w", err)
	}
	var got map[string]any
	toml.Decode(string(data), &got) // mergeData decoded it already
	for _, v := range values {
		if s, _ := lookup(got, strings.Split(v.Key, ".")).(string); s != v.Value {
			return path, fmt.Errorf("save config %s: could not set %s in it (edit the file by hand)", path, v.Key)
		}
	}
	if err := writeFileAtomic(path, data, 0o600); err != nil {
		return path, fmt.Errorf("save config: %w", err)
	}
	return path, nil
}

// gitWorkTree returns the work tree dir lies in (the nearest parent holding .git), or "".
func gitWorkTree(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

var (
	tableLine = regexp.MustCompile(`^\s*(\[\[?)\s*([A-Za-z0-9_.\-" ]+?)\s*\]\]?\s*(#.*)?$`)
	keyLine   = regexp.MustCompile(`^\s*([A-Za-z0-9_.\-"]+?)\s*=`)
)

// setKey returns the TOML document data with the string setting key set to value (removed when
// value is ""): the line that sets it is replaced, or a line is added to its table, or the
// table is added at the end.
func setKey(data []byte, key, value string) ([]byte, error) {
	table, name := "", key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		table, name = key[:i], key[i+1:]
	}
	line := ""
	if value != "" {
		var b bytes.Buffer
		if err := toml.NewEncoder(&b).Encode(map[string]string{name: value}); err != nil {
			return nil, err
		}
		line = strings.TrimRight(b.String(), "\n")
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	cur := ""        // the table the line is in ("[[...]]" for arrays of tables)
	insert := -1     // where a new line for the table goes: after its last setting or header
	firstTable := -1 // the first table header, before which top-level settings go
	for i, l := range lines {
		if m := tableLine.FindStringSubmatch(l); m != nil {
			cur = unquote(m[2])
			if m[1] == "[[" {
				cur = "[[" + cur + "]]"
			}
			if firstTable < 0 {
				firstTable = i
			}
			if cur == table {
				insert = i + 1
			}
			continue
		}
		m := keyLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		k := unquote(m[1])
		if cur != "" && cur == table && k == name || cur == "" && k == key {
			if line == "" {
				return []byte(strings.Join(append(lines[:i:i], lines[i+1:]...), "")), nil
			}
			lines[i] = line + "\n"
			return []byte(strings.Join(lines, "")), nil
		}
		if cur == table {
			insert = i + 1
		}
	}
	if line == "" {
		return data, nil // nothing to remove
	}
	switch {
	case table == "":
		at := len(lines)
		if firstTable >= 0 {
			at = firstTable
			for at > 0 && strings.TrimSpace(lines[at-1]) == "" {
				at--
			}
		}
		lines = append(lines[:at:at], append([]string{line + "\n"}, lines[at:]...)...)
	case insert >= 0:
		lines = append(lines[:insert:insert], append([]string{line + "\n"}, lines[insert:]...)...)
	default:
		if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
			lines[n-1] += "\n"
		}
		if len(lines) > 0 {
			lines = append(lines, "\n")
		}
		lines = append(lines, "["+table+"]\n", line+"\n")
	}
	return []byte(strings.Join(lines, "")), nil
}

// unquote removes the quotes and spaces of a TOML key as written (`"openai" . base_url`).
func unquote(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"`)
	}
	return strings.Join(parts, ".")
}

// writeFileAtomic replaces the file at path with data in one rename, with mode perm, creating
// its directory (0700) if need be.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
