package loop

import (
	"errors"
	"slices"

	"hew/agent/llm"
	"hew/agent/tools"
)

// ErrRepeating reports a model that kept making the same tool calls with the same results.
var ErrRepeating = errors.New("stopped: the model is repeating itself")

// Loop detection: after RepeatWarn identical batches in a row (the same calls with the same
// arguments giving the same results) the model is told it repeats itself; after RepeatStop the
// turn stops with ErrRepeating.
const (
	RepeatWarn = 3
	RepeatStop = 5
)

type repeatVerdict int

const (
	repeatNone repeatVerdict = iota
	repeatWarn
	repeatStop
)

// repeatState remembers the latest batch of tool calls and how many times in a row it came.
type repeatState struct {
	calls   []llm.ToolCall
	outputs []string
	count   int
}

// observe records a batch and says whether to warn the model or stop.
func (r *repeatState) observe(calls []llm.ToolCall, results []tools.Result) repeatVerdict {
	outputs := make([]string, len(results))
	for i, res := range results {
		outputs[i] = res.Output
	}
	same := len(calls) == len(r.calls) && slices.Equal(outputs, r.outputs) &&
		slices.EqualFunc(calls, r.calls, func(a, b llm.ToolCall) bool { return a.Name == b.Name && a.Arguments == b.Arguments })
	if !same {
		r.calls, r.outputs, r.count = calls, outputs, 1
		return repeatNone
	}
	r.count++
	switch {
	case r.count >= RepeatStop:
		return repeatStop
	case r.count >= RepeatWarn:
		return repeatWarn
	}
	return repeatNone
}
