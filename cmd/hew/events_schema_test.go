package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"hew/agent/event"
	"hew/agent/llm/llmtest"
)

const eventsSchema = "../../docs/events.schema.json"

func compileEventsSchema(t *testing.T) (*jsonschema.Schema, map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(eventsSchema)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", eventsSchema, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///events.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("file:///events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s, doc.(map[string]any)
}

// Every event type and every field of it is in the schema: adding one without documenting it
// fails here.
func TestEventsSchemaDocumentsEveryEventAndField(t *testing.T) {
	_, doc := compileEventsSchema(t)
	branches := map[string]map[string]any{}
	for _, b := range doc["oneOf"].([]any) {
		props := b.(map[string]any)["properties"].(map[string]any)
		name := props["type"].(map[string]any)["const"].(string)
		branches[name] = props
	}
	for _, typ := range event.Types() {
		props, ok := branches[typ]
		if !ok {
			t.Errorf("event %s is not in %s", typ, eventsSchema)
			continue
		}
		e, err := event.Decode([]byte(`{"type":"` + typ + `"}`))
		if err != nil {
			t.Fatal(err)
		}
		st := reflect.TypeOf(e).Elem()
		for i := range st.NumField() {
			name, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ",")
			if _, ok := props[name]; !ok && name != "-" {
				t.Errorf("field %s of event %s is not in %s", name, typ, eventsSchema)
			}
		}
	}
	if len(branches) != len(event.Types()) {
		t.Errorf("the schema has %d event types, hew %d", len(branches), len(event.Types()))
	}
}

// Real `hew exec --json` output validates line by line, and --output-last-message holds the
// final answer.
func TestExecJSONMatchesTheEventsSchema(t *testing.T) {
	schema, _ := compileEventsSchema(t)
	dir := goRepo(t)
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{Text: "Planning.", ToolCalls: []llmtest.ToolCall{toolCall("update_plan", map[string]any{"steps": []map[string]string{{"step": "fix Add", "status": "in_progress"}}})}},
		llmtest.Turn{Reasoning: "The sign is wrong.", ToolCalls: []llmtest.ToolCall{toolCall("apply_patch", map[string]any{"patch": fixPatch}), toolCall("run", map[string]any{"command": "go test ./..."})}},
		llmtest.Turn{Text: "Fixed Add: it adds again.\n\nThe tests pass."},
	)
	last := filepath.Join(t.TempDir(), "last.md")
	stdout, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--json", "--commit", "--output-last-message", last, "fix the failing test")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	seen := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
		if err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, line)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("line %d does not match the schema: %v\n%s", i+1, err, line)
		}
		var head struct {
			Type    string `json:"type"`
			Version int    `json:"schema_version"`
		}
		json.Unmarshal([]byte(line), &head)
		if i == 0 && (head.Type != "session_started" || head.Version != event.SchemaVersion) {
			t.Errorf("the first line is not session_started with schema_version %d: %s", event.SchemaVersion, line)
		}
		seen[head.Type] = true
	}
	for _, typ := range []string{"session_started", "turn_started", "text_delta", "message", "tool_started", "tool_finished",
		"plan_updated", "proposal_changed", "test_run", "usage", "accepted", "committed", "turn_finished"} {
		if !seen[typ] {
			t.Errorf("the run wrote no %s event to check", typ)
		}
	}
	if b, err := os.ReadFile(last); err != nil || string(b) != "Fixed Add: it adds again.\n\nThe tests pass.\n" {
		t.Errorf("--output-last-message: %q %v", b, err)
	}
}

// --output-last-message is checked before the model is asked, and written when the run fails.
func TestOutputLastMessage(t *testing.T) {
	dir := goRepo(t)
	if _, stderr, code, _ := runHew(t, dir, "http://127.0.0.1:1/v1", "", "exec", "--output-last-message", "no/such/dir/last.md", "hi"); code != exitUsage || !strings.Contains(stderr, "does not exist") {
		t.Errorf("a missing directory: exit %d\n%s", code, stderr)
	}
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "I could not fix it."})
	_, stderr, code, _ := runHew(t, dir, srv.URL(), "", "exec", "--commit", "--accept", "auto", "--output-last-message", "last.md", "fix it")
	if code != exitFailed {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "last.md")); err != nil || string(b) != "I could not fix it.\n" {
		t.Errorf("last message of a failed run: %q %v", b, err)
	}
}
