//go:build tools

package main

// Pins the chosen dependencies in go.mod while packages that use them are being built.
import (
	_ "charm.land/bubbles/v2/textarea"
	_ "charm.land/bubbletea/v2"
	_ "charm.land/lipgloss/v2"
	_ "github.com/BurntSushi/toml"
	_ "github.com/alecthomas/chroma/v2"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	_ "github.com/go-git/go-git/v5"
	_ "github.com/landlock-lsm/go-landlock/landlock"
	_ "github.com/openai/openai-go/v3"
	_ "github.com/openai/openai-go/v3/bedrock"
	_ "github.com/sergi/go-diff/diffmatchpatch"
	_ "github.com/yuin/goldmark"
)
