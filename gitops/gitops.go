// Package gitops reads and writes the user's git repository with go-git.
package gitops
