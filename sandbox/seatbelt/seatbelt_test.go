package seatbelt

import (
	"strings"
	"testing"
)

func TestProfileOrdersAllowancesBeforeDenials(t *testing.T) {
	p := Profile{
		Writable: []string{"/Users/me/src/app", "/private/tmp/hew-1"},
		ReadOnly: []string{"/Users/me/src/app/.git"},
		Hidden:   []string{"/Users/me/.aws", "/Users/me/.netrc"},
	}.String()
	order := []string{
		"(deny default)",
		"(allow file-read* file-ioctl)",
		`(allow file-write*` + "\n" + `  (subpath "/Users/me/src/app")` + "\n" + `  (subpath "/private/tmp/hew-1"))`,
		`(deny file-write*` + "\n" + `  (subpath "/Users/me/src/app/.git"))`,
		`(deny file-read* file-write*` + "\n" + `  (subpath "/Users/me/.aws")` + "\n" + `  (subpath "/Users/me/.netrc"))`,
		"(allow network* (remote unix-socket) (local unix-socket))",
	}
	last := -1
	for _, want := range order {
		i := strings.Index(p, want)
		if i < 0 {
			t.Fatalf("profile lacks %q:\n%s", want, p)
		}
		if i < last {
			t.Fatalf("%q comes before an earlier rule it must follow:\n%s", want, p)
		}
		last = i
	}
	if strings.Contains(p, "(allow network*)") {
		t.Errorf("network allowed with Network false:\n%s", p)
	}
}

func TestProfileNetwork(t *testing.T) {
	if p := (Profile{Network: true}).String(); !strings.Contains(p, "(allow network*)\n") {
		t.Errorf("network not allowed:\n%s", p)
	}
}

func TestQuoteEscapes(t *testing.T) {
	got := quote(`/Users/a "b"\c` + "\n")
	if want := `"/Users/a \"b\"\\c\n"`; got != want {
		t.Errorf("quote = %s, want %s", got, want)
	}
}
