package patch

import "testing"

func TestEdit(t *testing.T) {
	cases := []struct {
		name       string
		files      map[string]file
		path       string
		old, new   string
		replaceAll bool
		want       map[string]file
		wantErr    []string
		kind       ErrorKind
		result     string
	}{
		{name: "exact, within a line", files: map[string]file{"a.go": f("x := foo(1)\ny := 2\n")},
			path: "a.go", old: "foo(1)", new: "bar(1, 2)",
			want: map[string]file{"a.go": f("x := bar(1, 2)\ny := 2\n")}, result: "M a.go\n"},
		{name: "exact, across lines", files: map[string]file{"a.txt": f("a\nb\nc\nd\n")},
			path: "a.txt", old: "b\nc", new: "B",
			want: map[string]file{"a.txt": f("a\nB\nd\n")}},
		{name: "exact, removing a line with its newline", files: map[string]file{"a.txt": f("a\nb\nc\n")},
			path: "a.txt", old: "b\n", new: "",
			want: map[string]file{"a.txt": f("a\nc\n")}},
		{name: "exact, joining lines", files: map[string]file{"a.txt": f("a\nb\nc\n")},
			path: "a.txt", old: "a\n", new: "x",
			want: map[string]file{"a.txt": f("xb\nc\n")}},
		{name: "replace_all, twice on one line", files: map[string]file{"a.txt": f("x x\ny\nx\n")},
			path: "a.txt", old: "x", new: "zz", replaceAll: true,
			want: map[string]file{"a.txt": f("zz zz\ny\nzz\n")}},
		{name: "ambiguous without replace_all", files: map[string]file{"a.txt": f("x\ny\nx\n")},
			path: "a.txt", old: "x", new: "z",
			wantErr: []string{"a.txt: old_string occurs 2 times, at lines 1, 3", "replace_all"}, kind: ErrAmbiguous},
		{name: "CRLF file keeps CRLF", files: map[string]file{"w.txt": f("one\r\ntwo\r\nthree\r\n")},
			path: "w.txt", old: "two\nthree", new: "2\n3\n3b",
			want: map[string]file{"w.txt": f("one\r\n2\r\n3\r\n3b\r\n")}},
		{name: "BOM and missing final newline kept", files: map[string]file{"b.txt": f("\ufeffa\nb")},
			path: "b.txt", old: "b", new: "B",
			want: map[string]file{"b.txt": f("\ufeffa\nB")}},
		{name: "mode kept", files: map[string]file{"r.sh": {data: "echo a\n", perm: 0o755}},
			path: "r.sh", old: "echo a", new: "echo b",
			want: map[string]file{"r.sh": {data: "echo b\n", perm: 0o755}}},
		{name: "trailing whitespace pass", files: map[string]file{"a.txt": f("a  \nb\n")},
			path: "a.txt", old: "a\nb", new: "A\nb",
			want: map[string]file{"a.txt": f("A\nb\n")}},
		{name: "indentation pass re-indents", files: map[string]file{"a.py": f("def f():\n    if x:\n        return 1\n")},
			path: "a.py", old: "if x:\n    return 1", new: "if x:\n    y = 2\n    return y",
			want: map[string]file{"a.py": f("def f():\n    if x:\n        y = 2\n        return y\n")}},
		{name: "unicode pass", files: map[string]file{"a.txt": f("it’s “ok”\n")},
			path: "a.txt", old: `it's "ok"`, new: "fine",
			want: map[string]file{"a.txt": f("fine\n")}},
		{name: "create a new file", files: map[string]file{},
			path: "dir/new.txt", old: "", new: "hello\n",
			want: map[string]file{"dir/new.txt": f("hello\n")}, result: "A dir/new.txt\n"},
		{name: "create over an empty file", files: map[string]file{"e.txt": f("")},
			path: "e.txt", old: "", new: "x",
			want: map[string]file{"e.txt": f("x")}, result: "M e.txt\n"},
		{name: "create over a non-empty file is refused", files: map[string]file{"e.txt": f("x")},
			path: "e.txt", old: "", new: "y",
			wantErr: []string{"e.txt", "already exists and is not empty"}, kind: ErrRefused},
		{name: "not found names the closest lines", files: map[string]file{"a.txt": f("alpha\nbeta\ngamma\n")},
			path: "a.txt", old: "beta\ndelta", new: "x",
			wantErr: []string{"old_string was not found", "|delta", "2| beta"}, kind: ErrNoMatch},
		{name: "same strings", files: map[string]file{"a.txt": f("a\n")},
			path: "a.txt", old: "a", new: "a", wantErr: []string{"the same"}, kind: ErrRefused},
		{name: "missing file", files: map[string]file{}, path: "no.txt", old: "a", new: "b",
			wantErr: []string{"no.txt", "does not exist"}, kind: ErrRefused},
		{name: "path into .git", files: map[string]file{}, path: ".git/config", old: "", new: "b",
			wantErr: []string{".git"}, kind: ErrRefused},
		{name: "binary file", files: map[string]file{"b": f("\x00a")}, path: "b", old: "a", new: "b",
			wantErr: []string{"binary"}, kind: ErrRefused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			res, err := Edit(DirFS(dir), tc.path, tc.old, tc.new, tc.replaceAll)
			checkOutcome(t, tc.files, tc.want, tc.wantErr, tc.kind, tc.result, res, err, readTree(t, dir))
		})
	}
}
