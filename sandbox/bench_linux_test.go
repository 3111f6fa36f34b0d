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
// cmd/hew measures with all of hew linked in. "+go" runs in a Go workspace, where the user's Go
// caches are read through (two more overlays); bare-bwrap is bubblewrap alone, for the ratio.
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
	ws, goWS, home, layer := b.TempDir(), b.TempDir(), b.TempDir(), b.TempDir()
	if err := os.WriteFile(filepath.Join(goWS, "go.mod"), []byte("module m\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	ov := &Overlay{Upper: filepath.Join(layer, "upper"), Work: filepath.Join(layer, "work")}
	goOv := &Overlay{Upper: filepath.Join(layer, "go-upper"), Work: filepath.Join(layer, "go-work")}
	for _, d := range []string{ov.Upper, ov.Work, goOv.Upper, goOv.Work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			b.Fatal(err)
		}
	}
	for _, backend := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		s, err := New(Options{Backend: backend, HomeDir: home})
		for _, variant := range []struct {
			overlay *Overlay
			ws      string
			suffix  string
		}{{nil, ws, ""}, {ov, ws, "+overlay"}, {goOv, goWS, "+overlay+go"}} {
			overlay, ws := variant.overlay, variant.ws
			name := backend + variant.suffix
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
