package compact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"hew/agent/event"
	"hew/agent/llm"
	"hew/agent/llm/llmtest"
	"hew/agent/llm/openai"
)

func provider(t *testing.T, turns ...llmtest.Turn) (llm.Provider, *llmtest.OpenAIServer) {
	t.Helper()
	srv := llmtest.NewOpenAIServer(t, turns...)
	p, err := openai.New(openai.Options{APIKey: "k", BaseURL: srv.URL(), API: "chat", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return p, srv
}

func call(id, name, args string) llm.Message {
	return llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: id, Name: name, Arguments: args}}}
}

func result(id, name, text string) llm.Message {
	return llm.Message{Role: llm.RoleTool, ToolCallID: id, ToolName: name, Text: text}
}

// twoTurns is a session of two turns; the first read a large file.
func twoTurns() []llm.Message {
	big := strings.Repeat("func filler() {} // line of the big file\n", 400)
	return []llm.Message{
		{Role: llm.RoleUser, Text: "ORIGINAL: make Add correct"},
		call("c1", "read_file", `{"path":"calc.go"}`),
		result("c1", "read_file", "SEEN-OUTPUT-HEAD\n"+big+"SEEN-OUTPUT-TAIL"),
		{Role: llm.RoleAssistant, Text: "OLD-ANSWER: Add subtracts."},
		{Role: llm.RoleUser, Text: "LATEST: now also fix Sub"},
		call("c2", "read_file", `{"path":"sub.go"}`),
		result("c2", "read_file", "UNSEEN-RESULT"),
	}
}

func TestCompactSummarisesOlderTurnsAndKeepsWhatMatters(t *testing.T) {
	p, srv := provider(t, llmtest.Turn{Text: "SUMMARY: Add in calc.go subtracted; fixed.", Usage: llm.Usage{InputTokens: 900, OutputTokens: 40}})
	in := Input{
		History:  twoTurns(),
		Plan:     []event.PlanStep{{Step: "fix Add", Status: "done"}, {Step: "fix Sub", Status: "in_progress"}},
		Proposal: "- M calc.go (+1 -1)\n",
	}
	res, err := Compact(context.Background(), Options{Provider: p, Model: "m", Window: 100_000, Summarise: true}, in)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Summarised || res.Usage.OutputTokens != 40 || res.After >= res.Before {
		t.Errorf("result: summarised %v usage %+v before %d after %d", res.Summarised, res.Usage, res.Before, res.After)
	}

	// The summary request carried the older turns, with the large output clipped, but not
	// the kept latest turn.
	body := string(srv.Requests()[0].Body)
	for _, want := range []string{"ORIGINAL: make Add correct", "SEEN-OUTPUT-HEAD", "SEEN-OUTPUT-TAIL", "OLD-ANSWER", "omitted", "summarising the earlier part of a coding session"} {
		if !strings.Contains(body, want) {
			t.Errorf("summary request lacks %q", want)
		}
	}
	if strings.Contains(body, "LATEST") || strings.Contains(body, `"tools"`) {
		t.Error("summary request holds the kept turn or offers tools")
	}

	h := res.History
	if len(h) != 5 {
		t.Fatalf("history has %d messages: %+v", len(h), h)
	}
	if h[0].Text != "ORIGINAL: make Add correct" || h[2].Text != "LATEST: now also fix Sub" || h[4].Text != "UNSEEN-RESULT" {
		t.Errorf("kept messages: %q / %q / %q", h[0].Text, h[2].Text, h[4].Text)
	}
	sum := h[1].Text
	for _, want := range []string{"SUMMARY: Add in calc.go", "- [done] fix Add", "- [in_progress] fix Sub", "M calc.go (+1 -1)"} {
		if h[1].Role != llm.RoleAssistant || !strings.Contains(sum, want) {
			t.Errorf("summary message lacks %q: %s", want, sum)
		}
	}
}

func TestCompactTrimsSeenOutputsWithoutAModelCallWhenThatIsEnough(t *testing.T) {
	p, srv := provider(t)
	res, err := Compact(context.Background(), Options{Provider: p, Model: "m", Window: 100_000}, Input{History: twoTurns()})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != 0 || res.Summarised {
		t.Fatal("trimming was enough, but the model was asked")
	}
	if len(res.History) != 7 || len(res.History[2].Text) > 2*seenLimit || !strings.Contains(res.History[2].Text, "SEEN-OUTPUT-TAIL") {
		t.Errorf("seen output not trimmed to head and tail: %d bytes", len(res.History[2].Text))
	}
	if res.History[6].Text != "UNSEEN-RESULT" {
		t.Error("an output the model has not seen was changed")
	}
	if twoTurns()[2].Text == res.History[2].Text {
		t.Error("no trimming")
	}
}

func TestCompactOneLongTurnKeepsTheLatestSteps(t *testing.T) {
	p, _ := provider(t, llmtest.Turn{Text: "summary of steps"})
	h := []llm.Message{{Role: llm.RoleUser, Text: "ORIGINAL"}}
	for i := range 5 {
		id := "c" + string(rune('0'+i))
		args, _ := json.Marshal(map[string]string{"path": id})
		h = append(h, call(id, "read_file", string(args)), result(id, "read_file", "out "+id))
	}
	res, err := Compact(context.Background(), Options{Provider: p, Model: "m", Summarise: true}, Input{History: h})
	if err != nil {
		t.Fatal(err)
	}
	got := res.History
	// original, summary, "continue", then the last two steps with their results.
	if len(got) != 7 || got[2].Text != Continue || got[3].ToolCalls[0].ID != "c3" || got[6].ToolCallID != "c4" {
		t.Fatalf("history: %+v", got)
	}
}

