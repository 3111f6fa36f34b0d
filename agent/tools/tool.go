package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"hew/agent/llm"
	"hew/prompts"
)

// defaultOutputLimit caps a tool result when Env.OutputLimit is 0.
const defaultOutputLimit = 32 << 10

// Tool is one model-facing tool.
type Tool struct {
	Name string
	// ReadOnly tools may run in parallel with each other.
	ReadOnly bool
	// consts are the tool's defaults and caps, by the names its description and schema
	// templates use.
	consts map[string]any
	// args is the tool's argument struct.
	args    reflect.Type
	summary func(args json.RawMessage) string
	run     func(ctx context.Context, env *Env, args json.RawMessage) Result
	spec    func() llm.Tool
}

// define completes t with run, which receives the arguments decoded into an A.
func define[A any](t Tool, run func(ctx context.Context, env *Env, a A) Result) *Tool {
	t.args = reflect.TypeFor[A]()
	t.run = func(ctx context.Context, env *Env, raw json.RawMessage) Result {
		var a A
		if err := decode(t.Name, raw, &a); err != nil {
			return errorf("%v", err)
		}
		return run(ctx, env, a)
	}
	t.spec = sync.OnceValue(func() llm.Tool {
		s, err := t.render()
		if err != nil {
			panic(err) // the templates are embedded; the tests render every one
		}
		return s
	})
	return &t
}

// render renders the tool's description and schema with its constants.
func (t *Tool) render() (llm.Tool, error) {
	desc, err := prompts.ToolDescription(t.Name, t.consts)
	if err != nil {
		return llm.Tool{}, err
	}
	schema, err := prompts.ToolSchema(t.Name, t.consts)
	return llm.Tool{Name: t.Name, Description: desc, Parameters: schema}, err
}

// Spec describes the tool to a model.
func (t *Tool) Spec() llm.Tool { return t.spec() }

// Summary is a one-line description of a call for people, such as "read main.go".
func (t *Tool) Summary(args json.RawMessage) string { return t.summary(args) }

// Run executes the tool. Output is capped to env.OutputLimit.
func (t *Tool) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	r := t.run(ctx, env, args)
	limit := env.OutputLimit
	if limit <= 0 {
		limit = defaultOutputLimit
	}
	r.Output = Clip(r.Output, limit)
	return r
}

// decode parses a tool's JSON arguments into v. The error is written for the model.
func decode(name string, args json.RawMessage, v any) error {
	if len(strings.TrimSpace(string(args))) == 0 {
		args = json.RawMessage("{}")
	}
	if err := json.Unmarshal(args, v); err != nil {
		return fmt.Errorf("invalid arguments for %s: %v. Send a JSON object matching the tool's schema", name, err)
	}
	return nil
}

func errorf(format string, args ...any) Result {
	return Result{Output: fmt.Sprintf(format, args...), IsError: true}
}

// summarize makes a summary function that shows one string argument after a verb.
func summarize(verb, field string) func(json.RawMessage) string {
	return func(args json.RawMessage) string {
		var m map[string]any
		_ = json.Unmarshal(args, &m)
		if s, ok := m[field].(string); ok && s != "" {
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[:i] + " …"
			}
			return verb + " " + s
		}
		return verb
	}
}
