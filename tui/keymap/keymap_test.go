package keymap

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// TestEveryBindingHasHelpAndNoKeyIsBoundTwice checks that each keymap documents every binding
// and that no key does two things in the same view.
func TestEveryBindingHasHelpAndNoKeyIsBoundTwice(t *testing.T) {
	for name, bs := range map[string][]key.Binding{
		"transcript": TranscriptKeys.All(), "review": ReviewKeys.All(), "note": NoteKeys.All(),
		"approval": ApprovalKeys.All(), "confirm": ConfirmKeys.All(), "first run": FirstRunKeys.All(),
		"@ files": FileKeys.All(), "overlay": OverlayKeys.All(),
	} {
		seen := map[string]string{}
		for _, b := range bs {
			h := b.Help()
			if h.Key == "" || h.Desc == "" || len(b.Keys()) == 0 {
				t.Errorf("%s: binding %v has no keys or no help: %+v", name, b.Keys(), h)
			}
			for _, k := range b.Keys() {
				if other, ok := seen[k]; ok {
					t.Errorf("%s: %q is bound to %q and %q", name, k, other, h.Desc)
				}
				seen[k] = h.Desc
			}
		}
	}
}

// TestFooterIsOfReviewBindings checks that the footer shows only keys the review handles, and
// that the keys to decide, commit and leave come first.
func TestFooterIsOfReviewBindings(t *testing.T) {
	all := map[string]bool{}
	for _, b := range ReviewKeys.All() {
		for _, k := range b.Keys() {
			all[k] = true
		}
	}
	for _, b := range ReviewKeys.Footer() {
		for _, k := range b.Keys() {
			if !all[k] {
				t.Errorf("the footer shows %q (%s), which no review binding handles", k, b.Help().Key)
			}
		}
	}
	var first []string
	for _, b := range ReviewKeys.Footer()[:5] {
		first = append(first, b.Help().Key)
	}
	if got := strings.Join(first, " "); got != "y n f c esc" {
		t.Errorf("the footer starts with %q, want y n f c esc", got)
	}
}
