package sandbox

import (
	"path/filepath"

	"hew/sandbox/seatbelt"
)

// seatbeltProfile is j as a macOS sandbox profile. macOS resolves /tmp and /var through
// /private, so both spellings of each writable directory are listed.
func (j *job) seatbeltProfile() seatbelt.Profile {
	p := seatbelt.Profile{Network: j.Network}
	for _, d := range []string{j.home, j.tmp} {
		p.Writable = append(p.Writable, both(d)...)
	}
	if j.Policy != PolicyReadOnly {
		p.Writable = append(p.Writable, both(j.Workspace)...)
	}
	for _, ro := range j.readOnly {
		p.ReadOnly = append(p.ReadOnly, both(ro)...)
	}
	for _, h := range append(append([]string{}, j.hideDirs...), j.hideFiles...) {
		p.Hidden = append(p.Hidden, both(h)...)
	}
	return p
}

// both returns path and, when symbolic links lead elsewhere, the path they resolve to.
func both(path string) []string {
	if real, err := filepath.EvalSymlinks(path); err == nil && real != path {
		return []string{path, real}
	}
	return []string{path}
}
