package sandbox

import (
	"context"
	"os/exec"
	"testing"
)

// BenchmarkTrue measures starting a sandboxed `true` with each backend, against running it
// directly. Run: go test ./sandbox -run '^$' -bench True -benchtime 50x
func BenchmarkTrue(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("/bin/sh", "-c", "true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	ws, home := b.TempDir(), b.TempDir()
	for _, backend := range []string{BackendBwrap, BackendNamespaces, BackendLandlock} {
		b.Run(backend, func(b *testing.B) {
			s, err := New(Options{Backend: backend, HomeDir: home})
			if err != nil {
				b.Skip(err)
			}
			spec := Spec{Command: "true", Workspace: ws}
			for b.Loop() {
				if res, err := s.Run(context.Background(), spec); err != nil || res.ExitCode != 0 {
					b.Fatalf("%v exit %d: %s", err, res.ExitCode, res.Output)
				}
			}
		})
	}
}
