package tools

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"hew/agent/proposal"
)

func newEnv(t testing.TB, files map[string]string) *Env {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := proposal.OpenWith(root, t.TempDir(), proposal.Options{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Layer: l}
}

func call(t testing.TB, env *Env, name, args string) Result {
	t.Helper()
	tool, ok := NewSet("").Get(name)
	if !ok {
		t.Fatalf("no tool %s", name)
	}
	return tool.Run(context.Background(), env, json.RawMessage(args))
}

var repo = map[string]string{
	".gitignore":           "build/\n*.log\n",
	"main.go":              "package main\n\nfunc main() {\n\tprintln(\"hello\")\n}\n",
	"internal/x/x.go":      "package x\n\n// Hello says hello.\nfunc Hello() string { return \"Hello\" }\n",
	"internal/x/x_test.go": "package x\n",
	"build/out.go":         "package out // hello\n",
	"debug.log":            "hello\n",
	"img.bin":              "\x00\x01hello",
}
