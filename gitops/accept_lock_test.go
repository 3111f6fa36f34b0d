package gitops

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// TestConcurrentAcceptsLoseNoUpdate accepts ten changes to different lines of one file at once,
// each proposed over the same base, from separate Repo values (as separate hew sessions over
// one working tree): every change is merged in, none overwrites another.
func TestConcurrentAcceptsLoseNoUpdate(t *testing.T) {
	base := numbered(60)
	dir := newRepo(t, map[string]string{"a.txt": base})
	for trial := range 3 {
		writeFile(t, dir, "a.txt", base)
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := Update{Path: "a.txt", Base: []byte(base), BaseExists: true, New: []byte(replaceLine(base, 1+6*i, fmt.Sprintf("changed by %d", i)))}
				errs[i] = open(t, dir).Accept([]Update{u})
			}()
		}
		wg.Wait()
		got := readFileT(t, dir, "a.txt")
		for i, err := range errs {
			if err != nil {
				t.Errorf("trial %d: accept %d: %v", trial, i, err)
			}
			if !strings.Contains(got, fmt.Sprintf("changed by %d\n", i)) {
				t.Errorf("trial %d: the change of accept %d was lost", trial, i)
			}
		}
	}
}

func TestAcceptWritesNothingWhenTheFileChangesUnderIt(t *testing.T) {
	base := numbered(5)
	dir := newRepo(t, map[string]string{"a.txt": base})
	cur := file{exists: true, data: []byte(base), mode: filemode.Regular}
	writeFile(t, dir, "a.txt", "edited in between\n")
	err := open(t, dir).writeFiles([]write{{path: "a.txt", file: file{exists: true, data: []byte("new\n"), mode: cur.mode}, expect: &cur}})
	var ce *ChangedError
	if !errors.As(err, &ce) || readFileT(t, dir, "a.txt") != "edited in between\n" {
		t.Fatalf("err = %v; file %q", err, readFileT(t, dir, "a.txt"))
	}
}

// TestConcurrentAcceptsOfTheSameLineConflict accepts two changes to the same line at once: one
// is written, the other is refused as a conflict, never silently overwritten.
func TestConcurrentAcceptsOfTheSameLineConflict(t *testing.T) {
	base := numbered(10)
	dir := newRepo(t, map[string]string{"a.txt": base})
	for trial := range 10 {
		writeFile(t, dir, "a.txt", base)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := Update{Path: "a.txt", Base: []byte(base), BaseExists: true, New: []byte(replaceLine(base, 5, fmt.Sprintf("session %d", i)))}
				errs[i] = open(t, dir).Accept([]Update{u})
			}()
		}
		wg.Wait()
		var ce *ConflictError
		won := -1
		for i, err := range errs {
			switch {
			case err == nil:
				won = i
			case !errors.As(err, &ce):
				t.Fatalf("trial %d: accept %d: %v, want a conflict", trial, i, err)
			}
		}
		if won < 0 || (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("trial %d: errors %v, want one accept written and the other refused", trial, errs)
		}
		if got := readFileT(t, dir, "a.txt"); got != replaceLine(base, 5, fmt.Sprintf("session %d", won)) {
			t.Fatalf("trial %d: file %q, want exactly the accepted change", trial, got)
		}
	}
}
