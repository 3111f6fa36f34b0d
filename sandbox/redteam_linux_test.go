package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The red-team suite: each test plays an attacker who controls the command (the model or the
// repository) and asserts that the attack failed — the file outside is absent, the secret is
// absent from the output — on every backend available, as root and, through
// TestRedTeamAsOrdinaryUser, as an ordinary user.

// redTeamProbe runs the attack programs that need more than a shell, when the test binary is
// started inside the sandbox for one; it reports whether it was.
func redTeamProbe() bool {
	switch {
	case os.Getenv("SANDBOX_TEST_TIOCSTI") != "":
		// Type a command into every terminal reachable: the inherited descriptors, /dev/tty, and
		// the terminal named by the variable.
		for _, fd := range []int{0, 1, 2} {
			tiocsti(fmt.Sprint("fd", fd), fd)
		}
		for _, path := range []string{"/dev/tty", os.Getenv("SANDBOX_TEST_TIOCSTI")} {
			fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY, 0)
			if err != nil {
				fmt.Printf("open %s: %v\n", path, err)
				continue
			}
			tiocsti(path, fd)
		}
		os.Exit(0)
	case os.Getenv("SANDBOX_TEST_CTTY_BACKEND") != "":
		// Play hew in a terminal: this process's controlling terminal is the test's pty. Run
		// a command that types into /dev/tty, as a command that kept hew's terminal could.
		s, err := New(Options{Backend: os.Getenv("SANDBOX_TEST_CTTY_BACKEND")})
		if err != nil {
			fmt.Println("new:", err)
			os.Exit(3)
		}
		ws, _ := os.MkdirTemp("", "hew-redteam-ctty-")
		defer os.RemoveAll(ws)
		res, err := s.Run(context.Background(), Spec{Command: "SANDBOX_TEST_TIOCSTI=/dev/tty " + os.Args[0], Workspace: ws,
			Env: []string{"PATH=" + os.Getenv("PATH")}, Timeout: 20 * time.Second})
		fmt.Print(res.Output)
		if err != nil {
			fmt.Println("run:", err)
			os.Exit(4)
		}
		os.Exit(0)
	case os.Getenv("SANDBOX_TEST_SIGNAL_BACKEND") != "":
		// Play hew without a terminal: run a command that kills its whole process group, as a
		// command sharing hew's group would kill hew.
		s, err := New(Options{Backend: os.Getenv("SANDBOX_TEST_SIGNAL_BACKEND")})
		if err != nil {
			fmt.Println("new:", err)
			os.Exit(3)
		}
		ws, _ := os.MkdirTemp("", "hew-redteam-signal-")
		defer os.RemoveAll(ws)
		res, err := s.Run(context.Background(), Spec{Command: "kill -KILL 0; echo NOT-KILLED", Workspace: ws,
			Env: []string{"PATH=" + os.Getenv("PATH")}, Timeout: 20 * time.Second})
		fmt.Printf("%sexit %d err %v\nHEW-SURVIVED\n", res.Output, res.ExitCode, err)
		os.Exit(0)
	case os.Getenv("SANDBOX_TEST_INHERIT_BACKEND") != "":
		// Play hew started with a secret file open on descriptor 7, not close-on-exec, as a
		// shell's `exec 7<secret` leaves it: the command must not read it through that.
		s, err := New(Options{Backend: os.Getenv("SANDBOX_TEST_INHERIT_BACKEND")})
		if err != nil {
			fmt.Println("new:", err)
			os.Exit(3)
		}
		ws, _ := os.MkdirTemp("", "hew-redteam-inherit-")
		defer os.RemoveAll(ws)
		res, err := s.Run(context.Background(), Spec{Command: "echo RAN; cat <&7; cat /proc/self/fd/7", Workspace: ws,
			Env: []string{"PATH=" + os.Getenv("PATH")}, Timeout: 20 * time.Second})
		fmt.Printf("%serr %v\n", res.Output, err)
		os.Exit(0)
	case os.Getenv("SANDBOX_TEST_UNIX") != "":
		c, err := net.DialTimeout("unix", os.Getenv("SANDBOX_TEST_UNIX"), time.Second)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		c.Write([]byte("hello"))
		c.Close()
		fmt.Println("CONNECTED")
		os.Exit(0)
	case os.Getenv("SANDBOX_TEST_ALLOC") != "":
		n, _ := strconv.Atoi(os.Getenv("SANDBOX_TEST_ALLOC"))
		b := make([]byte, n<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		fmt.Println("ALLOCATED", len(b)>>20, "MiB")
		os.Exit(0)
	}
	return false
}

// tiocsti pushes "echo INJECTED\n" into the input of the terminal on fd and prints the outcome.
func tiocsti(name string, fd int) {
	for _, c := range []byte("echo INJECTED\n") {
		c := c
		if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TIOCSTI, uintptr(unsafe.Pointer(&c))); errno != 0 {
			fmt.Printf("TIOCSTI %s: %v\n", name, errno)
			return
		}
	}
	fmt.Printf("TIOCSTI %s: INJECTED\n", name)
}

