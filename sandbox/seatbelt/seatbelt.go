// Package seatbelt writes macOS sandbox-exec profiles: deny by default, reads allowed except
// credentials, writes only where the profile says, network only when allowed.
package seatbelt

import (
	"fmt"
	"strings"
)

// Profile describes what a sandboxed command may do.
type Profile struct {
	Writable []string // directories the command may write beneath
	ReadOnly []string // paths beneath Writable that stay read-only (.git)
	Hidden   []string // credential paths that cannot be read or written
	Network  bool     // allow network access; otherwise only Unix sockets
}

// String renders the profile in the Sandbox Profile Language. Later rules win over earlier
// ones, so the denials come after the allowances they narrow.
func (p Profile) String() string {
	var b strings.Builder
	b.WriteString("(version 1)\n(deny default)\n")
	b.WriteString("(allow process-exec process-fork signal (target same-sandbox))\n")
	b.WriteString("(allow sysctl-read mach-lookup ipc-posix-shm ipc-posix-sem iokit-open pseudo-tty)\n")
	b.WriteString("(allow file-read* file-ioctl)\n")
	b.WriteString("(allow file-write* (literal \"/dev/null\") (literal \"/dev/zero\") (literal \"/dev/tty\") (regex #\"^/dev/ttys[0-9]+$\"))\n")
	writeRule(&b, "allow file-write*", p.Writable, "subpath")
	writeRule(&b, "deny file-write*", p.ReadOnly, "subpath")
	writeRule(&b, "deny file-read* file-write*", p.Hidden, "subpath")
	if p.Network {
		b.WriteString("(allow network*)\n")
	} else {
		b.WriteString("(allow network* (remote unix-socket) (local unix-socket))\n")
	}
	return b.String()
}

// writeRule writes one rule over paths, if there are any.
func writeRule(b *strings.Builder, rule string, paths []string, filter string) {
	if len(paths) == 0 {
		return
	}
	fmt.Fprintf(b, "(%s", rule)
	for _, p := range paths {
		fmt.Fprintf(b, "\n  (%s %s)", filter, quote(p))
	}
	b.WriteString(")\n")
}

// quote renders s as an SBPL string literal.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
