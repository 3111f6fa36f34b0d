package sandboxcli

import "testing"

func TestShellCommandQuotes(t *testing.T) {
	if got := ShellCommand([]string{"echo", "a b", "it's"}); got != `'echo' 'a b' 'it'\''s'` {
		t.Errorf("ShellCommand = %s", got)
	}
	if got := ShellCommand([]string{"echo $HOME | wc"}); got != "echo $HOME | wc" {
		t.Errorf("single argument changed: %s", got)
	}
}
