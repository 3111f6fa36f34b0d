package session

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"hew/agent/event"
	"hew/gitops/fsguard"
)

// indexName is the file in the sessions directory that keeps each session's summary, so that
// listing sessions (hew sessions, resume, --continue) reads only what changed since: a session
// whose size and modification time are as indexed is not read at all, and one that grew (the
// session being written) is read from where the index stopped. The session files stay the
// only record: the index is rebuilt, whole or in part, whenever it is missing, unreadable, of
// another version or stale, and a session it does not know is read and added.
const indexName = "index.json"

// indexVersion changes when the index's form or the summary's meaning does.
const indexVersion = 1

type sessionIndex struct {
	Version  int                   `json:"version"`
	Sessions map[string]indexEntry `json:"sessions"`
}

type indexEntry struct {
	Size   int64 `json:"size"`
	MTime  int64 `json:"mtime_ns"`
	Offset int64 `json:"offset"` // bytes summarised: through the last whole line
	Info   Info  `json:"info"`
}

// loadIndex reads dir's index; a missing, unreadable or foreign one is an empty index.
func loadIndex(dir string) sessionIndex {
	idx := sessionIndex{Version: indexVersion, Sessions: map[string]indexEntry{}}
	b, err := os.ReadFile(filepath.Join(dir, indexName))
	if err != nil {
		return idx
	}
	var got sessionIndex
	if json.Unmarshal(b, &got) != nil || got.Version != indexVersion || got.Sessions == nil {
		return idx
	}
	return got
}

// save writes the index beside the sessions, private like them, through a temporary file
// renamed into place (fsguard.WriteFile), so a reader never sees half of it. Failing to is no
// error: the index is only a cache.
func (idx sessionIndex) save(dir string) {
	b, err := json.Marshal(idx)
	if err != nil {
		return
	}
	_ = fsguard.WriteFile(dir, indexName, b, 0o600)
}

// List summarises every session in dir, newest first, through the index (see indexName).
func List(dir string) ([]Info, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list sessions in %s: %w", dir, err)
	}
	idx := loadIndex(dir)
	changed := false
	var out []Info
	seen := map[string]bool{}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".jsonl")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		seen[id] = true
		path := filepath.Join(dir, e.Name())
		ent, ok := idx.Sessions[id]
		if !ok || ent.Size != fi.Size() || ent.MTime != fi.ModTime().UnixNano() {
			if !ok || fi.Size() < ent.Offset {
				ent = indexEntry{} // new, or cut shorter than what was read: read it all
			}
			ent.Info, ent.Offset, err = summariseFrom(path, ent.Info, ent.Offset)
			if err != nil {
				continue
			}
			ent.Size, ent.MTime = fi.Size(), fi.ModTime().UnixNano()
			idx.Sessions[id] = ent
			changed = true
		}
		info := ent.Info
		info.ID, info.Path = id, path
		out = append(out, info)
	}
	for id := range idx.Sessions {
		if !seen[id] {
			delete(idx.Sessions, id)
			changed = true
		}
	}
	if changed {
		idx.save(dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

// summariseFrom goes on summarising the session file at path from offset (a line's start),
// given what the lines before it gave, and returns the summary and the offset after the last
// whole line; a line still being written (or torn) is left for next time.
func summariseFrom(path string, info Info, offset int64) (Info, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return info, offset, fmt.Errorf("open session %s: %w", path, err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return info, offset, fmt.Errorf("read session %s: %w", path, err)
	}
	r := bufio.NewReaderSize(f, 256<<10)
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			return info, offset, nil
		}
		if err != nil {
			return info, offset, fmt.Errorf("read session %s: %w", path, err)
		}
		offset += int64(len(line))
		if e, err := event.Decode(line); err == nil {
			info.add(e)
		}
	}
}
