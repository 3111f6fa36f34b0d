// Package syntax holds hew's colours for source code: one chroma style, dark, written for hew,
// shared by the code blocks of the model's answers and the diffs of the change set.
//
// It is defined here rather than taken from chroma's registry of styles, whose package parses
// some seventy XML styles each time hew starts.
package syntax

import (
	"sync"

	"github.com/alecthomas/chroma/v2"
)

// Style returns hew's style, built on first use.
var Style = sync.OnceValue(func() *chroma.Style {
	const (
		text    = "#d8d8d2"
		comment = "#7c7f88"
		pink    = "#ff5f87"
		cyan    = "#5fd7ff"
		green   = "#afe05f"
		yellow  = "#f0d878"
		violet  = "#b38cff"
		orange  = "#ffaf5f"
	)
	return chroma.MustNewStyle("hew", chroma.StyleEntries{
		chroma.Background:          text + " bg:#1c1c1c",
		chroma.Text:                text,
		chroma.Error:               pink,
		chroma.Comment:             "italic " + comment,
		chroma.CommentPreproc:      orange,
		chroma.Keyword:             pink,
		chroma.KeywordConstant:     violet,
		chroma.KeywordDeclaration:  cyan,
		chroma.KeywordNamespace:    pink,
		chroma.KeywordType:         cyan,
		chroma.Name:                text,
		chroma.NameAttribute:       green,
		chroma.NameBuiltin:         cyan,
		chroma.NameClass:           green,
		chroma.NameConstant:        violet,
		chroma.NameDecorator:       green,
		chroma.NameException:       green,
		chroma.NameFunction:        green,
		chroma.NameOther:           text,
		chroma.NameTag:             pink,
		chroma.NameVariableMagic:   orange,
		chroma.Literal:             violet,
		chroma.LiteralDate:         yellow,
		chroma.LiteralString:       yellow,
		chroma.LiteralStringEscape: violet,
		chroma.LiteralNumber:       violet,
		chroma.Operator:            pink,
		chroma.OperatorWord:        pink,
		chroma.Punctuation:         text,
		chroma.GenericDeleted:      pink,
		chroma.GenericEmph:         "italic",
		chroma.GenericHeading:      "bold " + comment,
		chroma.GenericInserted:     green,
		chroma.GenericStrong:       "bold",
		chroma.GenericSubheading:   comment,
	})
})
