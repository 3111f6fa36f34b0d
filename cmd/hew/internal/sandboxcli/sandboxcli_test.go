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

func TestVerdictFile(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"HOME=/home/u", "XDG_CACHE_HOME=/c"}, "/c/hew/bwrap-verdict"},
		{[]string{"HOME=/home/u", "XDG_CACHE_HOME=rel"}, "/home/u/.cache/hew/bwrap-verdict"},
		{[]string{"HOME=/home/u", "HOME=/home/v"}, "/home/v/.cache/hew/bwrap-verdict"},
		{[]string{"HOME=rel"}, ""},
		{nil, ""},
	} {
		if got := VerdictFile(c.env); got != c.want {
			t.Errorf("VerdictFile(%q) = %q, want %q", c.env, got, c.want)
		}
	}
}
