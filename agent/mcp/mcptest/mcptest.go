// Package mcptest provides a real MCP server, built on the official Go SDK, for tests: over
// stdio (a test binary re-executing itself, see RunIfRequested) or streamable HTTP
// (NewHTTP). Its tools:
//
//   - echo {text}: returns the text
//   - fail {}: a tool error ("the tool failed on purpose")
//   - sleep {seconds}: returns after sleeping, or when the call is cancelled
//   - env {}: the names of the environment variables the server sees, and the value of
//     HEW_TEST_VISIBLE when set
//   - crash {}: writes "dying on purpose" to standard error and exits with status 3 (stdio)
//   - big {}: 200 KiB of text
//   - write {path}: writes a file there (to show what the sandbox lets it write)
package mcptest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// ServerEnv, set to "stdio" in a test binary's environment, makes RunIfRequested serve.
const ServerEnv = "HEW_TEST_MCP_SERVER"

// RunIfRequested serves the test server over standard input and output and exits, when the
// environment asks for it (ServerEnv). Call it first in TestMain.
func RunIfRequested() {
	if os.Getenv(ServerEnv) != "stdio" {
		return
	}
	err := NewServer().Run(context.Background(), &sdk.StdioTransport{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// NewServer returns the test server.
func NewServer() *sdk.Server {
	s := sdk.NewServer(&sdk.Implementation{Name: "hew-test", Version: "1"}, nil)
	type echoArgs struct {
		Text string `json:"text" jsonschema:"the text to return"`
	}
	sdk.AddTool(s, &sdk.Tool{Name: "echo", Description: "Returns the text it is given."},
		func(_ context.Context, _ *sdk.CallToolRequest, a echoArgs) (*sdk.CallToolResult, any, error) {
			return text("echo: " + a.Text), nil, nil
		})
	sdk.AddTool(s, &sdk.Tool{Name: "fail", Description: "Always fails."},
		func(context.Context, *sdk.CallToolRequest, struct{}) (*sdk.CallToolResult, any, error) {
			return nil, nil, fmt.Errorf("the tool failed on purpose")
		})
	type sleepArgs struct {
		Seconds float64 `json:"seconds"`
	}
	sdk.AddTool(s, &sdk.Tool{Name: "sleep", Description: "Sleeps."},
		func(ctx context.Context, _ *sdk.CallToolRequest, a sleepArgs) (*sdk.CallToolResult, any, error) {
			select {
			case <-time.After(time.Duration(a.Seconds * float64(time.Second))):
				return text("slept"), nil, nil
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		})
	sdk.AddTool(s, &sdk.Tool{Name: "env", Description: "Lists the environment's names."},
		func(context.Context, *sdk.CallToolRequest, struct{}) (*sdk.CallToolResult, any, error) {
			var names []string
			for _, kv := range os.Environ() {
				n, _, _ := strings.Cut(kv, "=")
				names = append(names, n)
			}
			sort.Strings(names)
			return text(strings.Join(names, " ") + "\nHEW_TEST_VISIBLE=" + os.Getenv("HEW_TEST_VISIBLE")), nil, nil
		})
	sdk.AddTool(s, &sdk.Tool{Name: "crash", Description: "Exits at once."},
		func(context.Context, *sdk.CallToolRequest, struct{}) (*sdk.CallToolResult, any, error) {
			fmt.Fprintln(os.Stderr, "dying on purpose")
			os.Exit(3)
			return nil, nil, nil
		})
	type writeArgs struct {
		Path string `json:"path"`
	}
	sdk.AddTool(s, &sdk.Tool{Name: "write", Description: "Writes a file."},
		func(_ context.Context, _ *sdk.CallToolRequest, a writeArgs) (*sdk.CallToolResult, any, error) {
			if err := os.WriteFile(a.Path, []byte("written by the server\n"), 0o644); err != nil {
				return nil, nil, err
			}
			return text("wrote " + a.Path), nil, nil
		})
	sdk.AddTool(s, &sdk.Tool{Name: "big", Description: "Returns a lot of text."},
		func(context.Context, *sdk.CallToolRequest, struct{}) (*sdk.CallToolResult, any, error) {
			return text(strings.Repeat("0123456789abcdef\n", 200<<10/17)), nil, nil
		})
	return s
}

func text(s string) *sdk.CallToolResult {
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: s}}}
}

// NewHTTP starts the test server over streamable HTTP on the loopback interface. When
// wantHeader is not empty ("Name: value"), requests without that header are refused with 401.
func NewHTTP(wantHeader string) *httptest.Server {
	srv := NewServer()
	h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return srv }, nil)
	name, value, _ := strings.Cut(wantHeader, ":")
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name != "" && r.Header.Get(name) != strings.TrimSpace(value) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
}
