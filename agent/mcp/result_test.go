package mcp

import (
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestResultsAreTextForTheModel(t *testing.T) {
	r := result(&sdk.CallToolResult{Content: []sdk.Content{
		&sdk.TextContent{Text: "first"},
		&sdk.ImageContent{MIMEType: "image/png", Data: make([]byte, 1234)},
		&sdk.EmbeddedResource{Resource: &sdk.ResourceContents{URI: "file:///a.txt", Text: "inside"}},
		&sdk.EmbeddedResource{Resource: &sdk.ResourceContents{URI: "file:///b.bin", MIMEType: "application/octet-stream", Blob: []byte{1, 2}}},
		&sdk.ResourceLink{URI: "https://x/y", Name: "y", Description: "a link"},
	}, IsError: true})
	for _, want := range []string{"first", "image/png, 1234 bytes", "[resource file:///a.txt]\ninside", "2 bytes of binary data not shown", "[resource y: https://x/y] a link"} {
		if !strings.Contains(r.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, r.Output)
		}
	}
	if !r.IsError {
		t.Error("IsError lost")
	}
	if r := result(&sdk.CallToolResult{StructuredContent: map[string]int{"n": 1}}); r.Output != `{"n":1}` {
		t.Errorf("structured: %q", r.Output)
	}
	if r := result(&sdk.CallToolResult{}); r.Output != "(the tool returned nothing)" {
		t.Errorf("empty: %q", r.Output)
	}
	if s := string(objectSchema(nil)); s != `{"properties":{},"type":"object"}` {
		t.Errorf("schema %s", s)
	}
}