// redTeamRoot is where the attacks' fake user lives: outside /tmp, as a real home is, so the
// masks themselves are tested and not only the private /tmp. HEW_REDTEAM_ROOT names a directory
// prepared for the ordinary user; as root a directory under /var/lib is made.
func redTeamRoot(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("HEW_REDTEAM_ROOT"); dir != "" {
		d, err := os.MkdirTemp(dir, "fixture-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		return d
	}
	d, err := os.MkdirTemp("/var/lib", "hew-redteam-")
	if err != nil {
		t.Logf("no fixture outside /tmp (%v); using the temp dir", err)
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// victim is a user with secrets everywhere hew's red team found them, a repository under the
// home, a session transcript, a D-Bus-like socket in the runtime dir, and secrets in the
// environment.
type victim struct {
	*fixture
	root, xdgConfig, runtime, bus string
	secrets                       []string
}

func newVictim(t *testing.T) *victim {
	t.Helper()
	root := redTeamRoot(t)
	v := &victim{fixture: &fixture{home: root + "/home/alice", outside: root + "/outside"}, root: root}
	v.ws = v.home + "/src/repo"
	v.xdgConfig = root + "/xdg-config"
	v.runtime = root + "/run-user"
	files := map[string]string{
		v.home + "/.bashrc":                             "# profile\n",
		v.home + "/.aws/credentials":                    "aws_secret_access_key = SECRET-aws-file\n",
		v.home + "/.ssh/id_ed25519":                     "SECRET-ssh-key\n",
		v.home + "/.config/git/credentials":             "https://u:SECRET-git-cred@example.com\n",
		v.home + "/.pgpass":                             "db:5432:*:u:SECRET-pgpass\n",
		v.home + "/.vault-token":                        "SECRET-vault\n",
		v.home + "/.codex/auth.json":                    `{"token":"SECRET-other-agent"}`,
		v.xdgConfig + "/gh/hosts.yml":                   "oauth_token: SECRET-gh-hosts\n",
		v.home + "/.local/state/hew/sessions/s1.jsonl":  `{"text":"SECRET-transcript"}`,
		root + "/other-repo-state/hew/sessions/s.jsonl": `{"text":"SECRET-other-transcript"}`,
		v.ws + "/main.go":                               "package main\n",
		v.ws + "/pkg/doc.go":                            "package pkg\n",
	}
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		write(t, path, content)
	}
	for _, d := range []string{v.outside, v.runtime} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("git", "init", "-q", v.ws).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	v.bus = v.runtime + "/bus"
	v.env = []string{
		"HOME=" + v.home, "PATH=" + os.Getenv("PATH"), "XDG_CONFIG_HOME=" + v.xdgConfig, "XDG_RUNTIME_DIR=" + v.runtime,
		"XDG_STATE_HOME=" + root + "/other-repo-state",
		"OPENAI_API_KEY=SECRET-openai", "AWS_SECRET_ACCESS_KEY=SECRET-aws-env", "GITHUB_TOKEN=SECRET-gh-env",
		"DATABASE_URL=postgres://app:SECRET-db-url@db/app", "MYSQL_PWD=SECRET-mysql",
		"https_proxy=http://user:SECRET-proxy@proxy:3128", "DBUS_SESSION_BUS_ADDRESS=unix:path=" + v.bus,
		"SSH_AUTH_SOCK=" + v.runtime + "/ssh-agent", "MY_SETTING=sk-SECRETSECRETSECRETSECRET",
	}
	v.secrets = []string{"SECRET-"}
	return v
}

func (v *victim) spec(cmd string) Spec {
	return Spec{Command: cmd, Workspace: v.ws, Env: v.env, AllowEnv: []string{"GITHUB_TOKEN", "MY_SETTING", "DATABASE_URL"}, Timeout: 20 * time.Second}
}

// noSecret fails t when out shows any of v's secrets.
func (v *victim) noSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range v.secrets {
		if strings.Contains(out, s) {
			t.Errorf("%s: the output shows %q:\n%s", what, s, out)
		}
	}
}

// capsLine matches the capability and no_new_privs lines of /proc/self/status.
func statusFields(out string) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// Class 1: no sandboxed process has a capability, and the attacks capabilities allowed fail.
func TestRedTeamCapabilities(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		v := newVictim(t)
		for _, overlay := range []bool{false, true} {
			spec := v.spec("cat /proc/self/status; sh -c 'grep -E \"^(Cap|NoNew)\" /proc/self/status' | sed 's/^/child-/'")
			if overlay {
				if !s.CanOverlay() {
					continue
				}
				spec.Overlay = newOverlay(t)
			}
			res := run(t, s, spec)
			f := statusFields(res.Output)
			for _, k := range []string{"CapInh", "CapPrm", "CapEff", "CapAmb", "child-CapInh", "child-CapPrm", "child-CapEff", "child-CapAmb"} {
				if f[k] != "0000000000000000" {
					t.Errorf("overlay=%v: %s = %q, want empty", overlay, k, f[k])
				}
			}
			// An ordinary user cannot drop the bounding set without a user namespace (the
			// Landlock-only backend); no_new_privs keeps it from granting anything.
			if f["CapBnd"] != "0000000000000000" && (os.Getuid() == 0 || s.Backend() != BackendLandlock) {
				t.Errorf("overlay=%v: CapBnd = %q, want empty", overlay, f["CapBnd"])
			}
			if f["NoNewPrivs"] != "1" || f["child-NoNewPrivs"] != "1" {
				t.Errorf("overlay=%v: NoNewPrivs = %q/%q, want 1", overlay, f["NoNewPrivs"], f["child-NoNewPrivs"])
			}
		}
		attacks := map[string]string{
			"remount / read-write":       "mount -o remount,rw / && echo x > /escaped-root; echo x > " + v.outside + "/escaped",
			"umount the mask over home":  "umount " + v.root + "/home 2>&1; umount -l " + v.root + "/home; cat " + v.home + "/.aws/credentials",
			"new user namespace, umount": "unshare -Urm sh -c 'umount -l " + v.root + "/home; umount -l /tmp; cat " + v.home + "/.aws/credentials; echo x > " + v.outside + "/escaped'",
			"mount over the workspace":   "mount -t tmpfs none " + v.ws + " && echo x > " + v.outside + "/escaped",
			"chroot":                     "chroot / sh -c 'echo x > " + v.outside + "/escaped'",
			"write outside":              "echo x > " + v.outside + "/escaped; echo x >> " + v.home + "/.bashrc",
		}
		for name, cmd := range attacks {
			res := run(t, s, v.spec(cmd))
			v.noSecret(t, name, res.Output)
			if _, err := os.Stat(v.outside + "/escaped"); err == nil {
				t.Errorf("%s: a file was written outside the workspace; output:\n%s", name, res.Output)
				os.Remove(v.outside + "/escaped")
			}
			if b, _ := os.ReadFile(v.home + "/.bashrc"); string(b) != "# profile\n" {
				t.Errorf("%s: ~/.bashrc changed: %q", name, b)
			}
		}
		if _, err := os.Stat("/escaped-root"); err == nil {
			os.Remove("/escaped-root")
			t.Error("a file was written at /")
		}
	})
}

