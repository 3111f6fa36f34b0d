// This file replaces styles/api.go of github.com/alecthomas/chroma/v2 v2.27.0 (MIT licence,
// Copyright (C) 2017 Alec Thomas) in hew's release build (see .ci/release): the same API, but the
// embedded styles are parsed on first use instead of when the program starts, which took half of
// hew's start-up. Only .ci/release compiles it, in a copy of chroma it builds against.

package styles

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
)

//go:embed *.xml
var embedded embed.FS

// Registry of Styles. It holds the styles registered so far; the embedded ones join on the
// first call of a function of this package (see load).
var Registry = map[string]*chroma.Style{}

// load registers the embedded styles once, under those registered before.
var load = sync.OnceFunc(func() {
	files, err := fs.ReadDir(embedded, ".")
	if err != nil {
		panic(err)
	}
	for _, file := range files {
		if file.IsDir() {
			continue
		}
		r, err := embedded.Open(file.Name())
		if err != nil {
			panic(err)
		}
		style, err := chroma.NewXMLStyle(r)
		if err != nil {
			panic(err)
		}
		if _, ok := Registry[strings.ToLower(style.Name)]; !ok {
			Registry[strings.ToLower(style.Name)] = style
		}
		_ = r.Close()
	}
	if Fallback == nil {
		Fallback = Registry["swapoff"]
	}
})

// Fallback style. Reassign to change the default fallback style. Nil until the first call of
// a function of this package.
var Fallback *chroma.Style

// Register a chroma.Style.
func Register(style *chroma.Style) *chroma.Style {
	load()
	Registry[strings.ToLower(style.Name)] = style
	return style
}

// Names of all available styles.
func Names() []string {
	load()
	out := []string{}
	for name := range Registry {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Get named style, or Fallback.
func Get(name string) *chroma.Style {
	load()
	if style, ok := Registry[strings.ToLower(name)]; ok {
		return style
	}
	return Fallback
}

// GetForMode returns the named style if it already matches mode, otherwise its
// registered counterpart if one exists and matches mode. If neither matches,
// the originally-requested style is returned (or Fallback if the name is
// unknown), so callers always get something usable.
func GetForMode(name string, mode chroma.Mode) *chroma.Style {
	load()
	style := Get(name)
	if style.Mode() == mode {
		return style
	}
	if style.Counterpart == "" {
		return style
	}
	counterpart, ok := Registry[style.Counterpart]
	if !ok || counterpart.Mode() != mode {
		return style
	}
	return counterpart
}

// RegisterPair links two styles as light/dark counterparts of each other.
//
// Both styles are also registered if they are not already present.
func RegisterPair(a, b *chroma.Style) {
	Register(a)
	Register(b)
	a.Counterpart = strings.ToLower(b.Name)
	b.Counterpart = strings.ToLower(a.Name)
}
