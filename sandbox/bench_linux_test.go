package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkTrue measures starting a sandboxed `true` with each backend, against running it
// directly, without and with the proposal overlay the agent always asks for. The helper stage is
// this test binary, which initializes far fewer packages than hew; BenchmarkSandboxTrue in
// cmd/hew measures with all of hew linked in.
// Run: go test ./sandbox -run '^$' -bench True -benchtime 30x
func BenchmarkTrue(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("/bin/sh", "-c", "true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare-bwrap", func(b *testing.B) {
		bw, err := exec.LookPath("bwrap")
		if err != nil {
			b.Skip("no bwrap:", err)
		}
		for b.Loop() {
			if err := exec.Command(bw, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--die-with-parent", "--", "/bin/sh", "-c", "true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	ws, home, layer := b.TempDir(), b.TempDir(), b.TempDir()
	ov := &Overlay{Upper: filepath.Join(layer, "upper"), Work: filepath.Join(layer, "work")}
	for _, d := range []string{ov.Upper, ov.Work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			b.Fatal(err)
		}
	}
	for _, backend := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		s, err := New(Options{Backend: backend, HomeDir: home})
		for _, overlay := range []*Overlay{nil, ov} {
			name := backend
			if overlay != nil {
				name += "+overlay"
			}
			b.Run(name, func(b *testing.B) {
				if err != nil {
					b.Skip(err)
				}
				if overlay != nil && !s.CanOverlay() {
					b.Skip("no overlay with", backend)
				}
				spec := Spec{Command: "true", Workspace: ws, Overlay: overlay, Env: os.Environ()}
				for b.Loop() {
					if res, err := s.Run(context.Background(), spec); err != nil || res.ExitCode != 0 {
						b.Fatalf("%v exit %d: %s", err, res.ExitCode, res.Output)
					}
				}
			})
		}
	}
}