func newOverlay(t *testing.T) *Overlay {
	layer := t.TempDir()
	ov := &Overlay{Upper: filepath.Join(layer, "upper"), Work: filepath.Join(layer, "work")}
	os.Mkdir(ov.Upper, 0o755)
	os.Mkdir(ov.Work, 0o755)
	return ov
}

// openPTY opens a new pseudo-terminal and returns its master and the path of its slave.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Skip("no pseudo-terminals:", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skip("unlock pty:", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skip("pty number:", err)
	}
	master := os.NewFile(uintptr(fd), "ptmx")
	t.Cleanup(func() { master.Close() })
	return master, fmt.Sprintf("/dev/pts/%d", n)
}

// Class 6: no controlling terminal, nothing typed into the user's terminal.
func TestRedTeamTerminal(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		v := newVictim(t)
		master, slavePath := openPTY(t)
		slave, err := os.OpenFile(slavePath, os.O_RDWR|unix.O_NOCTTY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer slave.Close()
		spec := v.spec(fmt.Sprintf("ps -o pid,sid,tty,comm 2>/dev/null | head -3; (exec 3</dev/tty) 2>&1 && echo OPENED-TTY; SANDBOX_TEST_TIOCSTI=%s %s", slavePath, os.Args[0]))
		spec.Stdin = slave // the user's terminal, as `hew sandbox` in a shell would pass it
		res := run(t, s, spec)
		if strings.Contains(res.Output, "OPENED-TTY") || strings.Contains(res.Output, "INJECTED") {
			t.Errorf("the command reached a terminal:\n%s", res.Output)
		}
		if !strings.Contains(res.Output, "TIOCSTI fd0") {
			t.Errorf("the probe did not run:\n%s", res.Output)
		}
		// Whatever reached the terminal's input queue would be readable from the slave side;
		// the master shows what was echoed.
		master.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		buf := make([]byte, 256)
		n, _ := master.Read(buf)
		if strings.Contains(string(buf[:n]), "INJECTED") {
			t.Errorf("the terminal received injected input: %q", buf[:n])
		}
	})
}

