package engine

import (
	"hew/agent/loop"
	"hew/agent/proposal"
	"hew/gitops"
)

// The parts, for the engine's own tests only: front ends use the verbs.

func (e *Engine) LayerForTest() *proposal.Layer { return e.layer }
func (e *Engine) AgentForTest() *loop.Agent     { return e.agent }
func (e *Engine) RepoForTest() *gitops.Repo     { return e.repo }

// WarmDoneForTest is closed once the copy made ahead of the first command is done; nil when
// none was started.
func (e *Engine) WarmDoneForTest() <-chan struct{} { return e.warmDone }
