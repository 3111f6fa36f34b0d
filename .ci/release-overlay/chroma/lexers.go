// This file replaces lexers/lexers.go of github.com/alecthomas/chroma/v2 v2.27.0 (MIT licence,
// Copyright (C) 2017 Alec Thomas) in hew's release build (see .ci/release): the same API, but the
// embedded XML lexers are parsed on first use instead of when the program starts, which took half of
// hew's start-up. Only .ci/release compiles it, in a copy of chroma it builds against.

package lexers

import (
	"embed"
	"io/fs"
	"slices"
	"sync"

	"github.com/alecthomas/chroma/v2"
)

//go:embed embedded
var embedded embed.FS

// GlobalLexerRegistry is the global LexerRegistry of Lexers. The lexers written in Go register
// themselves when the program starts; the embedded XML ones join on the first look-up (see
// registry), ahead of them as they would have been.
var GlobalLexerRegistry = chroma.NewLexerRegistry()

// loadEmbedded registers the embedded lexers once; the lexers written in Go register again
// after them, so that they win where both have a name, as when all registered at start-up.
var loadEmbedded = sync.OnceFunc(func() {
	paths, err := fs.Glob(embedded, "embedded/*.xml")
	if err != nil {
		panic(err)
	}
	inGo := slices.Clone(GlobalLexerRegistry.Lexers)
	for _, path := range paths {
		GlobalLexerRegistry.Register(chroma.MustNewXMLLexer(embedded, path))
	}
	for _, l := range inGo {
		GlobalLexerRegistry.Register(l)
	}
	setDNSAnalyser()
})

// registry returns GlobalLexerRegistry with the embedded lexers loaded.
func registry() *chroma.LexerRegistry {
	loadEmbedded()
	return GlobalLexerRegistry
}

// Names of all lexers, optionally including aliases.
func Names(withAliases bool) []string {
	return registry().Names(withAliases)
}

// Aliases of all the lexers, and skip those lexers who do not have any aliases,
// or show their name instead
func Aliases(skipWithoutAliases bool) []string {
	return registry().Aliases(skipWithoutAliases)
}

// Get a Lexer by name, alias or file extension.
//
// Note that this if there isn't an exact match on name or alias, this will
// call Match(), so it is not efficient.
func Get(name string) chroma.Lexer {
	return registry().Get(name)
}

// MatchMimeType attempts to find a lexer for the given MIME type.
func MatchMimeType(mimeType string) chroma.Lexer {
	return registry().MatchMimeType(mimeType)
}

// Match returns the first lexer matching filename.
//
// Note that this iterates over all file patterns in all lexers, so it's not
// particularly efficient.
func Match(filename string) chroma.Lexer {
	return registry().Match(filename)
}

// Register a Lexer with the global registry.
func Register(lexer chroma.Lexer) chroma.Lexer {
	return GlobalLexerRegistry.Register(lexer)
}

// Analyse text content and return the "best" lexer..
func Analyse(text string) chroma.Lexer {
	return registry().Analyse(text)
}

// PlaintextRules is used for the fallback lexer as well as the explicit
// plaintext lexer.
func PlaintextRules() chroma.Rules {
	return chroma.Rules{
		"root": []chroma.Rule{
			{`.+`, chroma.Text, nil},
			{`\n`, chroma.Text, nil},
		},
	}
}

// Fallback lexer if no other is found.
var Fallback chroma.Lexer = chroma.MustNewLexer(&chroma.Config{
	Name:      "fallback",
	Filenames: []string{"*"},
	Priority:  -1,
}, PlaintextRules)
