package approval

import "testing"

func TestReadOnlyCommand(t *testing.T) {
	for _, cmd := range []string{
		"ls -la", "cat a.txt | wc -l", "grep -rn foo . | head -20", "git status", "git diff HEAD~1 -- a.go",
		"git log --oneline -5", "git -C sub show HEAD", "find . -name '*.go' -type f", "rg -n 'func main' --glob '*.go'",
		"sort -u names.txt", "ls missing 2>/dev/null", "cat a 2>&1 | head", "ls && pwd", "echo \"hello world\"", "tree -L 2",
	} {
		if !readOnlyCommand(cmd) {
			t.Errorf("%q should count as read-only", cmd)
		}
	}
	for _, cmd := range []string{
		// Each of these can write or run a program; untrusted must ask.
		"find . -exec rm {} +", "find . -execdir sh -c 'id' \\;", "find . -ok rm {} \\;", "find . -delete",
		"find . -fprint /tmp/x", "rg --pre ./evil x", "rg --pre=./evil x", "rg -z secret", "rg -nz x",
		"rg --hostname-bin ./evil x", "GIT_EXTERNAL_DIFF=./evil git diff", "PAGER=./evil git log",
		"git --output=x diff", "git diff --output=/tmp/x", "git log --output x", "git diff -o x",
		"git -c core.pager=./evil log", "git --exec-path=. status", "git -c alias.x='!sh' x",
		"git config user.name x", "git commit -m x", "git diff --ext-diff", "git branch evil",
		"sed -i s/a/b/ f", "sed -n p f", "sort -o out in", "sort --output=out in", "sort --compress-program=./evil in",
		"file -C -m magic", "tree -o out", "cat a > b", "cat a >> b", "cat a &> b", "ls $(rm -rf x)", "ls `rm x`",
		"ls; rm x", "echo $SECRET", "cat <(rm x)", "(ls)", "{ ls; }", "ls &", "for f in *; do rm $f; done",
		"f() { rm x; }; f", "./ls", "/bin/rm -rf x", "env rm x", "sudo ls", "xargs rm", "awk '{system(\"id\")}' f",
		"ls | sh", "cat a | tee b", "echo x >| b", "ls \"$(id)\"", "cat $'\\x41'", "ls 3>b", "cat <<EOF\nx\nEOF",
		"", "ls '", "[[ -f x ]]", "python3 -c 1", "make",
	} {
		if readOnlyCommand(cmd) {
			t.Errorf("%q can change something or run a program, yet counts as read-only", cmd)
		}
	}
}
