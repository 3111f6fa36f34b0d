package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	RunHelperIfRequested()
	if redTeamProbe() {
		return
	}
	if addr := os.Getenv("SANDBOX_TEST_DIAL"); addr != "" {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		c.Write([]byte("hello"))
		c.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fixture is a fake user: a HOME with a shell profile and AWS credentials, a git repository as
// workspace, a directory outside it, and an environment carrying API keys.
type fixture struct {
	home, ws, outside string
	env               []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := t.TempDir()
	f := &fixture{home: filepath.Join(root, "home"), ws: filepath.Join(root, "ws"), outside: filepath.Join(root, "outside")}
	for _, d := range []string{f.home + "/.aws", f.ws + "/sub", f.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, f.home+"/.bashrc", "# profile\n")
	write(t, f.home+"/.aws/credentials", "[default]\naws_secret_access_key = hunter2\n")
	write(t, f.ws+"/sub/keep.txt", "keep\n")
	write(t, f.ws+"/del.txt", "delete me\n")
	if out, err := exec.Command("git", "init", "-q", f.ws).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	f.env = []string{
		"HOME=" + f.home, "PATH=" + os.Getenv("PATH"),
		"OPENAI_API_KEY=sk-test-openai", "AWS_SECRET_ACCESS_KEY=aws-test-secret",
		"AWS_BEARER_TOKEN_BEDROCK=bedrock-test-token", "GITHUB_TOKEN=gh-test-token", "HARMLESS=visible",
	}
	return f
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) spec(cmd string) Spec {
	return Spec{Command: cmd, Workspace: f.ws, Env: f.env, Timeout: 20 * time.Second}
}

// eachBackend runs fn for every Linux backend that works on this machine, forced.
func eachBackend(t *testing.T, fn func(t *testing.T, s *Sandbox)) {
	home := t.TempDir()
	for _, b := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		t.Run(b, func(t *testing.T) {
			s, err := New(Options{Backend: b, HomeDir: home})
			if err != nil {
				if os.Getenv("HEW_SANDBOX_REQUIRE_ALL") != "" {
					t.Fatal(err)
				}
				t.Skip(err)
			}
			fn(t, s)
		})
	}
}

func run(t *testing.T, s *Sandbox, spec Spec) Result {
	t.Helper()
	res, err := s.Run(context.Background(), spec)
	if err != nil {
		t.Fatalf("Run(%q): %v", spec.Command, err)
	}
	if spec.Policy != PolicyFullAccess && res.Backend != s.Backend() {
		t.Errorf("Result.Backend = %q, want %q", res.Backend, s.Backend())
	}
	return res
}

func TestContainment(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		mustFail := map[string]string{
			"write outside the workspace": "echo x > " + f.outside + "/escaped",
			"write ~/.bashrc":             "echo x >> " + f.home + "/.bashrc",
			"write .git/hooks":            "echo x > " + f.ws + "/.git/hooks/pre-commit",
			"read ~/.aws/credentials":     "cat " + f.home + "/.aws/credentials",
			"write /etc":                  "echo x > /etc/hew-sandbox-test",
		}
		for name, cmd := range mustFail {
			res := run(t, s, f.spec(cmd))
			if res.ExitCode == 0 {
				t.Errorf("%s: %q succeeded; output %q", name, cmd, res.Output)
			}
			if strings.Contains(res.Output, "hunter2") {
				t.Errorf("%s: output shows the credential: %q", name, res.Output)
			}
		}
		if _, err := os.Stat(f.outside + "/escaped"); err == nil {
			t.Error("file outside the workspace was written")
		}
		if b, _ := os.ReadFile(f.home + "/.bashrc"); string(b) != "# profile\n" {
			t.Errorf(".bashrc changed: %q", b)
		}
		if _, err := os.Stat(f.ws + "/.git/hooks/pre-commit"); err == nil {
			t.Error(".git/hooks/pre-commit was written")
		}

		res := run(t, s, f.spec("echo written > sub/new.txt && echo tmp > \"$TMPDIR/t\" && echo home > \"$HOME/h\" && cat sub/keep.txt"))
		if res.ExitCode != 0 || res.Output != "keep\n" {
			t.Fatalf("writes to workspace, TMPDIR and HOME: exit %d, output %q", res.ExitCode, res.Output)
		}
		if b, _ := os.ReadFile(f.ws + "/sub/new.txt"); string(b) != "written\n" {
			t.Errorf("workspace write did not land: %q", b)
		}
	})
}

