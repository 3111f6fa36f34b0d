// This file replaces lexers/dns.go of github.com/alecthomas/chroma/v2 v2.27.0 (MIT licence,
// Copyright (C) 2017 Alec Thomas) in hew's release build (see .ci/release): the same API, but the
// embedded lexers are parsed on first use instead of when the program starts, which took half of
// hew's start-up. Only .ci/release compiles it, in a copy of chroma it builds against.

package lexers

import (
	"regexp"
)

// TODO(moorereason): can this be factored away?
var zoneAnalyserRe = regexp.MustCompile(`(?m)^@\s+IN\s+SOA\s+`)

// setDNSAnalyser gives the embedded DNS lexer its analyser; loadEmbedded calls it, where
// chroma's own init did when the program started.
func setDNSAnalyser() {
	GlobalLexerRegistry.Get("dns").SetAnalyser(func(text string) float32 {
		if zoneAnalyserRe.FindString(text) != "" {
			return 1.0
		}
		return 0.0
	})
}