func TestCompactFailsClearly(t *testing.T) {
	p, _ := provider(t, llmtest.Turn{Status: 500, ErrorBody: "boom"})
	_, err := Compact(context.Background(), Options{Provider: p, Model: "m", Summarise: true}, Input{History: twoTurns()})
	if err == nil || !strings.Contains(err.Error(), "summarise the earlier turns") {
		t.Errorf("error = %v", err)
	}
	_, err = Compact(context.Background(), Options{Provider: p, Model: "m"}, Input{History: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	if !errors.Is(err, ErrNothingToCompact) {
		t.Errorf("single message: %v", err)
	}
}

// steps appends n read_file steps named from prefix to h.
func steps(h []llm.Message, prefix string, n int) []llm.Message {
	for i := range n {
		id := fmt.Sprintf("%s%d", prefix, i)
		h = append(h, call(id, "read_file", fmt.Sprintf(`{"path":%q}`, id)), result(id, "read_file", "out "+id))
	}
	return h
}

func TestCompactSummarisesAgainAfterASummary(t *testing.T) {
	p, srv := provider(t, llmtest.Turn{Text: "FIRST-SUMMARY"}, llmtest.Turn{Text: "SECOND-SUMMARY"})
	o := Options{Provider: p, Model: "m", Summarise: true}
	res, err := Compact(context.Background(), o, Input{History: steps([]llm.Message{{Role: llm.RoleUser, Text: "ORIGINAL"}}, "a", 5)})
	if err != nil {
		t.Fatal(err)
	}
	// The Continue message is not the user's: the steps after it are summarised the next time.
	res, err = Compact(context.Background(), o, Input{History: steps(res.History, "b", 5)})
	if err != nil {
		t.Fatal(err)
	}
	got := res.History
	if len(got) != 7 || got[0].Text != "ORIGINAL" || !strings.Contains(got[1].Text, "SECOND-SUMMARY") || got[2].Text != Continue ||
		got[3].ToolCalls[0].ID != "b3" || got[6].ToolCallID != "b4" {
		t.Fatalf("history after the second compaction: %+v", got)
	}
	body := string(srv.Requests()[1].Body)
	for _, want := range []string{"FIRST-SUMMARY", "a4", "b2", "The summary of the turns before"} {
		if !strings.Contains(body, want) {
			t.Errorf("the second summary request lacks %q", want)
		}
	}
	if strings.Contains(body, Continue) {
		t.Error("the Continue message was sent to be summarised as the user's")
	}
}

func TestCompactSummarisesALongLatestTurn(t *testing.T) {
	p, _ := provider(t, llmtest.Turn{Text: "SUMMARY"})
	h := steps([]llm.Message{{Role: llm.RoleUser, Text: "ORIGINAL"}}, "a", 2)
	h = steps(append(h, llm.Message{Role: llm.RoleAssistant, Text: "first done"}, llm.Message{Role: llm.RoleUser, Text: "LATEST"}), "b", 5)
	res, err := Compact(context.Background(), Options{Provider: p, Model: "m", Summarise: true}, Input{History: h})
	if err != nil {
		t.Fatal(err)
	}
	got := res.History
	// original, summary (covering b0..b2 too), the latest request verbatim, its last two steps.
	if len(got) != 7 || got[0].Text != "ORIGINAL" || !strings.Contains(got[1].Text, "latest request below") || got[2].Text != "LATEST" ||
		got[3].ToolCalls[0].ID != "b3" || got[6].ToolCallID != "b4" {
		t.Fatalf("history: %+v", got)
	}
}

func TestFitTrimsUnseenOutputsAndSaysSo(t *testing.T) {
	big := strings.Repeat("0123456789abcdef\n", 2000) // 34 KB
	h := []llm.Message{{Role: llm.RoleUser, Text: "ORIGINAL"},
		{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "1"}, {ID: "2"}, {ID: "3"}}},
		result("1", "read_file", big), result("2", "read_file", big), result("3", "read_file", "small")}
	out, ok := Fit(h, 8000)
	if !ok || Estimate(out) > 8000 {
		t.Fatalf("fit: ok %v, %d tokens", ok, Estimate(out))
	}
	if !strings.Contains(out[2].Text, "trimmed to fit the context window") || out[4].Text != "small" || len(h[2].Text) != len(big) {
		t.Errorf("outputs after fitting: %d / %q; the input must stay as it was", len(out[2].Text), out[4].Text)
	}
	if _, ok := Fit([]llm.Message{{Role: llm.RoleUser, Text: big}}, 1000); ok {
		t.Error("a request too long to trim was said to fit")
	}
	if OutputLimit(0) != CharsFor(DefaultWindow/8) || OutputLimit(1_000) != OutputMin || OutputLimit(10_000_000) != OutputMax {
		t.Errorf("output limits: %d %d %d", OutputLimit(0), OutputLimit(1_000), OutputLimit(10_000_000))
	}
}