func TestEnvironmentScrubbed(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		res := run(t, s, f.spec("env"))
		for _, secret := range []string{"sk-test-openai", "aws-test-secret", "bedrock-test-token", "gh-test-token", HelperEnvForTest} {
			if strings.Contains(res.Output, secret) {
				t.Errorf("environment shows %q:\n%s", secret, res.Output)
			}
		}
		if strings.Contains(res.Output, "HARMLESS=visible") || !strings.Contains(res.Output, "PATH=") {
			t.Errorf("the environment is not the allow-list:\n%s", res.Output)
		}
		spec := f.spec("echo $HARMLESS $GITHUB_TOKEN")
		spec.AllowEnv = []string{"GITHUB_TOKEN", "HARMLESS"}
		res = run(t, s, spec)
		if res.Output != "visible\n" {
			t.Errorf("allow_env: output %q, want HARMLESS passed and GITHUB_TOKEN not", res.Output)
		}
		if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "GITHUB_TOKEN") {
			t.Errorf("Notices = %q, want one about GITHUB_TOKEN", res.Notices)
		}
	})
}

// HelperEnvForTest is the helper variable's name, which must never reach a command.
const HelperEnvForTest = helperEnv

func TestNetworkOff(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		for _, network := range []bool{false, true} {
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			arrived := make(chan bool, 1)
			go func() {
				c, err := ln.Accept()
				if err == nil {
					c.Close()
				}
				arrived <- err == nil
			}()
			spec := f.spec(fmt.Sprintf("SANDBOX_TEST_DIAL=%s %s", ln.Addr(), os.Args[0]))
			spec.Network = network
			res := run(t, s, spec)
			ln.Close()
			got := <-arrived
			if got != network {
				t.Errorf("network=%v: connection arrived=%v (exit %d, output %q)", network, got, res.ExitCode, res.Output)
			}
		}
	})
}

func TestTimeoutKillsWholeTree(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		marker := fmt.Sprintf("%d.%d", 900+os.Getpid()%100, time.Now().UnixNano()%1000000)
		spec := f.spec(fmt.Sprintf("setsid sh -c 'sleep %s' & (sleep %s &) ; echo started; sleep %s", marker, marker, marker))
		spec.Timeout = 700 * time.Millisecond
		start := time.Now()
		res := run(t, s, spec)
		if !res.TimedOut || res.ExitCode == 0 {
			t.Fatalf("TimedOut=%v exit=%d output=%q", res.TimedOut, res.ExitCode, res.Output)
		}
		if !strings.Contains(res.Output, "started") {
			t.Errorf("output before the timeout lost: %q", res.Output)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Run took %v after a 700ms timeout", d)
		}
		deadline := time.Now().Add(2 * time.Second)
		for {
			left := processesWith(marker)
			if len(left) == 0 {
				break
			}
			if time.Now().After(deadline) {
				for _, l := range left {
					pid, _, _ := strings.Cut(l, ":")
					n, _ := strconv.Atoi(pid)
					unix.Kill(n, unix.SIGKILL) // leave the machine clean for the next run
				}
				t.Fatalf("processes left behind: %v", left)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// processesWith lists live processes whose command line contains s.
func processesWith(s string) []string {
	var out []string
	paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), s) {
			continue
		}
		pid := filepath.Base(filepath.Dir(p))
		if stat, err := os.ReadFile("/proc/" + pid + "/stat"); err == nil {
			if _, rest, _ := strings.Cut(string(stat), ") "); strings.HasPrefix(rest, "Z") {
				continue
			}
		}
		out = append(out, pid+": "+strings.ReplaceAll(string(b), "\x00", " "))
	}
	return out
}

func TestHugeOutputCapped(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		spec := f.spec("echo BEGIN; head -c 3000000 /dev/zero | tr '\\000' x; echo; echo END")
		spec.OutputLimit = 1000
		res := run(t, s, spec)
		if len(res.Output) > 1100 {
			t.Errorf("output is %d bytes, want about 1000", len(res.Output))
		}
		if !strings.HasPrefix(res.Output, "BEGIN\n") || !strings.HasSuffix(res.Output, "\nEND\n") || !strings.Contains(res.Output, "bytes) omitted") {
			t.Errorf("head, tail or omission marker missing: %q…%q", res.Output[:20], res.Output[len(res.Output)-20:])
		}
		if want := int64(len("BEGIN\n") + 3000000 + len("\nEND\n") - 1000); res.OmittedBytes != want {
			t.Errorf("OmittedBytes = %d, want %d", res.OmittedBytes, want)
		}
	})
}

