// Command hew is a terminal coding assistant: an agent proposes changes as reviewable diffs, tests
// them in a sandbox, and commits only what the developer accepts.
//
// This package only wires commands to the packages that do the work.
package main

import (
	"os"

	"hew/sandbox"
)

func main() {
	// hew re-executes itself as the sandbox's helper stage; that must happen before anything else.
	sandbox.RunHelperIfRequested()
	os.Exit(Main(os.Args[1:], system()))
}
