package codereview

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hew/gitops/gittest"
)

// TestUncommittedFollowsGitsIgnoreRules: the review of uncommitted changes holds what git diff
// HEAD and git ls-files --others --exclude-standard name, with a global excludes file (the XDG
// default) and info/exclude in play, and never the content of an ignored file.
func TestUncommittedFollowsGitsIgnoreRules(t *testing.T) {
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "xdg"), "GIT_CONFIG_NOSYSTEM=1"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", "") // empty is unset, for hew and for gittest.Command
	gittest.WriteFile(t, filepath.Join(home, "xdg", "git", "ignore"), "*.env\n")
	dir := gittest.NewRepo(t, map[string]string{".gitignore": "build/\nvendor/\n", "a.txt": "a\n", "b.txt": "b\n",
		"c.txt": "c\n", "sub/d.txt": "d\n"})
	git := func(args ...string) string {
		out, err := gittest.Command(dir, env, args...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	gittest.WriteFile(t, filepath.Join(dir, "vendor", "lib.go"), "package lib\n")
	git("add", "-f", "vendor/lib.go")
	git("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "vendor")
	for name, content := range map[string]string{"a.txt": "a changed\n", "c.txt": "c staged\n", "vendor/lib.go": "package lib // changed\n",
		"new.txt": "new\n", "sub/new.txt": "new too\n", "build/out.o": "SECRET-BUILD\n", "secret.env": "SECRET-TOKEN\n",
		"x.local": "SECRET-LOCAL\n", ".git/info/exclude": "*.local\n"} {
		gittest.WriteFile(t, filepath.Join(dir, name), content)
	}
	git("add", "c.txt")
	os.Remove(filepath.Join(dir, "b.txt"))

	files, err := Collect(filepath.Join(dir, "sub"), Target{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
		if strings.Contains(string(f.New)+string(f.Old), "SECRET") {
			t.Errorf("%s: an ignored file's content is in the review", f.Path)
		}
	}
	want := strings.Fields(git("diff", "HEAD", "--name-only") + git("ls-files", "--others", "--exclude-standard"))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("uncommitted files = %v, git says %v", got, want)
	}
	for _, f := range files {
		switch f.Path {
		case "b.txt":
			if !f.Deleted || string(f.Old) != "b\n" || f.New != nil {
				t.Errorf("deleted b.txt: %+v", f)
			}
		case "new.txt":
			if !f.Created || f.Old != nil || string(f.New) != "new\n" {
				t.Errorf("created new.txt: %+v", f)
			}
		case "c.txt":
			if string(f.Old) != "c\n" || string(f.New) != "c staged\n" {
				t.Errorf("staged c.txt: %+v", f)
			}
		}
	}
}
