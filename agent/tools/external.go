package tools

import (
	"context"
	"encoding/json"
	"fmt"

	"hew/agent/llm"
)

// External returns a tool defined outside hew, such as an MCP server's: the model sees name,
// description and schema as given, and run receives the arguments as the model sent them (a
// JSON object). Its output is capped like every tool's. An external tool is never read-only, so
// its calls run one at a time and each can be put to the user.
func External(name, description string, schema json.RawMessage, summary func(json.RawMessage) string, run func(ctx context.Context, args json.RawMessage) Result) *Tool {
	spec := llm.Tool{Name: name, Description: description, Parameters: schema}
	if summary == nil {
		summary = func(json.RawMessage) string { return name }
	}
	return &Tool{
		Name:    name,
		summary: summary,
		run:     func(ctx context.Context, _ *Env, args json.RawMessage) Result { return run(ctx, args) },
		spec:    func() llm.Tool { return spec },
	}
}

// Add offers further tools after the standard ones. A name already in the set is an error.
func (s *Set) Add(ts ...*Tool) error {
	for _, t := range ts {
		if _, ok := s.byName[t.Name]; ok {
			return fmt.Errorf("tool %s is offered twice", t.Name)
		}
		s.list = append(s.list, t)
		s.byName[t.Name] = t
	}
	return nil
}
