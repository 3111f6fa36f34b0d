package tools

import "hew/agent/llm"

// all is every tool, in the order they are offered to a model.
var all = []*Tool{listFiles, readFile, search, applyPatch, editFile, run, updatePlan}

// Names of the edit tools; a model gets one of them, per the model catalogue.
const (
	EditApplyPatch = "apply_patch"
	EditEditFile   = "edit_file"
)

// Set is the tools offered to a model, by name.
type Set struct {
	list   []*Tool
	byName map[string]*Tool
}

// NewSet returns the standard tools. edit chooses the edit tools offered: "apply_patch",
// "edit_file", or "" for both.
func NewSet(edit string) *Set {
	s := &Set{byName: map[string]*Tool{}}
	for _, t := range all {
		if (edit == EditApplyPatch && t.Name == EditEditFile) || (edit == EditEditFile && t.Name == EditApplyPatch) {
			continue
		}
		s.list = append(s.list, t)
		s.byName[t.Name] = t
	}
	return s
}

// Specs describes every tool of the set to a model.
func (s *Set) Specs() []llm.Tool {
	out := make([]llm.Tool, len(s.list))
	for i, t := range s.list {
		out[i] = t.Spec()
	}
	return out
}

// Get returns the tool called name.
func (s *Set) Get(name string) (*Tool, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// Names lists the tools of the set.
func (s *Set) Names() []string {
	out := make([]string, len(s.list))
	for i, t := range s.list {
		out[i] = t.Name
	}
	return out
}