// Class 6, without a terminal: where hew has no controlling terminal the command gets a process
// group of its own instead of a new session; either way it cannot signal hew through its group.
func TestRedTeamSignalsStayInside(t *testing.T) {
	for _, b := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		t.Run(b, func(t *testing.T) {
			if _, err := New(Options{Backend: b}); err != nil {
				t.Skip(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SANDBOX_TEST_SIGNAL_BACKEND="+b)
			// A session of its own: hew's stand-in has no controlling terminal, and a kill that
			// escaped could not reach this test.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			out, _ := cmd.CombinedOutput()
			// The command dies with its group (137), or, as the init of a pid namespace, is
			// spared and goes on; hew's stand-in must live on either way.
			ran := strings.Contains(string(out), "exit 137") || strings.Contains(string(out), "NOT-KILLED")
			if !strings.Contains(string(out), "HEW-SURVIVED") || !ran {
				t.Errorf("the command's kill reached hew's stand-in, or did not run:\n%s", out)
			}
		})
	}
}

// Class 1, through a descriptor: a file hew was started with, left open by its parent without
// close-on-exec, does not reach the command.
func TestRedTeamInheritedDescriptor(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "id_rsa")
	if err := os.WriteFile(secret, []byte("SECRET-inherited-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		t.Run(b, func(t *testing.T) {
			if _, err := New(Options{Backend: b}); err != nil {
				t.Skip(err)
			}
			f, err := os.Open(secret)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SANDBOX_TEST_INHERIT_BACKEND="+b)
			// Descriptor 7 of hew's stand-in: above those the helper stage is given (3).
			cmd.ExtraFiles = []*os.File{nil, nil, nil, nil, f}
			out, _ := cmd.CombinedOutput()
			if !strings.Contains(string(out), "RAN") || strings.Contains(string(out), "SECRET-inherited-key") {
				t.Errorf("the command read the inherited descriptor, or did not run:\n%s", out)
			}
		})
	}
}