func TestOverlay(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		layer := t.TempDir()
		ov := &Overlay{Upper: filepath.Join(layer, "upper"), Work: filepath.Join(layer, "work")}
		os.Mkdir(ov.Upper, 0o755)
		os.Mkdir(ov.Work, 0o755)
		spec := f.spec("echo new > new.txt && rm del.txt && echo changed > sub/keep.txt && cat sub/keep.txt && ls")
		spec.Overlay = ov
		res, err := s.Run(context.Background(), spec)
		if !s.CanOverlay() {
			if !errors.Is(err, ErrOverlayUnsupported) {
				t.Fatalf("backend without overlay: err = %v, want ErrOverlayUnsupported", err)
			}
			return
		}
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("Run: %v, exit %d, output %q", err, res.ExitCode, res.Output)
		}
		if b, _ := os.ReadFile(ov.Upper + "/new.txt"); string(b) != "new\n" {
			t.Errorf("upper/new.txt = %q, want the command's write", b)
		}
		if _, err := os.Stat(f.ws + "/new.txt"); err == nil {
			t.Error("new.txt reached the real workspace")
		}
		var st unix.Stat_t
		if err := unix.Lstat(ov.Upper+"/del.txt", &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
			t.Errorf("upper/del.txt is not a whiteout: err %v mode %o rdev %d", err, st.Mode, st.Rdev)
		}
		if b, _ := os.ReadFile(f.ws + "/del.txt"); string(b) != "delete me\n" {
			t.Errorf("real del.txt changed: %q", b)
		}
		if b, _ := os.ReadFile(f.ws + "/sub/keep.txt"); string(b) != "keep\n" {
			t.Errorf("real sub/keep.txt changed: %q", b)
		}
	})
}

func TestReadOnlyPolicy(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		spec := f.spec("echo x > sub/keep.txt")
		spec.Policy = PolicyReadOnly
		if res := run(t, s, spec); res.ExitCode == 0 {
			t.Errorf("write under read-only succeeded")
		}
		if b, _ := os.ReadFile(f.ws + "/sub/keep.txt"); string(b) != "keep\n" {
			t.Errorf("keep.txt changed under read-only: %q", b)
		}
	})
}

func TestFullAccessIsAnnounced(t *testing.T) {
	s, err := New(Options{Backend: BackendNone, HomeDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	if _, err := s.Run(context.Background(), f.spec("true")); !errors.Is(err, ErrNoContainment) {
		t.Fatalf("no backend, workspace-write: err = %v, want ErrNoContainment", err)
	}
	spec := f.spec("echo x > " + f.outside + "/free")
	spec.Policy = PolicyFullAccess
	res := run(t, s, spec)
	if !strings.Contains(res.Backend, "NOT CONTAINED") {
		t.Errorf("Backend = %q, want a loud NOT CONTAINED", res.Backend)
	}
	if _, err := os.Stat(f.outside + "/free"); err != nil {
		t.Errorf("full-access write did not happen: %v", err)
	}
}

func TestRunRejectsBadSpecs(t *testing.T) {
	s, err := New(Options{HomeDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		edit func(*Spec)
		want string
	}{
		{"relative workspace", func(s *Spec) { s.Workspace = "ws" }, "absolute"},
		{"dir outside", func(s *Spec) { s.Dir = f.outside }, "outside the workspace"},
		{"empty command", func(s *Spec) { s.Command = " " }, "empty command"},
		{"bad policy", func(s *Spec) { s.Policy = "yolo" }, "unknown sandbox policy"},
		{"overlay comma", func(s *Spec) { s.Overlay = &Overlay{Upper: "/tmp/a,b", Work: "/tmp"} }, "overlay mount options"},
	} {
		spec := f.spec("true")
		tc.edit(&spec)
		if _, err := s.Run(context.Background(), spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

func TestDetectNamesTheBackend(t *testing.T) {
	rep := Detect(Options{HomeDir: t.TempDir()})
	if len(rep.Checks) != 3 {
		t.Fatalf("Checks = %+v, want bwrap, namespaces and landlock", rep.Checks)
	}
	text := rep.String()
	for _, c := range rep.Checks {
		if !strings.Contains(text, c.Backend) || c.Detail == "" {
			t.Errorf("report lacks %s or its reason:\n%s", c.Backend, text)
		}
	}
	if _, err := exec.LookPath("bwrap"); err == nil && rep.Backend != BackendBwrap {
		t.Errorf("bwrap installed but backend is %s:\n%s", rep.Backend, text)
	}
}
