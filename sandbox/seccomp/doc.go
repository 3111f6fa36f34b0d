// Package seccomp installs the sandbox's system-call filter on Linux: sockets other than Unix
// sockets cannot be created, so a contained command cannot reach the network even where no network
// namespace could be made.
package seccomp