// Class 6, with the terminal hew's own: hew runs with a pseudo-terminal as its controlling
// terminal, and the command it runs tries to type into it through /dev/tty.
func TestRedTeamControllingTerminal(t *testing.T) {
	for _, b := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		t.Run(b, func(t *testing.T) {
			if _, err := New(Options{Backend: b}); err != nil {
				t.Skip(err)
			}
			master, slavePath := openPTY(t)
			slave, err := os.OpenFile(slavePath, os.O_RDWR|unix.O_NOCTTY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer slave.Close()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SANDBOX_TEST_CTTY_BACKEND="+b)
			cmd.Stdin = slave
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("hew's stand-in: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "TIOCSTI fd0") || strings.Contains(string(out), "INJECTED") {
				t.Errorf("the command's probe did not run, or typed into the terminal:\n%s", out)
			}
			master.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			buf := make([]byte, 256)
			n, _ := master.Read(buf)
			if strings.Contains(string(buf[:n]), "INJECTED") {
				t.Errorf("hew's terminal received injected input: %q", buf[:n])
			}
		})
	}
}

// Class 8: the home, other people's data, runtime sockets and secret variables are out of reach.
func TestRedTeamDenyByDefault(t *testing.T) {
	t.Setenv("HEW_REDTEAM_PROCESS_SECRET", "SECRET-hew-process-env") // hew's own environment
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		v := newVictim(t)
		ln, err := net.Listen("unix", v.bus)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		arrived := make(chan bool, 1)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				c.Close()
			}
			arrived <- err == nil
		}()
		hostTmp, err := os.MkdirTemp("", "hew-redteam-host-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(hostTmp)
		write(t, hostTmp+"/secret", "SECRET-host-tmp\n")
		reads := []string{
			v.home + "/.aws/credentials", v.home + "/.ssh/id_ed25519", v.home + "/.config/git/credentials", v.home + "/.pgpass",
			v.home + "/.vault-token", v.home + "/.codex/auth.json", v.xdgConfig + "/gh/hosts.yml",
			v.home + "/.local/state/hew/sessions/s1.jsonl", v.root + "/other-repo-state/hew/sessions/s.jsonl", hostTmp + "/secret",
		}
		cmd := "env; ls -a " + v.home + " " + v.runtime + "; cat " + strings.Join(reads, " ") + "; grep -r SECRET " + v.root + " /tmp 2>/dev/null | head; "
		cmd += fmt.Sprintf("cat /proc/%d/environ /proc/%d/environ | tr '\\0' '\\n'; ", os.Getpid(), os.Getppid())
		cmd += "SANDBOX_TEST_UNIX=" + v.bus + " " + os.Args[0]
		res := run(t, s, v.spec(cmd))
		v.noSecret(t, "reads", res.Output)
		if strings.Contains(res.Output, "CONNECTED") {
			t.Errorf("the command connected to the session bus socket:\n%s", res.Output)
		}
		ln.Close()
		if <-arrived {
			t.Error("a connection arrived at the session bus socket")
		}
		for _, name := range []string{"DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "XDG_RUNTIME_DIR", "DATABASE_URL", "MYSQL_PWD", "https_proxy"} {
			if strings.Contains(res.Output, name+"=") {
				t.Errorf("%s reached the command:\n%s", name, res.Output)
			}
		}
		for _, want := range []string{"DATABASE_URL", "GITHUB_TOKEN", "MY_SETTING"} {
			if !strings.Contains(strings.Join(res.Notices, "\n"), want) {
				t.Errorf("no notice that allow_env's %s was not passed: %q", want, res.Notices)
			}
		}
		// The workspace under the masked home is still there and writable.
		res = run(t, s, v.spec("ls >/dev/null && cat main.go && echo ok > pkg/new.txt"))
		if res.ExitCode != 0 || !strings.Contains(res.Output, "package main") {
			t.Errorf("the workspace under the home is not usable: exit %d\n%s", res.ExitCode, res.Output)
		}
		if b, _ := os.ReadFile(v.ws + "/pkg/new.txt"); string(b) != "ok\n" {
			t.Errorf("the workspace write did not land: %q", b)
		}
	})
}

