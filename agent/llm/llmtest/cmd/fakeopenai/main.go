// Command fakeopenai serves a scripted fake OpenAI API for manual end-to-end checks of hew.
//
//	go run ./agent/llm/llmtest/cmd/fakeopenai -script turns.json
//
// The script is a JSON array of llmtest.Turn objects, answered one per request in order:
//
//	[{"text": "Let me look.", "tool_calls": [{"name": "read_file", "arguments": "{\"path\":\"go.mod\"}"}]},
//	 {"text": "Done.", "usage": {"input_tokens": 900, "cached_tokens": 512, "output_tokens": 40}}]
//
// -models lists the models GET /v1/models answers with (by default none).
//
// It prints the OPENAI_BASE_URL to use and serves until interrupted, then prints what it
// received: each request's size, and the totals.
//
// For long sessions, -long N answers with N read_file steps instead of a script (the paths from
// -path, a fmt pattern given the step number modulo -files), summary requests (those without
// tools) with a short summary, then a final answer. -window T refuses requests over T prompt
// tokens as -style says (openai or vllm), as real servers do:
//
//	go run ./agent/llm/llmtest/cmd/fakeopenai -long 320 -window 16000 -path 'src/f%02d.go' -files 40
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
	var o options
	flag.StringVar(&o.script, "script", "", "JSON file holding an array of scripted turns (or -long)")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:0", "address to listen on")
	flag.IntVar(&o.long, "long", 0, "answer with this many read_file steps instead of a script")
	flag.StringVar(&o.path, "path", "src/f%02d.go", "with -long: the path each step reads, a fmt pattern of the step number")
	flag.IntVar(&o.files, "files", 40, "with -long: the step number is taken modulo this")
	flag.IntVar(&o.parallel, "parallel", 1, "with -long: read this many files at once in each step")
	flag.IntVar(&o.window, "window", 0, "refuse requests over this many prompt tokens (0: never refuse)")
	flag.StringVar(&o.style, "style", llmtest.StyleOpenAI, "how a refusal is worded: openai or vllm")
	flag.StringVar(&o.models, "models", "", `JSON array of the models GET /v1/models lists, such as [{"id":"qwen3","max_model_len":8192}] (none: an empty list)`)
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "fakeopenai:", err)
		os.Exit(1)
	}
}

type options struct {
	script, addr, path, style string
	models                    string
	long, files, parallel     int
	window                    int
}

func run(o options) error {
	var turns []llmtest.Turn
	switch {
	case o.script == "" && o.long <= 0:
		return fmt.Errorf("no script: pass -script FILE, a JSON array of turns, or -long N")
	case o.script != "":
		data, err := os.ReadFile(o.script)
		if err != nil {
			return fmt.Errorf("read script: %w", err)
		}
		if err := json.Unmarshal(data, &turns); err != nil {
			return fmt.Errorf("parse script %s: %w (want a JSON array of turns)", o.script, err)
		}
	}
	if o.style != llmtest.StyleOpenAI && o.style != llmtest.StyleVLLM {
		return fmt.Errorf("-style %q: use openai or vllm", o.style)
	}
	srv, err := llmtest.StartOpenAIServer(o.addr, log.Printf, turns...)
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.Window(o.window, o.style)
	if o.models != "" {
		var models []map[string]any
		if err := json.Unmarshal([]byte(o.models), &models); err != nil {
			return fmt.Errorf("-models: %w (want a JSON array of objects with an id)", err)
		}
		srv.SetModels(models...)
	}
	if o.long > 0 {
		task := &llmtest.LongTask{Calls: o.long, Tool: "read_file", Parallel: o.parallel, Args: func(i int) string {
			b, _ := json.Marshal(map[string]string{"path": fmt.Sprintf(o.path, i%max(o.files, 1))})
			return string(b)
		}}
		srv.Respond(task.Turn)
	}
	fmt.Printf("OPENAI_BASE_URL=%s\n", srv.URL())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
	var bytes, largest, refused, summaries int
	for i, r := range srv.Requests() {
		note := ""
		if r.Refused {
			note, refused = " REFUSED: over the window", refused+1
		}
		if llmtest.IsSummary(r) {
			summaries++
		}
		bytes, largest = bytes+len(r.Body), max(largest, r.Tokens)
		log.Printf("request %d: %s %s %d bytes, %d tokens%s", i+1, r.Method, r.Path, len(r.Body), r.Tokens, note)
	}
	log.Printf("%d requests (%d without tools: summaries), %d bytes sent, largest %d tokens, %d refused",
		len(srv.Requests()), summaries, bytes, largest, refused)
	return nil
}
