package sandbox

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestSeatbeltProfileFromJob(t *testing.T) {
	j := &job{Spec: Spec{Workspace: "/w", Policy: PolicyWorkspaceWrite}, home: "/h", tmp: "/t", gitDir: "/w/.git", readOnly: []string{"/w/.git"}, hideDirs: []string{"/u/.aws"}, hideFiles: []string{"/u/.netrc"}}
	p := j.seatbeltProfile()
	for _, w := range []string{"/w", "/h", "/t"} {
		if !slices.Contains(p.Writable, w) {
			t.Errorf("Writable %v lacks %s", p.Writable, w)
		}
	}
	if !slices.Contains(p.ReadOnly, "/w/.git") || !slices.Contains(p.Hidden, "/u/.aws") || !slices.Contains(p.Hidden, "/u/.netrc") {
		t.Errorf("profile %+v misses .git or credentials", p)
	}
	j.Policy = PolicyReadOnly
	if slices.Contains(j.seatbeltProfile().Writable, "/w") {
		t.Error("read-only policy left the workspace writable")
	}
}

func TestScrubEnv(t *testing.T) {
	env := []string{"PATH=/bin", "OPENAI_API_KEY=k", "AWS_REGION=r", "AWS_BEARER_TOKEN_BEDROCK=t", "NPM_TOKEN=n",
		"MY_CLIENT_SECRET_X=s", "STRIPE_KEY=s", "SSH_AUTH_SOCK=/s", "GOFLAGS=-v", "broken", "HEW_SANDBOX_HELPER=/p", "DB_PASSWORD=p",
		"DATABASE_URL=postgres://u@h/db", "MYSQL_PWD=p", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus", "UNLISTED=x",
		"https_proxy=http://user:hunter2@proxy:3128", "http_proxy=http://proxy:3128", "GOPROXY=https://u:p@goproxy.example",
		"LC_ALL=C", "GIT_AUTHOR_NAME=A", "MY_SETTING=sk-abcdefghijklmnopqrstuvwx", "GITHUB_TOKEN=g"}
	allow := []string{"AWS_REGION", "HEW_SANDBOX_HELPER", "MY_SETTING", "GITHUB_TOKEN", "DATABASE_URL"}
	got, notices := scrubEnv(env, allow)
	want := []string{"PATH=/bin", "AWS_REGION=r", "GOFLAGS=-v", "http_proxy=http://proxy:3128", "LC_ALL=C", "GIT_AUTHOR_NAME=A"}
	if !slices.Equal(got, want) {
		t.Errorf("ScrubEnv = %v, want %v", got, want)
	}
	for _, name := range []string{"DATABASE_URL", "GITHUB_TOKEN", "HEW_SANDBOX_HELPER", "MY_SETTING"} {
		if !slices.ContainsFunc(notices, func(n string) bool { return strings.Contains(n, name+" was not passed") }) {
			t.Errorf("no notice for %s: %q", name, notices)
		}
	}
}

func TestCarveLeavesOutExcluded(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a/b", "a/c", "d"} {
		mkdirAll(t, root+"/"+d)
	}
	var dirs, files []string
	carve(root, []string{root + "/a/b"}, &dirs, &files)
	slices.Sort(dirs)
	if want := []string{root + "/a/c", root + "/d"}; !slices.Equal(dirs, want) {
		t.Errorf("carve = %v, want %v", dirs, want)
	}
}

func mkdirAll(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultVerdictFile(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "/c"}, "/c/hew/bwrap-verdict"},
		{map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "rel"}, "/home/u/.cache/hew/bwrap-verdict"},
		{map[string]string{"HOME": "rel"}, ""},
		{nil, ""},
	} {
		if got := DefaultVerdictFile(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("DefaultVerdictFile(%v) = %q, want %q", c.env, got, c.want)
		}
	}
}
