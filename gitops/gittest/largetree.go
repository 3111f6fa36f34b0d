package gittest

import (
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// LargeTree describes a generated repository shaped like a big monorepo: services and libraries
// nested three to five directories deep, a .gitignore in many of them, ignored build output
// (node_modules in the JavaScript packages, target/ in the Rust crates, build/ and *.log
// elsewhere) and a few large tracked files. The zero value of each field takes the default,
// which is the 75,000-file repository of issue 19 (about 107,000 files and 440 MB on disk).
type LargeTree struct {
	Seed       int64 // the same seed gives the same tree
	Tracked    int   // files committed; default 75,000
	Ignored    int   // ignored build output, never committed; default 32,000
	LargeFiles int   // tracked files of LargeSize bytes each, among Tracked; default 12
	LargeSize  int   // default 8 MiB
	// FileSize is the mean size of the other files in bytes; default 3,000.
	FileSize int
}

// LargeTreeStats counts what GenerateLargeTree wrote.
type LargeTreeStats struct {
	Tracked, Ignored, Gitignores int
	Bytes                        int64
}

func (s LargeTree) withDefaults() LargeTree {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&s.Tracked, 75000)
	def(&s.Ignored, 32000)
	def(&s.LargeFiles, 12)
	def(&s.LargeSize, 8<<20)
	def(&s.FileSize, 3000)
	s.LargeFiles = min(s.LargeFiles, s.Tracked/10)
	return s
}

// LargeTreeMarker is a line that occurs in exactly one tracked file of every generated tree (and
// in an ignored one, which a search must not report): what a search benchmark looks for.
const LargeTreeMarker = "needle_7f3a9c in a haystack"

// LargeTreeMarkerFile is the tracked file holding LargeTreeMarker.
const LargeTreeMarkerFile = "services/svc07/src/mod3/pkg2/handler_0042.go"

// GenerateLargeTree writes the files of spec into dir (which must exist and be empty) and returns
// what it wrote; it runs no git. The tracked files are every file that git add -A would add.
func GenerateLargeTree(dir string, spec LargeTree) (LargeTreeStats, error) {
	spec = spec.withDefaults()
	g := &treeGen{root: dir, rnd: rand.New(rand.NewSource(spec.Seed)), spec: spec, filler: filler(spec.Seed)}
	if err := g.run(); err != nil {
		return g.stats, fmt.Errorf("generate the large tree in %s: %w", dir, err)
	}
	return g.stats, nil
}

type treeGen struct {
	root   string
	rnd    *rand.Rand
	spec   LargeTree
	stats  LargeTreeStats
	filler []byte
	err    error
}

// filler is the text files are cut from: source-like lines.
func filler(seed int64) []byte {
	rnd := rand.New(rand.NewSource(seed ^ 0x5eed))
	words := []string{"func", "return", "nil", "err", "ctx", "value", "config", "handler", "request", "response",
		"if", "for", "range", "string", "int", "map", "struct", "type", "var", "const", "defer", "go", "select", "case"}
	var b strings.Builder
	for b.Len() < 1<<20 {
		n := 3 + rnd.Intn(8)
		b.WriteString(strings.Repeat("\t", rnd.Intn(3)))
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rnd.Intn(len(words))])
		}
		fmt.Fprintf(&b, " // %d\n", rnd.Intn(100000))
	}
	return []byte(b.String())
}

func (g *treeGen) write(name string, data []byte, tracked bool) {
	if g.err != nil {
		return
	}
	p := filepath.Join(g.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.err = err
		return
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		g.err = err
		return
	}
	g.stats.Bytes += int64(len(data))
	switch {
	case filepath.Base(name) == ".gitignore":
		g.stats.Gitignores++
		g.stats.Tracked++
	case tracked:
		g.stats.Tracked++
	default:
		g.stats.Ignored++
	}
}

// text returns about size bytes of filler starting at a random line, ending with a newline.
func (g *treeGen) text(name string, size int) []byte {
	size = min(max(64, size/2+g.rnd.Intn(size+1)), len(g.filler)/2)
	off := g.rnd.Intn(len(g.filler) - size - 1)
	for off > 0 && g.filler[off-1] != '\n' {
		off--
	}
	end := off + size
	for end < len(g.filler) && g.filler[end-1] != '\n' {
		end++
	}
	return append([]byte("// "+name+"\n"), g.filler[off:end]...)
}

// A package is a leaf directory of the tree with its kind of build output.
type pkgDir struct {
	dir  string
	kind string // "go", "js", "rust", "py"
}

