// Package versioncli is hew's version line, and the answer to a command line that is plainly
// "hew --version" or "hew version", given from this package's initialization, before the rest
// of hew initializes: the UI's and the providers' libraries cost tens of milliseconds to
// initialize, and a version check should cost none of that. Go initializes packages in
// import-path order as their imports become ready, so this package, which imports only a few
// standard packages, runs before them (package patchcli starts "hew patch apply" the same way).
// cmd/hew's version command prints the same Line.
package versioncli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
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
func Number() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "" {
		v = bi.Main.Version
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return v
}

// Line is what `hew --version` and `hew version` print: the version, the commit and its time
// when known, and the Go toolchain and platform.
func Line() string {
	v, extra := Number(), []string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
			extra = append(extra, "commit "+rev[:min(12, len(rev))])
		}
		if t := settings["vcs.time"]; t != "" {
			extra = append(extra, t)
		}
		if settings["vcs.modified"] == "true" && !strings.Contains(v, "dirty") {
			extra = append(extra, "modified")
		}
	}
	s := "hew " + v
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
