// This file replaces styles/compat.go of github.com/alecthomas/chroma/v2 v2.27.0 (MIT licence,
// Copyright (C) 2017 Alec Thomas) in hew's release build (see .ci/release): the same API, but the
// embedded styles are parsed on first use instead of when the program starts, which took half of
// hew's start-up. Only .ci/release compiles it, in a copy of chroma it builds against.

// The deprecated variables that named each style (styles.Monokai...) are left out: they read
// the registry when the program starts. hew uses styles.Get; a use of one fails the build.
package styles
