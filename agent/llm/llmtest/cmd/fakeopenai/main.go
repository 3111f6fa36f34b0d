// Command fakeopenai serves a scripted fake OpenAI API for manual end-to-end checks of hew.
//
//	go run ./agent/llm/llmtest/cmd/fakeopenai -script turns.json
//
// The script is a JSON array of llmtest.Turn objects, answered one per request in order:
//
//	[{"text": "Let me look.", "tool_calls": [{"name": "read_file", "arguments": "{\"path\":\"go.mod\"}"}]},
//	 {"text": "Done.", "usage": {"input_tokens": 900, "cached_tokens": 512, "output_tokens": 40}}]
//
// It prints the OPENAI_BASE_URL to use and serves until interrupted.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"hew/agent/llm/llmtest"
)

func main() {
	script := flag.String("script", "", "JSON file holding an array of scripted turns (required)")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	if err := run(*script, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "fakeopenai:", err)
		os.Exit(1)
	}
}

func run(script, addr string) error {
	if script == "" {
		return fmt.Errorf("no script: pass -script FILE, a JSON array of turns")
	}
	data, err := os.ReadFile(script)
	if err != nil {
		return fmt.Errorf("read script: %w", err)
	}
	var turns []llmtest.Turn
	if err := json.Unmarshal(data, &turns); err != nil {
		return fmt.Errorf("parse script %s: %w (want a JSON array of turns)", script, err)
	}
	srv, err := llmtest.StartOpenAIServer(addr, log.Printf, turns...)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Printf("OPENAI_BASE_URL=%s\n", srv.URL())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
	for i, r := range srv.Requests() {
		log.Printf("request %d: %s %s %d bytes", i+1, r.Method, r.Path, len(r.Body))
	}
	return nil
}
