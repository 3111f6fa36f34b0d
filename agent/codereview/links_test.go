package codereview

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hew/gitops/gittest"
)

// hew review --uncommitted never reads through a link out of the repository: a link is shown
// as git shows it, by its target's text, and a directory link is not entered. A FIFO in the
// tree does not block it.
func TestUncommittedShowsLinksNotTheirTargets(t *testing.T) {
	home := t.TempDir()
	secret := filepath.Join(home, "credentials")
	if err := os.WriteFile(secret, []byte("aws_secret_access_key=SECRETAWS123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := gittest.NewRepo(t, map[string]string{"a.txt": "a\n", "tracked": "was a file\n", "d/x": "x\n"})
	for link, target := range map[string]string{"creds": secret, "hd": home} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	// A tracked file replaced by a link to the secret, and a tracked directory by a link to home.
	for _, p := range []string{"tracked", "d"} {
		if err := os.RemoveAll(filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(secret, filepath.Join(root, "tracked")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(home, filepath.Join(root, "d")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "x"), []byte("SECRETAWS123 in home\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var files []File
	var err error
	go func() { files, err = Collect(root, Target{}); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("review of a tree with a FIFO blocked")
	}
	if err != nil {
		t.Fatal(err)
	}
	chunks, _ := plan(files, MaxRequestBytes, 3, nil)
	var sb strings.Builder
	for _, c := range chunks {
		for _, p := range c.parts {
			sb.WriteString(p.text)
		}
	}
	prompt := sb.String()
	if strings.Contains(prompt, "SECRETAWS123") {
		t.Fatalf("the secret reached the review prompt:\n%s", prompt)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Path] = string(f.New)
	}
	if got["creds"] != secret || got["tracked"] != secret {
		t.Errorf("links should show their target text: %q", got)
	}
}

// The review's findings are the model's text: in every format they reach the terminal without
// control sequences, and the JSON still says exactly what the model said.
func TestReportCarriesNoControlSequences(t *testing.T) {
	hostile := "bad \x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\u009b2J\u009d0;t\u009c code"
	r := Report{Version: 1, Target: "uncommitted changes", Summary: hostile,
		Findings: []Finding{{Title: hostile, File: "a\x1b[31m.go", StartLine: 1, EndLine: 1, Severity: "high", Explanation: hostile, SuggestedFix: hostile}}}
	for _, format := range []string{FormatText, FormatMarkdown, FormatJSON} {
		var b strings.Builder
		if err := r.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		for _, c := range b.String() {
			if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f {
				t.Fatalf("%s carries control %U: %q", format, c, b.String())
			}
		}
		if format == FormatJSON {
			var back Report
			if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back.Summary != hostile {
				t.Fatalf("JSON: %v, summary %q", err, back.Summary)
			}
		}
	}
}
