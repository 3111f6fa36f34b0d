package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"hew/agent/proposal"
	"hew/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.RunHelperIfRequested()
	os.Exit(m.Run())
}

// Every backend available here must give the same result: what the command writes and deletes
// lands in the proposal (directly through the overlay, or through the copy fallback) and the
// working tree stays as it was.
func TestCommandsWriteIntoTheProposal(t *testing.T) {
	for _, backend := range []string{sandbox.BackendBwrap, sandbox.BackendNamespaces, sandbox.BackendLandlock} {
		t.Run(backend, func(t *testing.T) {
			sb, err := sandbox.New(sandbox.Options{Backend: backend, HomeDir: t.TempDir()})
			if err != nil {
				t.Skipf("backend %s unavailable: %v", backend, err)
			}
			root := t.TempDir()
			os.Mkdir(filepath.Join(root, "sub"), 0o755)
			for name, content := range map[string]string{"keep.txt": "keep\n", "gone.txt": "gone\n", "sub/edit.txt": "old\n", ".gitignore": "out/\n"} {
				os.WriteFile(filepath.Join(root, name), []byte(content), 0o644)
			}
			layer, err := proposal.Open(root, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			// A pending tool edit that the command must see.
			layer.WriteFile("sub/edit.txt", []byte("from a tool\n"), 0)
			r := &Runner{Sandbox: sync.OnceValues(func() (*sandbox.Sandbox, error) { return sb, nil }), Layer: layer,
				Policy: sandbox.PolicyWorkspaceWrite, Env: []string{"PATH=" + os.Getenv("PATH"), "OPENAI_API_KEY=sk-nope"}}
			res, err := r.Run(context.Background(), `set -e
cat sub/edit.txt
echo generated > gen.txt
rm gone.txt
mkdir -p out && echo build > out/bin
echo "key=${OPENAI_API_KEY:-unset}"`, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != 0 || !strings.Contains(res.Output, "from a tool") || !strings.Contains(res.Output, "key=unset") {
				t.Fatalf("exit %d output:\n%s", res.ExitCode, res.Output)
			}
			changes, err := layer.Changes()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range changes {
				got = append(got, string(c.Op)+" "+c.Path)
			}
			if want := []string{"A gen.txt", "D gone.txt", "M sub/edit.txt"}; !reflect.DeepEqual(got, want) {
				t.Errorf("changes = %v, want %v (ignored out/ must not count)", got, want)
			}
			for name, want := range map[string]string{"gone.txt": "gone\n", "sub/edit.txt": "old\n"} {
				if b, _ := os.ReadFile(filepath.Join(root, name)); string(b) != want {
					t.Errorf("the working tree's %s changed: %q", name, b)
				}
			}
			if _, err := os.Stat(filepath.Join(root, "gen.txt")); err == nil {
				t.Error("gen.txt was written into the working tree")
			}
		})
	}
}

// A command a limit stopped says so in the tool's output.
func TestLimitIsReported(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Limits: sandbox.Limits{FileSize: 1 << 20}})
	if err != nil || sb.Backend() == sandbox.BackendNone {
		t.Skip("no sandbox backend here:", err)
	}
	root := t.TempDir()
	layer, err := proposal.Open(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Sandbox: sync.OnceValues(func() (*sandbox.Sandbox, error) { return sb, nil }), Layer: layer,
		Policy: sandbox.PolicyWorkspaceWrite, Env: []string{"PATH=" + os.Getenv("PATH")}}
	res, err := r.Run(context.Background(), "head -c 3000000 /dev/zero > big", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode == 0 || !strings.Contains(res.Output, "[hew: stopped: file size limit 1 MiB exceeded") {
		t.Errorf("exit %d, output %q: want the file size limit named", res.ExitCode, res.Output)
	}
}

// An allow_env variable the sandbox will not pass is told once, however many commands run.
func TestNoticeToldOnce(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil || sb.Backend() == sandbox.BackendNone {
		t.Skip("no sandbox backend here:", err)
	}
	layer, err := proposal.Open(t.TempDir(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	r := &Runner{Sandbox: sync.OnceValues(func() (*sandbox.Sandbox, error) { return sb, nil }), Layer: layer,
		Policy: sandbox.PolicyWorkspaceWrite, Env: []string{"PATH=" + os.Getenv("PATH"), "GITHUB_TOKEN=ghs-secret"},
		AllowEnv: []string{"GITHUB_TOKEN"}, Notice: OnceEach(func(s string) { told = append(told, s) })}
	for i := 0; i < 2; i++ {
		res, err := r.RunWithNetwork(context.Background(), "echo ${GITHUB_TOKEN:-unset}", 30*time.Second, false)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(res.Output, "ghs-secret") {
			t.Fatalf("the token reached the command: %q", res.Output)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "GITHUB_TOKEN") {
		t.Errorf("notices = %q, want one about GITHUB_TOKEN", told)
	}
}

// On the Landlock-only backend commands run in the layer's copy of the tree, which lives beside
// the proposal's own state and is kept between commands. Containment is as strong as with a
// fresh copy: a command cannot write the proposal's state, the working tree or anything
// outside, and what it leaves in the copy (a link where a directory was) is never written
// through when the next command's copy is brought up to date.
func TestLandlockCopyContainment(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Backend: sandbox.BackendLandlock})
	if err != nil {
		t.Skipf("Landlock unavailable: %v", err)
	}
	root, state, outside := t.TempDir(), t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(root, "sub"), 0o755)
	os.WriteFile(filepath.Join(root, "sub/a.txt"), []byte("a\n"), 0o644)
	os.WriteFile(filepath.Join(root, "top.txt"), []byte("top\n"), 0o644)
	layer, err := proposal.Open(root, state)
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Sandbox: sync.OnceValues(func() (*sandbox.Sandbox, error) { return sb, nil }), Layer: layer,
		Policy: sandbox.PolicyWorkspaceWrite, Env: []string{"PATH=" + os.Getenv("PATH")}}
	run := func(cmd string) string {
		t.Helper()
		res, err := r.Run(context.Background(), cmd, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return res.Output
	}
	out := run(fmt.Sprintf(`for p in '%[1]s/planted' '%[2]s/base.json' '%[2]s/planted' '%[3]s/top.txt' '%[3]s/planted' '%[4]s/planted'; do
  (echo pwned > "$p") 2>/dev/null && echo "WROTE $p"
done
rm -rf sub && ln -s '%[4]s' sub
echo ok`, layer.Upper(), state, root, outside))
	if strings.Contains(out, "WROTE") || !strings.Contains(out, "ok") {
		t.Errorf("output:\n%s", out)
	}
	for _, p := range []string{filepath.Join(layer.Upper(), "planted"), filepath.Join(state, "planted"), filepath.Join(root, "planted"), filepath.Join(outside, "planted")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("the command wrote %s", p)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "top.txt")); string(b) != "top\n" {
		t.Errorf("the working tree's top.txt = %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(state, "base.json")); strings.Contains(string(b), "pwned") {
		t.Error("the command wrote the proposal's state")
	}
	// The user brings sub back to life with a change; the next copy must not write through the link.
	os.WriteFile(filepath.Join(root, "sub/a.txt"), []byte("a2\n"), 0o644)
	layer.Drop("sub/a.txt")
	if out := run("cat sub/a.txt; ls -la sub | head -3"); !strings.Contains(out, "a2") {
		t.Errorf("the next command does not see sub/a.txt: %s", out)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("bringing the copy up to date wrote outside through the link: %v", ents)
	}
}
