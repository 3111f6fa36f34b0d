//go:build !unix

package gitops

// lockPath does nothing where flock is not available: accepts are not serialised there.
func lockPath(string) (func(), error) { return func() {}, nil }
