package mcp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"hew/agent/approval"
	"hew/agent/tools"
)

// maxNameLen is the longest tool name the model providers accept.
const maxNameLen = 64

// maxDescription caps a tool's description as offered to the model: a server's text is not
// allowed to take over the context.
const maxDescription = 2000

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// ToolName is the name the model sees for tool of server: mcp__SERVER__TOOL, with characters
// models do not accept replaced by _, shortened with a hash when over 64 characters.
func ToolName(server, tool string) string {
	name := "mcp__" + server + "__" + unsafeName.ReplaceAllString(tool, "_")
	if len(name) <= maxNameLen {
		return name
	}
	sum := sha256.Sum256([]byte(tool))
	suffix := "_" + hex.EncodeToString(sum[:])[:8]
	return name[:maxNameLen-len(suffix)] + suffix
}

// tool makes the model-facing tool for t. The caller holds s.mu.
func (s *server) tool(t *sdk.Tool) *tools.Tool {
	offered := ToolName(s.name, t.Name)
	schema := objectSchema(t.InputSchema)
	desc := strings.TrimSpace(t.Description)
	if r := []rune(desc); len(r) > maxDescription {
		desc = string(r[:maxDescription]) + " …"
	}
	desc = fmt.Sprintf("Tool %q of the MCP server %q (an outside service the user configured). %s", t.Name, s.name, desc)
	name := t.Name
	return tools.External(offered, desc, schema,
		func(args json.RawMessage) string { return "mcp " + s.name + "/" + name + " " + clip(string(args), 80) },
		func(ctx context.Context, args json.RawMessage) tools.Result { return s.call(ctx, name, offered, args) })
}

// objectSchema is a tool's input schema as models accept it: a JSON object schema, with
// "type" and "properties" filled in when the server left them out.
func objectSchema(in any) json.RawMessage {
	var m map[string]any
	if b, err := json.Marshal(in); err == nil {
		json.Unmarshal(b, &m)
	}
	if m == nil {
		m = map[string]any{}
	}
	if _, ok := m["type"]; !ok {
		m["type"] = "object"
	}
	if _, ok := m["properties"]; !ok && m["type"] == "object" {
		m["properties"] = map[string]any{}
	}
	b, _ := json.Marshal(m)
	return b
}

// permit asks whether the model may call a tool the configuration does not allow. When it may
// not, the result says why, for the model.
func (m *Manager) permit(ctx context.Context, server, tool, offered string, args json.RawMessage) (tools.Result, bool) {
	display := offered + " " + clip(string(args), 400)
	err := errors.New("no approver")
	if m.o.Permit != nil {
		err = m.o.Permit(ctx, offered, display)
	}
	var re *approval.RememberError
	switch {
	case err == nil:
		return tools.Result{}, true
	case errors.As(err, &re):
		m.notice("warn", fmt.Sprintf("mcp: %s %v", offered, err))
		return tools.Result{}, true
	case ctx.Err() != nil:
		return tools.Result{IsError: true, Output: "interrupted by the user"}, false
	case errors.Is(err, approval.ErrDenied):
		note := ""
		if _, n, ok := strings.Cut(err.Error(), ": "); ok {
			note = " The user said: " + n
		}
		return tools.Result{IsError: true, Output: fmt.Sprintf("the user denied this call of %s, so it was not made.%s Do not retry it unchanged; do without it or ask the user", offered, note)}, false
	}
	return tools.Result{IsError: true, Output: fmt.Sprintf("the call of %s was not made: MCP tools need the user's approval, nobody can be asked in this session (hew exec, or approval mode never), and the user's config does not allow this tool. Do the task without it. (The user can allow it with allowed_tools = [%q] under [mcp_servers.%s] in their config.)", offered, tool, server)}, false
}

// result turns a tool's result into text for the model.
func result(res *sdk.CallToolResult) tools.Result {
	var parts []string
	for _, c := range res.Content {
		switch c := c.(type) {
		case *sdk.TextContent:
			parts = append(parts, c.Text)
		case *sdk.ImageContent:
			parts = append(parts, fmt.Sprintf("[an image (%s, %d bytes) that hew cannot show the model]", c.MIMEType, len(c.Data)))
		case *sdk.AudioContent:
			parts = append(parts, fmt.Sprintf("[audio (%s, %d bytes) that hew cannot pass on]", c.MIMEType, len(c.Data)))
		case *sdk.ResourceLink:
			parts = append(parts, fmt.Sprintf("[resource %s: %s] %s", c.Name, c.URI, c.Description))
		case *sdk.EmbeddedResource:
			if r := c.Resource; r != nil && r.Text != "" {
				parts = append(parts, fmt.Sprintf("[resource %s]\n%s", r.URI, r.Text))
			} else if r != nil {
				parts = append(parts, fmt.Sprintf("[resource %s (%s, %d bytes of binary data not shown)]", r.URI, r.MIMEType, len(r.Blob)))
			}
		default:
			if b, err := json.Marshal(c); err == nil {
				parts = append(parts, string(b))
			}
		}
	}
	if len(parts) == 0 && res.StructuredContent != nil {
		if b, err := json.Marshal(res.StructuredContent); err == nil {
			parts = append(parts, string(b))
		}
	}
	out := strings.Join(parts, "\n")
	if out == "" {
		out = "(the tool returned nothing)"
	}
	return tools.Result{Output: out, IsError: res.IsError}
}

// clip shortens s to about n bytes on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