func (g *treeGen) run() error {
	ents, err := os.ReadDir(g.root)
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		return fmt.Errorf("%s is not empty", g.root)
	}
	g.write(".gitignore", []byte("# build output\nnode_modules/\n/dist/\n*.log\n!keep.log\n.cache/\n*.tmp\n**/gen/*.pb.go\n__pycache__/\n*.pyc\n"), true)
	g.write("README.md", []byte("# generated monorepo\n"), true)
	var pkgs []pkgDir
	kinds := []string{"go", "go", "js", "rust", "py"}
	for s := 0; len(pkgs)*250 < g.spec.Tracked || s < 4; s++ { // a small tree still has each kind of service
		top := []string{"services", "libs", "tools", "apps"}[s%4]
		svc := fmt.Sprintf("%s/svc%02d", top, s/4)
		if top == "services" && s/4 == 7 {
			svc = "services/svc07"
		}
		kind := kinds[s%len(kinds)]
		switch kind {
		case "rust":
			g.write(svc+"/.gitignore", []byte("/target/\n*.rlib\n"), true)
		case "js":
			g.write(svc+"/.gitignore", []byte("coverage/\n.next/\n!coverage/keep.txt\n"), true)
		}
		for m := range 1 + g.rnd.Intn(4) {
			for p := range 1 + g.rnd.Intn(3) {
				dir := fmt.Sprintf("%s/src/mod%d/pkg%d", svc, m, p)
				if g.rnd.Intn(3) == 0 {
					dir += "/internal"
				}
				if g.rnd.Intn(4) == 0 {
					g.write(dir+"/.gitignore", []byte("*.out\n!golden.out\ntestdata/tmp/\ngen/\n"), true)
				}
				pkgs = append(pkgs, pkgDir{dir: dir, kind: kind})
			}
		}
		if len(pkgs) > 100000 {
			break
		}
	}
	if len(pkgs) == 0 {
		pkgs = []pkgDir{{dir: "services/svc07/src/mod3/pkg2", kind: "go"}}
	}
	// Tracked sources, spread over the packages; the marker file is one of them.
	ext := map[string]string{"go": ".go", "js": ".js", "rust": ".rs", "py": ".py"}
	written := g.stats.Tracked
	for i := 0; written < g.spec.Tracked-g.spec.LargeFiles-1; i++ {
		p := pkgs[i%len(pkgs)]
		name := fmt.Sprintf("%s/handler_%04d%s", p.dir, i/len(pkgs), ext[p.kind])
		if name == LargeTreeMarkerFile {
			continue
		}
		g.write(name, g.text(name, g.spec.FileSize), true)
		written++
	}
	marker := append(g.text(LargeTreeMarkerFile, g.spec.FileSize), []byte("// "+LargeTreeMarker+"\n")...)
	g.write(LargeTreeMarkerFile, marker, true)
	for i := range g.spec.LargeFiles {
		big := make([]byte, g.spec.LargeSize)
		for off := 0; off < len(big); off += len(g.filler) {
			copy(big[off:], g.filler)
		}
		big[0] = byte('a' + i%26) // no two alike
		g.write(fmt.Sprintf("assets/blob%02d.bin", i), big, true)
	}
	// Ignored build output, most of it in a few deep dependency trees, as a package manager leaves it.
	for i := 0; g.stats.Ignored < g.spec.Ignored && g.err == nil; i++ {
		p := pkgs[(i/500)*7%len(pkgs)]
		svc := p.dir[:strings.Index(p.dir, "/src/")]
		var name string
		switch p.kind {
		case "js":
			name = fmt.Sprintf("%s/node_modules/dep%02d/lib/sub%d/index_%04d.js", svc, i%40, i%7, i)
		case "rust":
			name = fmt.Sprintf("%s/target/debug/deps/unit%d/obj_%05d.rlib", svc, i%30, i)
		case "py":
			name = fmt.Sprintf("%s/__pycache__/m%d/mod_%05d.cpython-312.pyc", p.dir, i%10, i)
		default:
			name = fmt.Sprintf("%s/gen/svc_%05d.pb.go", p.dir, i)
		}
		data := g.text(name, g.spec.FileSize)
		if i%211 == 0 {
			data = append(data, []byte("// "+LargeTreeMarker+"\n")...)
		}
		g.write(name, data, false)
		if i%1000 == 0 {
			g.write(fmt.Sprintf("%s/debug-%d.log", p.dir, i), []byte("log\n"), false)
		}
	}
	g.write("dist/bundle.js", g.text("dist/bundle.js", 1<<20), false)
	return g.err
}

// LargeRepo returns a repository holding the tree of spec with its tracked files committed on
// branch main (the ignored build output left in the work tree), for benchmarks. Making the
// default 75,000-file tree takes about a minute on two cores; set HEW_LARGE_REPO to a
// repository made earlier (with `go run ./gitops/gittest/cmd/largerepo DIR`) to reuse it, read-only.
func LargeRepo(tb testing.TB, spec LargeTree) string {
	tb.Helper()
	if dir := os.Getenv("HEW_LARGE_REPO"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
			tb.Fatalf("HEW_LARGE_REPO=%s is not a repository made by cmd/largerepo: %v", dir, err)
		}
		return dir
	}
	dir := tb.TempDir()
	if err := MakeLargeRepo(dir, spec); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// MakeLargeRepo generates spec's tree into the empty directory dir and commits its tracked files
// with the git CLI (no user or system configuration read).
func MakeLargeRepo(dir string, spec LargeTree) error {
	if _, err := GenerateLargeTree(dir, spec); err != nil {
		return err
	}
	env := []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "gc.auto", "0"},
		{"config", "maintenance.auto", "false"},
		{"add", "-A"},
		{"-c", "user.name=Large", "-c", "user.email=large@example.com", "commit", "-q", "-m", "generated"},
		{"status", "--porcelain"}, // refresh the index's stat data, as any git command would
	} {
		if out, err := Command(dir, env, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("git %s in %s: %w\n%s", strings.Join(args, " "), dir, err, out)
		}
	}
	return nil
}

// CountFiles counts the regular files below dir, .git excluded.
func CountFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n, err
}
