package versioncli

import (
	"go/parser"
	"go/token"
	"io/fs"
	"runtime/debug"
	"strings"
	"testing"
)

// What this package reads of the build information is what runtime/debug reads: the same main
// module version and the same build settings.
func TestBuildInfoIsRuntimeDebugs(t *testing.T) {
	want, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in the test binary")
	}
	got := readBuildInfo()
	if got.version != want.Main.Version {
		t.Errorf("version %q, runtime/debug says %q", got.version, want.Main.Version)
	}
	if len(got.settings) != len(want.Settings) {
		t.Errorf("%d settings, runtime/debug has %d", len(got.settings), len(want.Settings))
	}
	for _, s := range want.Settings {
		if got.settings[s.Key] != s.Value {
			t.Errorf("setting %s = %q, runtime/debug says %q", s.Key, got.settings[s.Key], s.Value)
		}
	}
}

func TestParseBuildInfo(t *testing.T) {
	sentinel := "0123456789abcdef"
	data := sentinel + "go\tgo1.26.8\npath\thew/cmd/hew\nmod\thew\tv1.4.0\th1:x=\n" +
		"build\t-ldflags=\"-s -w\"\nbuild\tvcs.revision=2b037eb0123456789\nbuild\tvcs.modified=true\n" + sentinel
	bi := parseBuildInfo(data)
	if bi.version != "v1.4.0" || bi.settings["vcs.revision"] != "2b037eb0123456789" ||
		bi.settings["vcs.modified"] != "true" || bi.settings["-ldflags"] != "-s -w" {
		t.Errorf("parsed %+v", bi)
	}
	if bi := parseBuildInfo("short"); bi.version != "" || len(bi.settings) != 0 {
		t.Errorf("short data parsed as %+v", bi)
	}
}

// The package imports only what is initialized before the UI's libraries (see the package
// comment): runtime/debug, for one, would schedule its initialization after chroma's lexers,
// and "hew --version" would pay for them.
func TestVersionImportsOnlyEarlyPackages(t *testing.T) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{`"fmt"`: true, `"os"`: true, `"runtime"`: true, `"strconv"`: true, `"strings"`: true, `"unsafe"`: true}
	for _, p := range pkgs {
		for name, f := range p.Files {
			for _, imp := range f.Imports {
				if !allowed[imp.Path.Value] {
					t.Errorf("%s imports %s; the version must be answered before the UI's libraries initialize", name, imp.Path.Value)
				}
			}
		}
	}
}
