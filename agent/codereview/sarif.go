package codereview

import (
	"fmt"
	"net/url"
	"strings"
)

// SARIFVersion is the version of the Static Analysis Results Interchange Format written by
// --format sarif, the one GitHub code scanning reads.
const SARIFVersion = "2.1.0"

// sarifSchema is the schema URI a SARIF 2.1.0 log names.
const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// SARIFLog is a SARIF 2.1.0 log: the subset of the format a review fills in.
type SARIFLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []SARIFRun `json:"runs"`
}

// SARIFRun is one run of one tool.
type SARIFRun struct {
	Tool        SARIFTool         `json:"tool"`
	Invocations []SARIFInvocation `json:"invocations"`
	Results     []SARIFResult     `json:"results"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

// SARIFTool describes hew and its rules: one per severity.
type SARIFTool struct {
	Driver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []SARIFRule `json:"rules"`
	} `json:"driver"`
}

// SARIFRule is a kind of result.
type SARIFRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     SARIFMessage `json:"shortDescription"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

// SARIFMessage is text for people.
type SARIFMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// SARIFResult is one finding.
type SARIFResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    SARIFMessage    `json:"message"`
	Locations  []SARIFLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

// SARIFLocation is a place in a file; Region is absent for a finding about a whole file.
type SARIFLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId,omitempty"`
		} `json:"artifactLocation"`
		Region *SARIFRegion `json:"region,omitempty"`
	} `json:"physicalLocation"`
}

// SARIFRegion is a range of lines, 1-based and inclusive.
type SARIFRegion struct {
	StartLine int `json:"startLine"`
	EndLine   int `json:"endLine,omitempty"`
}

// SARIFInvocation says how the run went; its notifications name the files not reviewed.
type SARIFInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []SARIFNotification `json:"toolExecutionNotifications,omitempty"`
}

// SARIFNotification is a message about the run rather than the code.
type SARIFNotification struct {
	Level      string          `json:"level"`
	Message    SARIFMessage    `json:"message"`
	Locations  []SARIFLocation `json:"locations,omitempty"`
	Descriptor *struct {
		ID string `json:"id"`
	} `json:"descriptor,omitempty"`
}

// sarifLevel maps a severity to its rule: high, medium and low are rules 0, 1 and 2, at levels
// error, warning and note.
type sarifLevel struct{ severity, level, name string }

func sarifLevels() [3]sarifLevel {
	return [3]sarifLevel{
		{High, "error", "HighSeverityFinding"},
		{Medium, "warning", "MediumSeverityFinding"},
		{Low, "note", "LowSeverityFinding"},
	}
}

// SARIF returns the report as a SARIF 2.1.0 log for GitHub code scanning: one result per
// finding (rule hew/high, hew/medium or hew/low; level error, warning or note), with a region
// only when the finding has lines, and one notification per file not reviewed.
func (r Report) SARIF() SARIFLog {
	run := SARIFRun{Results: []SARIFResult{}, Properties: map[string]any{"target": r.Target, "model": r.Model}}
	run.Tool.Driver.Name = "hew"
	levels := sarifLevels()
	for _, l := range levels {
		rule := SARIFRule{ID: "hew/" + l.severity, Name: l.name,
			ShortDescription: SARIFMessage{Text: fmt.Sprintf("A %s-severity problem found by hew review", l.severity)}}
		rule.DefaultConfiguration.Level = l.level
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
	}
	for _, f := range r.Findings {
		idx := max(Rank(f.Severity), 1)
		idx = 3 - idx // high 0, medium 1, low 2
		text := f.Title
		if f.Explanation != "" {
			text += "\n\n" + f.Explanation
		}
		res := SARIFResult{RuleID: run.Tool.Driver.Rules[idx].ID, RuleIndex: idx, Level: levels[idx].level,
			Message:    SARIFMessage{Text: text},
			Locations:  []SARIFLocation{sarifLocation(f.File, f.StartLine, f.EndLine)},
			Properties: map[string]any{"severity": f.Severity, "confidence": f.Confidence}}
		if f.SuggestedFix != "" {
			res.Properties["suggested_fix"] = f.SuggestedFix
		}
		run.Results = append(run.Results, res)
	}
	inv := SARIFInvocation{ExecutionSuccessful: r.Error == ""}
	for _, s := range r.Skipped {
		level := "note"
		if s.Reason == SkipFailed || s.Reason == SkipTooLarge {
			level = "warning"
		}
		n := SARIFNotification{Level: level, Message: SARIFMessage{Text: "not reviewed: " + s.Detail},
			Locations: []SARIFLocation{sarifLocation(s.Path, 0, 0)}, Descriptor: &struct {
				ID string `json:"id"`
			}{ID: "hew/skipped/" + s.Reason}}
		inv.Notifications = append(inv.Notifications, n)
	}
	run.Invocations = []SARIFInvocation{inv}
	return SARIFLog{Schema: sarifSchema, Version: SARIFVersion, Runs: []SARIFRun{run}}
}

// sarifLocation places a result in file p relative to the repository root, at lines start to
// end when start is positive.
func sarifLocation(p string, start, end int) SARIFLocation {
	var l SARIFLocation
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	l.PhysicalLocation.ArtifactLocation.URI = strings.Join(segs, "/")
	l.PhysicalLocation.ArtifactLocation.URIBaseID = "%SRCROOT%"
	if start > 0 {
		l.PhysicalLocation.Region = &SARIFRegion{StartLine: start, EndLine: max(end, start)}
	}
	return l
}