// Class 9: nothing a command writes to its HOME or caches changes a later command, and bwrap is
// never taken from PATH.
func TestRedTeamPoisoning(t *testing.T) {
	fakeDir := t.TempDir()
	marker := filepath.Join(fakeDir, "ran")
	write(t, fakeDir+"/bwrap", "#!/bin/sh\ntouch "+marker+"\nexec /usr/bin/bwrap \"$@\"\n")
	os.Chmod(fakeDir+"/bwrap", 0o755)
	t.Setenv("PATH", fakeDir+":"+os.Getenv("PATH"))
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		v := newVictim(t)
		plant := `echo "registry=http://evil/" > ~/.npmrc; printf '[alias]\n\tst = !echo POISON\n' > ~/.gitconfig;
mkdir -p ~/.config/go ~/.local/lib/python3/site-packages && echo 'GOFLAGS=-mod=mod' > ~/.config/go/env && echo 'import os' > ~/.local/lib/python3/site-packages/evil.pth;
go env -w GOTOOLCHAIN=go1.0 2>/dev/null; mkdir -p "$GOCACHE/ff" && echo POISON > "$GOCACHE/ff/ffff-d"; echo POISON > "$TMPDIR/poison"; echo $HOME`
		first := run(t, s, v.spec(plant))
		check := `ls -a ~; cat ~/.npmrc ~/.gitconfig ~/.config/go/env "$GOCACHE/ff/ffff-d" "$TMPDIR/poison" 2>&1; go env GOTOOLCHAIN GOFLAGS 2>/dev/null`
		res := run(t, s, v.spec(check))
		if strings.Contains(res.Output, "POISON") || strings.Contains(res.Output, "evil") || strings.Contains(res.Output, "go1.0") || strings.Contains(res.Output, "-mod=mod") {
			t.Errorf("a later command saw what an earlier one planted (HOME was %s):\n%s", strings.TrimSpace(first.Output), res.Output)
		}
	})
	if _, err := os.Stat(marker); err == nil {
		t.Error("a bwrap found on PATH was run")
	}
}

// Class 10: limits stop runaway commands, and the result says which.
func TestRedTeamLimits(t *testing.T) {
	for _, b := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		t.Run(b, func(t *testing.T) {
			s, err := New(Options{Backend: b, Limits: Limits{FileSize: 1 << 20, Memory: 256 << 20, Processes: 64}})
			if err != nil {
				t.Skip(err)
			}
			v := newVictim(t)
			res := run(t, s, v.spec("head -c 3000000 /dev/zero > pkg/big; echo after"))
			if st, err := os.Stat(v.ws + "/pkg/big"); err != nil || st.Size() > 1<<20 {
				t.Errorf("file size limit: big is %v (err %v)", st, err)
			}
			if !strings.Contains(res.Output, "after") {
				t.Errorf("the shell did not go on after the killed writer: %q", res.Output)
			}
			res = run(t, s, v.spec("head -c 3000000 /dev/zero > pkg/big"))
			if !strings.Contains(res.Stopped, "file size limit 1 MiB") {
				t.Errorf("Stopped = %q, want the file size limit named (exit %d)", res.Stopped, res.ExitCode)
			}
			res = run(t, s, v.spec("SANDBOX_TEST_ALLOC=512 "+os.Args[0]))
			if strings.Contains(res.Output, "ALLOCATED") || res.ExitCode == 0 {
				t.Errorf("memory limit: a Go program allocated 512 MiB: exit %d, output %.300q", res.ExitCode, res.Output)
			}
			if _, err := exec.LookPath("perl"); err == nil {
				res = run(t, s, v.spec(`perl -e '$x = "a" x (512<<20); print "ALLOCATED\n"'`))
				if strings.Contains(res.Output, "ALLOCATED") || !strings.Contains(res.Stopped, "memory limit") {
					t.Errorf("memory limit: exit %d, Stopped %q, output %.300q", res.ExitCode, res.Stopped, res.Output)
				}
			}
			if os.Getuid() == 0 {
				cg := newPidsCgroup(1)
				if cg == nil {
					t.Logf("process limit not checked: as root it needs a pids cgroup (RLIMIT_NPROC does not bind root), and none can be made here")
					return
				}
				cg.remove()
			} else if b == BackendLandlock {
				t.Logf("process limit not checked: the Landlock-only backend sets none for an ordinary user")
				return
			}
			res = run(t, s, v.spec("i=0; while [ $i -lt 200 ]; do sleep 30 & i=$((i+1)); done; echo spawned $i; kill $(jobs -p) 2>/dev/null"))
			if strings.Contains(res.Output, "spawned 200") || !strings.Contains(res.Stopped, "process limit") {
				t.Errorf("process limit: exit %d, Stopped %q, output %.400q", res.ExitCode, res.Stopped, res.Output)
			}
		})
	}
}

