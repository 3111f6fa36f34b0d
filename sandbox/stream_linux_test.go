package sandbox

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestStreamedServer runs a long-lived command as an MCP server is run: it reads its input
// and answers on Spec.Stdout line by line while it runs, its standard error stays in the
// Result, and the variables of Spec.ExtraEnv reach it even when they look like credentials.
func TestStreamedServer(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Sandbox) {
		f := newFixture(t)
		spec := f.spec(`while read line; do echo "got $line $SERVER_TOKEN"; done; echo bye >&2`)
		spec.ExtraEnv = []string{"SERVER_TOKEN=tok-42", helperEnv + "=nope"}
		inR, inW, _ := os.Pipe()
		outR, outW, _ := os.Pipe()
		spec.Stdin, spec.Stdout = inR, outW
		done := make(chan Result, 1)
		go func() {
			res, err := s.Run(context.Background(), spec)
			if err != nil {
				t.Error(err)
			}
			inR.Close()
			outW.Close()
			done <- res
		}()
		lines := bufio.NewScanner(outR)
		for _, msg := range []string{"one", "two"} {
			inW.WriteString(msg + "\n")
			if !lines.Scan() || lines.Text() != "got "+msg+" tok-42" {
				t.Fatalf("answer to %s: %q", msg, lines.Text())
			}
		}
		inW.Close()
		select {
		case res := <-done:
			if strings.TrimSpace(res.Output) != "bye" || res.ExitCode != 0 {
				t.Errorf("result %+v", res)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the command did not end with its input")
		}
	})
}
