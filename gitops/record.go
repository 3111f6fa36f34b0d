package gitops

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// record is one line of the log of commits hew made, kept in .git/hew/commits.jsonl so that
// undo can find them and check nothing changed since.
type record struct {
	Commit string       `json:"commit"`
	Parent string       `json:"parent,omitempty"` // hex; all zeros for a first commit
	Ref    string       `json:"ref,omitempty"`    // the ref moved: refs/heads/NAME or HEAD
	Branch string       `json:"branch,omitempty"` // set when the commit went to a new branch
	Files  []recordFile `json:"files,omitempty"`
	Undone string       `json:"undone,omitempty"` // set on lines that record an undo of this commit
}

// recordFile is the state a committed path was left in: the blob hashes of the working-tree file
// and the index entry ("" for none).
type recordFile struct {
	Path     string `json:"path"`
	Worktree string `json:"worktree"`
	Index    string `json:"index"`
}

func (r *Repo) recordPath() string { return filepath.Join(r.gitDir, "hew", "commits.jsonl") }

// appendRecord adds rec to the log.
func (r *Repo) appendRecord(rec record) error {
	p := r.recordPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return fmt.Errorf("record the commit: %w", err)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("record the commit: %w", err)
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o666)
	if err != nil {
		return fmt.Errorf("record the commit: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("record the commit in %s: %w", p, err)
	}
	return nil
}

// lastRecord returns the newest commit hew made that was not undone, or nil.
func (r *Repo) lastRecord() (*record, error) {
	f, err := os.Open(r.recordPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read hew's commit log: %w", err)
	}
	defer f.Close()
	var recs []record
	undone := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var rec record
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue // a torn line from a crash; the others still count
		}
		if rec.Undone != "" {
			undone[rec.Undone] = true
		} else {
			recs = append(recs, rec)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read hew's commit log: %w", err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if !undone[recs[i].Commit] {
			return &recs[i], nil
		}
	}
	return nil, nil
}
