package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is hew's version; a release build sets it with -ldflags "-X main.version=v1.2.3".
// Otherwise it is read from the build information Go records: the module version, and the
// commit a build from a checkout was made from.
var version = ""

// versionLine is what `hew --version` and `hew version` print: the version, the commit and
// its time when known, and the Go toolchain and platform.
func versionLine() string {
	v, extra := version, []string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
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
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	s := "hew " + v
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// isVersionRequest reports whether args ask only for the version. Main answers it before it
// builds the command tree, so that `hew --version` costs nothing beyond starting the process.
func isVersionRequest(args []string) bool {
	return len(args) == 1 && (args[0] == "--version" || args[0] == "version")
}

func newVersionCmd(ios *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hew's version, commit and Go toolchain",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(ios.Out, versionLine())
			return err
		},
	}
}