// TestRedTeamAsOrdinaryUser runs the red-team tests again as uid 65534 (nobody), re-executing
// this test binary under setpriv, with a fixture directory that user owns.
func TestRedTeamAsOrdinaryUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("already an ordinary user: the other red-team tests ran as one")
	}
	if os.Getenv("HEW_REDTEAM_ROOT") != "" {
		return
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) is needed to run as an ordinary user:", err)
	}
	dir, err := os.MkdirTemp("", "hew-redteam-bin-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "sandbox.test")
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.MkdirTemp("/var/lib", "hew-redteam-user-")
	if err != nil {
		t.Skip("no directory outside /tmp for the ordinary user's fixture:", err)
	}
	defer os.RemoveAll(root)
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{root, tmp} {
		os.MkdirAll(d, 0o700)
		if err := os.Chown(d, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--",
		bin, "-test.run", "^TestRedTeam", "-test.v", "-test.count=1")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root, "TMPDIR=" + tmp, "HEW_REDTEAM_ROOT=" + root}
	if os.Getenv("HEW_SANDBOX_REQUIRE_ALL") != "" {
		cmd.Env = append(cmd.Env, "HEW_SANDBOX_REQUIRE_ALL=1")
	}
	cmd.WaitDelay = time.Second
	done := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	defer done.Stop()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the red-team tests failed as uid 65534: %v\n%s", err, out)
	}
	ran := 0
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "--- PASS: TestRedTeam") && strings.Contains(line, "/") {
			ran++
		}
	}
	if ran == 0 {
		t.Fatalf("as uid 65534 no backend ran the attacks:\n%s", out)
	}
	t.Logf("as uid 65534:\n%s", out)
}

// Read paths show a tool installed under the home, read-only, and nothing next to it; a read
// path that would show a home or a credential location is refused.
func TestRedTeamReadPaths(t *testing.T) {
	for _, b := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		t.Run(b, func(t *testing.T) {
			v := newVictim(t)
			t.Setenv("HOME", v.home)
			tool := v.home + "/.nvm/bin/tool"
			os.MkdirAll(filepath.Dir(tool), 0o755)
			write(t, tool, "#!/bin/sh\necho TOOL-RAN\n")
			os.Chmod(tool, 0o755)
			for _, bad := range []string{v.home, v.home + "/.aws", v.home + "/.config", v.home + "/.local/state/hew/sessions"} {
				if _, err := New(Options{Backend: b, ReadPaths: []string{bad}}); err == nil {
					t.Errorf("read path %s was accepted", bad)
				}
			}
			s, err := New(Options{Backend: b, ReadPaths: []string{v.home + "/.nvm"}})
			if err != nil {
				t.Skip(err)
			}
			res := run(t, s, v.spec(tool+"; cat "+v.home+"/.aws/credentials "+v.home+"/.pgpass; echo x > "+tool+"; echo x > "+v.home+"/.nvm/new"))
			if !strings.Contains(res.Output, "TOOL-RAN") {
				t.Errorf("the tool under the read path did not run:\n%s", res.Output)
			}
			v.noSecret(t, "read paths", res.Output)
			if b, _ := os.ReadFile(tool); string(b) != "#!/bin/sh\necho TOOL-RAN\n" {
				t.Errorf("the read path was written: %q", b)
			}
			if _, err := os.Stat(v.home + "/.nvm/new"); err == nil {
				t.Error("a file was made under the read path")
			}
		})
	}
}
