package versioncli

import (
	"strconv"
	"strings"
	_ "unsafe" // for go:linkname
)

// modinfo is the build information the linker records in the program, as the runtime hands it
// to runtime/debug.ReadBuildInfo: the same text as debug.BuildInfo.String, between two 16-byte
// sentinels. The runtime provides it under this name for runtime/debug ("push" linkname in
// runtime/debug.go), which is what makes it reachable without importing runtime/debug; a test
// checks that what is read here is what debug.ReadBuildInfo reads.
//
//go:linkname modinfo runtime/debug.modinfo
func modinfo() string

// buildInfo is what Line needs of the build information.
type buildInfo struct {
	version  string            // the main module's version, such as "(devel)" or "v1.2.3"
	settings map[string]string // the build settings, such as vcs.revision
}

// readBuildInfo reads the program's build information; it is empty when the program was built
// without it.
func readBuildInfo() buildInfo {
	return parseBuildInfo(modinfo())
}

// parseBuildInfo parses the linker's record (with its sentinels) the way debug.ParseBuildInfo
// does, keeping the main module's version and the build settings.
func parseBuildInfo(data string) buildInfo {
	bi := buildInfo{settings: map[string]string{}}
	if len(data) < 32 {
		return bi
	}
	for _, line := range strings.Split(data[16:len(data)-16], "\n") {
		kind, rest, _ := strings.Cut(line, "\t")
		switch kind {
		case "mod":
			if f := strings.Split(rest, "\t"); len(f) >= 2 {
				bi.version = f[1]
			}
		case "build":
			key, value, ok := strings.Cut(rest, "=")
			if !ok {
				continue
			}
			if strings.HasPrefix(value, `"`) {
				if v, err := strconv.Unquote(value); err == nil {
					value = v
				}
			}
			bi.settings[key] = value
		}
	}
	return bi
}
