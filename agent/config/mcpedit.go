package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Editing the user's config file for `hew mcp add|remove` and "always allow this tool": the
// file is edited as text, so the user's comments and layout stay, then the result is decoded and
// validated before it replaces the file (atomically, with its mode kept). Only servers written
// as [mcp_servers.NAME] tables can be edited; anything else is an error asking for a hand edit.

// MCPSecrets lists the values the MCP servers' env and headers take from the environment, for
// redaction.
func (c *Config) MCPSecrets(getenv func(string) string) []string {
	var out []string
	for _, s := range c.MCPServers {
		for _, m := range []map[string]string{s.Env, s.Headers} {
			for _, v := range m {
				for _, ref := range envRef.FindAllStringSubmatch(v, -1) {
					if val := getenv(ref[1] + ref[2]); len(val) >= 8 {
						out = append(out, val)
					}
				}
			}
		}
	}
	return out
}

// AddMCPServer adds server name to the user's config file, which it creates if need be. A
// server of that name already there is an error.
func AddMCPServer(getenv func(string) string, name string, s MCPServer) error {
	if err := CheckMCPName(name); err != nil {
		return err
	}
	if err := s.Check(); err != nil {
		return fmt.Errorf("mcp_servers.%s: %w", name, err)
	}
	return editUserFile(getenv, func(data []byte, c Config) ([]byte, error) {
		if _, ok := c.MCPServers[name]; ok {
			return nil, fmt.Errorf("an MCP server %q is already configured; remove it first (hew mcp remove %s)", name, name)
		}
		var b bytes.Buffer
		b.Write(data)
		if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
			b.WriteByte('\n')
		}
		if len(data) > 0 {
			b.WriteByte('\n')
		}
		// Encoded under its full key so that its env and headers tables are named in full; the
		// bare [mcp_servers] header is left out, as a second one would be a duplicate table.
		var enc bytes.Buffer
		doc := map[string]map[string]MCPServer{"mcp_servers": {name: s}}
		e := toml.NewEncoder(&enc)
		e.Indent = ""
		if err := e.Encode(doc); err != nil {
			return nil, err
		}
		for _, l := range splitLines(enc.Bytes()) {
			if strings.TrimSpace(l) != "[mcp_servers]" {
				b.WriteString(l)
			}
		}
		return append(bytes.TrimRight(b.Bytes(), "\n"), '\n'), nil
	})
}

// RemoveMCPServer removes server name, with its sub-tables, from the user's config file. It
// reports false when the file has no such server.
func RemoveMCPServer(getenv func(string) string, name string) (bool, error) {
	found := false
	err := editUserFile(getenv, func(data []byte, c Config) ([]byte, error) {
		if _, ok := c.MCPServers[name]; !ok {
			return nil, errNoChange
		}
		lines := splitLines(data)
		start, end, ok := serverSection(lines, name, true)
		if !ok {
			return nil, fmt.Errorf("server %q is not written as an [mcp_servers.%s] table; remove it by hand", name, name)
		}
		found = true
		return []byte(strings.Join(append(lines[:start:start], lines[end:]...), "")), nil
	})
	if errors.Is(err, errNoChange) {
		return false, nil
	}
	return found, err
}

// AllowMCPTool adds tool to the allowed_tools of server name in the user's config file.
func AllowMCPTool(getenv func(string) string, name, tool string) error {
	err := editUserFile(getenv, func(data []byte, c Config) ([]byte, error) {
		s, ok := c.MCPServers[name]
		if !ok {
			return nil, fmt.Errorf("server %q is not in your config file %s (a trusted repository's file configures it): add %q to its allowed_tools there", name, UserFile(getenv), tool)
		}
		if s.Allows(tool) {
			return nil, errNoChange
		}
		lines := splitLines(data)
		start, end, ok := serverSection(lines, name, false)
		if !ok {
			return nil, fmt.Errorf("server %q is not written as an [mcp_servers.%s] table; add %q to its allowed_tools by hand", name, name, tool)
		}
		// Drop the old assignment (it may span lines), then write the whole list after the header.
		for i := start + 1; i < end; i++ {
			if k, _, ok := strings.Cut(strings.TrimSpace(lines[i]), "="); ok && strings.TrimSpace(k) == "allowed_tools" {
				j, depth := i, 0
				for ; j < end; j++ {
					depth += strings.Count(lines[j], "[") - strings.Count(lines[j], "]")
					if depth <= 0 {
						break
					}
				}
				lines = append(lines[:i], lines[min(j+1, len(lines)):]...)
				break
			}
		}
		quoted := make([]string, 0, len(s.AllowedTools)+1)
		for _, t := range append(s.AllowedTools, tool) {
			quoted = append(quoted, strconv.Quote(t))
		}
		line := "allowed_tools = [" + strings.Join(quoted, ", ") + "]\n"
		return []byte(strings.Join(slices.Insert(lines, start+1, line), "")), nil
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	return err
}

var errNoChange = errors.New("no change")

// editUserFile applies edit to the user's config file and writes the result if it decodes and
// validates.
func editUserFile(getenv func(string) string, edit func(data []byte, c Config) ([]byte, error)) error {
	path := UserFile(getenv)
	if path == "" {
		return errors.New("neither XDG_CONFIG_HOME nor HOME is set, so there is no config file to edit")
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	mode := fs.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	cur := Defaults()
	if err := cur.mergeData(path, data); err != nil {
		return fmt.Errorf("%w; fix it before hew edits it", err)
	}
	out, err := edit(data, cur)
	if err != nil {
		return err
	}
	check := Defaults()
	if err := check.mergeData(path, out); err != nil {
		return fmt.Errorf("the edited config would not be valid, so %s was left as it was: %w", path, err)
	}
	if err := writeFileAtomic(path, out, mode); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

// splitLines splits data into lines that keep their line endings.
func splitLines(data []byte) []string {
	var out []string
	for s := string(data); s != ""; {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// serverSection finds the [mcp_servers.NAME] table: the index of its header and of the first
// line after its own keys, or, with subTables, after its sub-tables ([mcp_servers.NAME.env])
// too. Comment lines just before the next table are left to it.
func serverSection(lines []string, name string, subTables bool) (start, end int, ok bool) {
	start = -1
	for i, l := range lines {
		key, isHeader := tableHeader(l)
		if !isHeader {
			continue
		}
		own := len(key) == 2 && key[0] == "mcp_servers" && key[1] == name
		if start < 0 {
			if own {
				start = i
			}
			continue
		}
		if subTables && len(key) > 2 && key[0] == "mcp_servers" && key[1] == name {
			continue
		}
		end = i
		for end > start+1 && strings.HasPrefix(strings.TrimSpace(lines[end-1]), "#") {
			end--
		}
		return start, end, true
	}
	return start, len(lines), start >= 0
}

// tableHeader parses a [table] header line into its key's parts.
func tableHeader(line string) ([]string, bool) {
	l := strings.TrimSpace(line)
	if !strings.HasPrefix(l, "[") || strings.HasPrefix(l, "[[") {
		return nil, false
	}
	var doc map[string]any
	if _, err := toml.Decode(l, &doc); err != nil {
		return nil, false
	}
	var key []string
	for m := doc; len(m) == 1; {
		var next map[string]any
		for k, v := range m {
			key = append(key, k)
			next, _ = v.(map[string]any)
		}
		m = next
	}
	return key, true
}
