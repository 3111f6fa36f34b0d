// Package versioncli is hew's version line, and the answer to a command line that is plainly
// "hew --version" or "hew version", given from this package's initialization, before the rest
// of hew initializes: the UI's and the providers' libraries cost tens of milliseconds to
// initialize, and a version check should cost none of that. cmd/hew's version command prints
// the same Line.
//
// Go initializes packages in import-path order as their imports become ready (the linker
// schedules them lexicographically), so a package that imports only standard packages that many
// others need early runs before the libraries of the UI. Importing runtime/debug, which few
// packages need and which sorts after "regexp", would put this package after chroma's lexers
// (about 10 ms); the build information is therefore read through the runtime's own accessor
// (see buildinfo.go), and package patchcli starts "hew patch apply" the same way.
package versioncli

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Version is hew's version; a release build sets it with
// -ldflags "-X hew/cmd/hew/internal/versioncli.Version=v1.2.3". Otherwise Line reads the build
// information Go records: the module version, and the commit a build from a checkout was made
// from.
var Version = ""

func init() {
	if IsRequest(os.Args[1:]) {
		fmt.Println(Line())
		os.Exit(0)
	}
}

// IsRequest reports whether args ask only for the version.
func IsRequest(args []string) bool {
	return len(args) == 1 && (args[0] == "--version" || args[0] == "version")
}

// Number is hew's version alone: Version when a release build set it, else the module version
// Go recorded, else "devel".
func Number() string { return number(readBuildInfo()) }

func number(bi buildInfo) string {
	v := Version
	if v == "" {
		v = bi.version
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return v
}

// Line is what `hew --version` and `hew version` print: the version, the commit and its time
// when known, and the Go toolchain and platform.
func Line() string {
	bi := readBuildInfo()
	v, extra, settings := number(bi), []string{}, bi.settings
	if rev := settings["vcs.revision"]; rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
		extra = append(extra, "commit "+rev[:min(12, len(rev))])
	}
	if t := settings["vcs.time"]; t != "" {
		extra = append(extra, t)
	}
	if settings["vcs.modified"] == "true" && !strings.Contains(v, "dirty") {
		extra = append(extra, "modified")
	}
	s := "hew " + v
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
