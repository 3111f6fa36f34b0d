package gitops

import (
	"os"
	"path/filepath"
	"testing"

	"hew/gitops/gittest"
)

// The configuration is listed once and kept, but any change git would see is seen: the
// repository's config rewritten, a global file created after the first read, the branch an
// includeIf onbranch depends on switched.
func TestConfigSeesEveryChange(t *testing.T) {
	dir := gittest.NewRepo(t, map[string]string{"a.txt": "a\n"})
	home := t.TempDir()
	env := map[string]string{"HOME": home, "PATH": os.Getenv("PATH")}
	r, err := OpenWith(dir, Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	get := func(key string) string {
		t.Helper()
		sec, name := key[:len(key)-len(filepath.Ext(key))], filepath.Ext(key)[1:]
		return r.readConfig().Get(sec, "", name)
	}
	if got := get("user.name"); got != "Test User" {
		t.Fatalf("user.name = %q", got)
	}
	gittest.Git(t, dir, "config", "user.name", "Someone Else")
	if got := get("user.name"); got != "Someone Else" {
		t.Errorf("after git config: user.name = %q", got)
	}
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[core]\n\tabbrev = 12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := get("core.abbrev"); got != "12" {
		t.Errorf("a global file made after the first read: core.abbrev = %q", got)
	}
	inc := filepath.Join(home, "topic.inc")
	if err := os.WriteFile(inc, []byte("[hew]\n\tmark = topic\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, dir, "config", "includeIf.onbranch:topic.path", inc)
	if got := get("hew.mark"); got != "" {
		t.Errorf("on main: hew.mark = %q", got)
	}
	gittest.Git(t, dir, "checkout", "-q", "-b", "topic")
	if got := get("hew.mark"); got != "topic" {
		t.Errorf("on topic: hew.mark = %q", got)
	}
}
