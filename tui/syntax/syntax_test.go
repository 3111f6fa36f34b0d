package syntax

import (
	"testing"

	"github.com/alecthomas/chroma/v2"
)

// Plain text has a colour (code in an unknown language is shown in it), and the kinds of token
// a reader tells apart have colours of their own.
func TestStyleTellsTokensApart(t *testing.T) {
	s := Style()
	if !s.Get(chroma.Text).Colour.IsSet() {
		t.Fatal("plain text has no colour")
	}
	seen := map[chroma.Colour]chroma.TokenType{}
	for _, tt := range []chroma.TokenType{chroma.Text, chroma.Keyword, chroma.KeywordType, chroma.NameFunction, chroma.LiteralString, chroma.LiteralNumber, chroma.Comment} {
		c := s.Get(tt).Colour
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s are both %s", tt, other, c)
		}
		seen[c] = tt
	}
	// Subtypes take their parent's colour.
	if s.Get(chroma.LiteralStringDouble).Colour != s.Get(chroma.LiteralString).Colour {
		t.Error("a double-quoted string is not coloured as a string")
	}
	if Style() != s {
		t.Error("the style is built more than once")
	}
}
