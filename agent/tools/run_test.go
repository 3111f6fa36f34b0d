package tools

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

type fakeRunner struct{ got string }

func (f *fakeRunner) Run(ctx context.Context, command string, timeout time.Duration) (RunResult, error) {
	f.got = fmt.Sprintf("%s|%s", command, timeout)
	return RunResult{ExitCode: 3, Output: "boom\n", Duration: time.Second}, nil
}

func TestRun(t *testing.T) {
	env := newEnv(t, repo)
	fr := &fakeRunner{}
	env.Runner = fr
	r := call(t, env, "run", `{"command":"make test","timeout_s":5}`)
	if fr.got != "make test|5s" || !r.IsError || *r.ExitCode != 3 || !strings.HasPrefix(r.Output, "exit code 3") {
		t.Errorf("run: %q %+v", fr.got, r)
	}
	call(t, env, "run", `{"command":"make","timeout_s":99999}`)
	if fr.got != "make|"+maxRunTimeout.String() {
		t.Errorf("timeout not capped: %q", fr.got)
	}
	call(t, env, "run", `{"command":"make"}`)
	if fr.got != "make|"+defaultRunTimeout.String() {
		t.Errorf("default timeout: %q", fr.got)
	}
	if r := call(t, env, "run", `{"command":"  "}`); !r.IsError {
		t.Error("empty command accepted")
	}
}
