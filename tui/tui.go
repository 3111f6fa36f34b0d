// Package tui is the interactive terminal view of agent events.
package tui
