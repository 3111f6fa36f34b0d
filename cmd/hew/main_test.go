package main

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"hew/agent/llm/llmtest"
	"hew/agent/mcp/mcptest"
	"hew/sandbox"
)

// Most tests run hew in-process: Main with an IO from testIO, the real engine against the fake
// model server. Sandboxed commands re-execute this test binary as the helper stage, as hew
// re-executes itself. The few true end-to-end tests run the built binary (hewBinary).

// userGoCaches are this user's Go build and module caches, as `go env` names them before any
// test changes the environment: sandboxed go commands read through them (read-only), so the
// tests' `go test` runs start warm.
var userGoCaches map[string]string

// tempDirs are made once per package run and removed at its end.
var tempDirs struct {
	sync.Mutex
	paths []string
}

// TestMain lets the test binary serve as the sandbox's helper stage, as hew does. When every
// test runs, it starts building the hew binary at once: the end-to-end tests that need it are
// parallel, so they run last, once the in-process tests are done.
func TestMain(m *testing.M) {
	sandbox.RunHelperIfRequested()
	mcptest.RunIfRequested()
	flag.Parse()
	if flag.Lookup("test.run").Value.String() == "" {
		go buildOnce.Do(buildHew)
	}
	userGoCaches = map[string]string{}
	if out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE").Output(); err == nil {
		if f := strings.Split(strings.TrimSpace(string(out)), "\n"); len(f) == 2 {
			userGoCaches["GOCACHE"], userGoCaches["GOMODCACHE"] = f[0], f[1]
		}
	}
	code := m.Run()
	for _, p := range tempDirs.paths {
		os.RemoveAll(p)
	}
	os.Exit(code)
}

// packageTempDir makes a directory that lasts until the end of the package's tests.
func packageTempDir(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err == nil {
		tempDirs.Lock()
		tempDirs.paths = append(tempDirs.paths, dir)
		tempDirs.Unlock()
	}
	return dir, err
}

// testIO returns the IO of a command run in dir, as cli/cli's iostreams.Test does: empty
// standard input, standard output and error in the buffers returned, no terminals, and as the
// environment env over a base that keeps hew away from the developer's own files: HOME and the
// XDG directories in a new temporary directory, git's global configuration off, PATH and the Go
// caches (which sandboxed commands only read through) from this process. env may unset a base
// variable by mapping it to "".
func testIO(t testing.TB, dir string, env map[string]string) (*IO, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	home := t.TempDir()
	all := map[string]string{
		"PATH":              os.Getenv("PATH"),
		"HOME":              home,
		"XDG_CONFIG_HOME":   filepath.Join(home, "config"),
		"XDG_STATE_HOME":    filepath.Join(home, "state"),
		"XDG_CACHE_HOME":    filepath.Join(home, "cache"),
		"GIT_CONFIG_GLOBAL": "/dev/null",
		"GOTOOLCHAIN":       "local",
	}
	maps.Copy(all, userGoCaches)
	maps.Copy(all, env)
	var list []string
	for _, k := range slices.Sorted(maps.Keys(all)) {
		if all[k] != "" {
			list = append(list, k+"="+all[k])
		}
	}
	var out, errOut bytes.Buffer
	return &IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Env: list, Dir: dir}, &out, &errOut
}

// fakeServerEnv is the environment that points hew at the fake OpenAI server at baseURL.
func fakeServerEnv(baseURL string) map[string]string {
	return map[string]string{"OPENAI_API_KEY": fakeKey, "OPENAI_BASE_URL": baseURL}
}

// runHew runs hew in-process in dir with args and stdin, against the fake OpenAI server at
// baseURL, and returns its output, exit code and state directory.
func runHew(t *testing.T, dir, baseURL, stdin string, args ...string) (stdout, stderr string, code int, state string) {
	t.Helper()
	return runHewEnv(t, dir, fakeServerEnv(baseURL), stdin, args...)
}

// runHewEnv is runHew with the environment env (see testIO).
func runHewEnv(t *testing.T, dir string, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int, state string) {
	t.Helper()
	ios, _, _ := testIO(t, dir, env)
	stdout, stderr, code = runIO(t, ios, stdin, args...)
	return stdout, stderr, code, ios.Getenv("XDG_STATE_HOME")
}

// runIO runs hew in-process with ios, fresh output buffers and stdin; runs with the same ios
// share its home. The sandbox keeps its scratch HOME (and so the Go caches commands write) in a
// directory of this package run, found through this process's XDG_CACHE_HOME.
func runIO(t *testing.T, ios *IO, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", sharedCache(t))
	var out, errOut bytes.Buffer
	ios.In, ios.Out, ios.ErrOut = strings.NewReader(stdin), &out, &errOut
	code = Main(args, ios)
	return out.String(), errOut.String(), code
}

// awsEnv returns env over llmtest.AWSEnv, so the AWS SDK finds nothing of the developer's own,
// and sets it in this process too: the SDK reads the process environment.
func awsEnv(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	all := llmtest.AWSEnv(t.TempDir())
	maps.Copy(all, env)
	for k, v := range all {
		t.Setenv(k, v)
	}
	return all
}

var (
	buildOnce sync.Once
	hewBin    string
	buildErr  error
)

// buildHew builds ./cmd/hew into a directory of this package run.
func buildHew() {
	dir, err := packageTempDir("hew-e2e-bin-")
	if err != nil {
		buildErr = err
		return
	}
	hewBin = filepath.Join(dir, "hew")
	if out, err := exec.Command("go", "build", "-o", hewBin, ".").CombinedOutput(); err != nil {
		buildErr = fmt.Errorf("%v\n%s", err, out)
	}
}

// hewBinary returns the hew binary, built once per package run.
func hewBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(buildHew)
	if buildErr != nil {
		t.Fatalf("build hew: %v", buildErr)
	}
	return hewBin
}

// sharedCache keeps the sandbox's scratch home across the tests of a package run.
var sharedCacheDir = sync.OnceValues(func() (string, error) { return packageTempDir("hew-e2e-cache-") })

func sharedCache(t testing.TB) string {
	dir, err := sharedCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// binaryEnv is the environment of the built binary in the end-to-end tests: a clean one with
// home as HOME, plus env.
func binaryEnv(t testing.TB, home string, env ...string) []string {
	base := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + sharedCache(t),
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GOTOOLCHAIN=local",
	}
	for _, k := range slices.Sorted(maps.Keys(userGoCaches)) {
		base = append(base, k+"="+userGoCaches[k])
	}
	return append(base, env...)
}
