// Package docs holds hew's documentation. It has no code: its tests check that the GitHub
// Actions workflows the documents show, and the action at the repository root, are valid.
package docs
