package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSpecsComeFromPrompts(t *testing.T) {
	for _, s := range NewSet("").Specs() {
		if len(s.Description) < 40 || !json.Valid(s.Parameters) {
			t.Errorf("%s: description or schema missing", s.Name)
		}
	}
	if names := strings.Join(NewSet(EditApplyPatch).Names(), ","); strings.Contains(names, "edit_file") {
		t.Errorf("apply_patch set offers %s", names)
	}
}

// TestDescriptionsRenderFromTheToolsConstants: every description and schema renders, with no
// template action left, and the defaults the text states are the Go constants.
func TestDescriptionsRenderFromTheToolsConstants(t *testing.T) {
	for _, tool := range all {
		s, err := tool.render()
		if err != nil {
			t.Errorf("%s: %v", tool.Name, err)
			continue
		}
		for what, text := range map[string]string{"description": s.Description, "schema": string(s.Parameters)} {
			if strings.Contains(text, "{{") || strings.Contains(text, "<no value>") {
				t.Errorf("%s: the %s is not fully rendered:\n%s", tool.Name, what, text)
			}
		}
	}
	for tool, want := range map[*Tool][]string{
		listFiles:  {fmt.Sprintf("(default %d)", defaultListMax)},
		readFile:   {fmt.Sprintf("default %d", defaultReadLimit), fmt.Sprintf("longer than %d characters", maxLineLength)},
		search:     {fmt.Sprintf("(default %d)", defaultSearchMax)},
		run:        {fmt.Sprintf("(default %d seconds)", int(defaultRunTimeout/time.Second))},
		updatePlan: {"`pending`, `in_progress` or `done`"},
	} {
		if d := tool.Spec().Description; !containsAll(d, want) {
			t.Errorf("%s description lacks %q:\n%s", tool.Name, want, d)
		}
	}
	if s := string(run.Spec().Parameters); !strings.Contains(s, fmt.Sprintf("at most %d", int(maxRunTimeout/time.Second))) {
		t.Errorf("run schema: %s", s)
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestSchemasMatchArgumentStructs: the convention that binds a tool's JSON schema to its Go
// argument struct. The schema's properties are the struct's json names, with matching types
// (string, integer, boolean, array, object), recursively through arrays of structs; a field is
// required exactly when its json tag has no omitempty; no object admits other properties.
func TestSchemasMatchArgumentStructs(t *testing.T) {
	for _, tool := range all {
		var schema map[string]any
		if err := json.Unmarshal(tool.Spec().Parameters, &schema); err != nil {
			t.Fatalf("%s: %v", tool.Name, err)
		}
		checkSchema(t, tool.Name, schema, tool.args)
	}
}

func checkSchema(t *testing.T, where string, schema map[string]any, typ reflect.Type) {
	t.Helper()
	want := map[reflect.Kind]string{reflect.String: "string", reflect.Int: "integer", reflect.Bool: "boolean",
		reflect.Slice: "array", reflect.Struct: "object"}[typ.Kind()]
	if got := schema["type"]; got != want {
		t.Errorf("%s: schema type %v, Go type %s", where, got, typ)
		return
	}
	switch typ.Kind() {
	case reflect.Slice:
		items, _ := schema["items"].(map[string]any)
		checkSchema(t, where+"[]", items, typ.Elem())
	case reflect.Struct:
		if schema["additionalProperties"] != false {
			t.Errorf("%s: the schema admits other properties", where)
		}
		props, _ := schema["properties"].(map[string]any)
		var required []string
		rs, _ := schema["required"].([]any) // list_files requires nothing
		for _, r := range rs {
			required = append(required, fmt.Sprint(r))
		}
		var names, wantRequired []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				t.Errorf("%s: field %s has no json name", where, f.Name)
				continue
			}
			names = append(names, name)
			if !slices.Contains(strings.Split(opts, ","), "omitempty") {
				wantRequired = append(wantRequired, name)
			}
			p, ok := props[name].(map[string]any)
			if !ok {
				t.Errorf("%s: argument %s is not in the schema", where, name)
				continue
			}
			checkSchema(t, where+"."+name, p, f.Type)
		}
		for name := range props {
			if !slices.Contains(names, name) {
				t.Errorf("%s: the schema's %s is not a field of %s", where, name, typ)
			}
		}
		slices.Sort(required)
		slices.Sort(wantRequired)
		if !slices.Equal(required, wantRequired) {
			t.Errorf("%s: schema requires %v, the struct (fields without omitempty) %v", where, required, wantRequired)
		}
	}
}
