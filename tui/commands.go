package tui

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/gitops"
	"hew/gitops/diff"
	"hew/tui/transcript"
)

// slashCommand is one / command of the input.
type slashCommand struct {
	name, args, help string
	run              func(m *Model, args []string) tea.Cmd
}

// commands lists the / commands in the order /help shows them.
func commands() []slashCommand {
	return []slashCommand{
		{"/help", "", "list the commands and keys", (*Model).cmdHelp},
		{"/review", "", "review the proposal hunk by hunk (also ctrl+r)", func(m *Model, _ []string) tea.Cmd { return m.openReview() }},
		{"/diff", "", "show the whole proposal as a unified diff", (*Model).cmdDiff},
		{"/accept", "[path...]", "accept the proposal (or the named files) into the working tree", (*Model).cmdAccept},
		{"/reject", "[path...]", "drop the proposal (or the named files); the model is told", (*Model).cmdReject},
		{"/commit", "[message]", "commit the accepted files: tests run on exactly what will be committed, then you edit the message", func(m *Model, args []string) tea.Cmd { return m.commit(strings.Join(args, " ")) }},
		{"/undo", "", "revert the last commit hew made, if it is safe; its change returns to the review as a proposal", (*Model).cmdUndo},
		{"/rewind", "[N|ID]", "list checkpoints of the working tree, or restore one (asks first)", (*Model).cmdRewind},
		{"/model", "[NAME]", "pick a model from those your credentials can use now, or switch to NAME, for the next turn", (*Model).cmdModel},
		{"/models", "", "the model picker, as /model", func(m *Model, _ []string) tea.Cmd { return m.openPicker() }},
		{"/try", "MODELS PROMPT", "run PROMPT once per model (openai:ID,bedrock:ID,…) side by side, each in its own session, and compare", (*Model).cmdTry},
		{"/second-opinion", "[MODEL]", "have review_model (or MODEL, such as openai:gpt-5.5) review the proposal before you accept it", (*Model).cmdSecondOpinion},
		{"/cost", "", "show tokens and cost per turn and for the session", (*Model).cmdCost},
		{"/compact", "", "summarise the conversation to free context", (*Model).cmdCompact},
		{"/sandbox", "", "show how commands are contained", (*Model).cmdSandbox},
		{"/mcp", "", "list the MCP servers, their state and their tools", (*Model).cmdMCP},
		{"/approvals", "[untrusted|on-request|never]", "show or set when commands need approval", (*Model).cmdApprovals},
		{"/new", "", "start a new session (this one stays saved with its proposal)", (*Model).cmdNew},
		{"/sessions", "", "list the saved sessions of this repository", (*Model).cmdSessions},
		{"/resume", "ID", "switch to a saved session", (*Model).cmdResume},
		{"/quit", "", "leave hew (the session is saved)", func(m *Model, _ []string) tea.Cmd { return m.quit() }},
	}
}

// matching returns the commands whose names start with prefix.
func matching(prefix string) []slashCommand {
	var out []slashCommand
	for _, c := range commands() {
		if strings.HasPrefix(c.name, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// complete extends a / command in the input to the longest prefix the matches share.
func (m *Model) complete() {
	v := m.input.Value()
	if !strings.HasPrefix(v, "/") || strings.ContainsAny(v, " \n") {
		return
	}
	ms := matching(v)
	if len(ms) == 0 {
		return
	}
	common := ms[0].name
	for _, c := range ms[1:] {
		for !strings.HasPrefix(c.name, common) {
			common = common[:len(common)-1]
		}
	}
	if len(ms) == 1 {
		common += " "
	}
	m.input.SetValue(common)
}

// command runs a / command line.
func (m *Model) command(line string) tea.Cmd {
	fields := strings.Fields(line)
	for _, c := range commands() {
		if c.name != fields[0] {
			continue
		}
		return c.run(m, fields[1:])
	}
	m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: "unknown command " + fields[0], Hint: "/help lists the commands"})
	return nil
}

// info shows the output of a / command and scrolls to it.
func (m *Model) info(text string) {
	m.tr.Add(&transcript.Entry{Kind: transcript.Info, Text: text})
	m.tr.Bottom()
}

// turnRunning reports whether a turn is running, telling the user to stop it first if so.
func (m *Model) turnRunning() bool {
	if m.busy {
		m.info("A turn is running: wait for it, or press esc to stop it first.")
	}
	return m.busy
}

// notice adds a status line from hew to the transcript.
func (m *Model) notice(text string) {
	m.tr.Add(&transcript.Entry{Kind: transcript.Notice, Text: text})
}

// fail shows err with hint, what to do about it, and scrolls to it.
func (m *Model) fail(err error, hint string) {
	m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: err.Error(), Hint: hint})
	m.tr.Bottom()
}

func (m *Model) cmdHelp([]string) tea.Cmd {
	m.info(keysAndCommands())
	return nil
}

// diffMsg is the proposal as a unified diff, for /diff.
type diffMsg struct {
	patch string
	err   error
}

func (m *Model) cmdDiff([]string) tea.Cmd {
	eng := m.eng
	return func() tea.Msg {
		p, err := eng.Patch()
		return diffMsg{patch: p, err: err}
	}
}

func (msg diffMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail(msg.err, "")
		return nil
	}
	if msg.patch == "" {
		m.info("The proposal is empty.")
		return nil
	}
	m.tr.Add(&transcript.Entry{Kind: transcript.Diff, Text: strings.TrimRight(msg.patch, "\n")})
	m.tr.Bottom()
	return nil
}

// acceptDoneMsg and rejectDoneMsg report /accept and /reject of the paths args (all: none).
type (
	acceptDoneMsg struct {
		args, done []string
		err        error
	}
	rejectDoneMsg struct {
		args, done []string
		err        error
	}
)

// acceptControlMsg stops /accept to ask about the control files it would write.
type acceptControlMsg struct {
	args    []string
	control []engine.ControlFile
}

func (m *Model) cmdAccept(args []string) tea.Cmd {
	eng := m.eng
	return m.startOp("accepting…", func() tea.Msg {
		if cf, err := eng.ProposedControlFiles(args); err == nil && len(cf) > 0 {
			return acceptControlMsg{args: args, control: cf}
		}
		done, err := eng.Accept(args)
		return acceptDoneMsg{args: args, done: done, err: err}
	})
}

// apply asks before /accept writes files that steer hew, git, hooks or CI.
func (msg acceptControlMsg) apply(m *Model) tea.Cmd {
	files := make([]string, len(msg.control))
	for i, c := range msg.control {
		files[i] = c.String()
	}
	return m.confirmFiles("The proposal changes files that steer hew, git, hooks or CI:", files, "Accept them too?", func() tea.Cmd {
		eng, args := m.eng, msg.args
		return m.startOp("accepting…", func() tea.Msg {
			done, err := eng.Accept(args)
			return acceptDoneMsg{args: args, done: done, err: err}
		})
	})
}

func (msg acceptDoneMsg) apply(m *Model) tea.Cmd {
	var ce *gitops.ConflictError
	switch {
	case errors.As(msg.err, &ce):
		m.fail(msg.err, "accept the other files, or resolve by hand and /reject this one")
	case msg.err != nil:
		m.fail(msg.err, "")
	case len(msg.done) == 0:
		m.info("Nothing to accept: the proposal is empty" + forPaths(msg.args) + ".")
	default:
		m.info(fmt.Sprintf("Accepted %s into the working tree: %s. /commit commits them.", plural(len(msg.done), "file"), strings.Join(msg.done, ", ")))
	}
	return nil
}

func (m *Model) cmdReject(args []string) tea.Cmd {
	eng := m.eng
	return m.startOp("rejecting…", func() tea.Msg {
		done, err := eng.Reject(args)
		return rejectDoneMsg{args: args, done: done, err: err}
	})
}

func (msg rejectDoneMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail(msg.err, "")
		return nil
	}
	if len(msg.done) == 0 {
		m.info("Nothing to reject: the proposal is empty" + forPaths(msg.args) + ".")
		return nil
	}
	for _, p := range msg.done {
		m.rejected = append(m.rejected, engine.Resolution{Path: p, Rejected: []diff.Hunk{{}}})
	}
	m.info(fmt.Sprintf("Rejected %s: %s. The model is told with your next message.", plural(len(msg.done), "file"), strings.Join(msg.done, ", ")))
	return nil
}

func forPaths(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return " for " + strings.Join(args, ", ")
}

// undoDoneMsg reports /undo.
type undoDoneMsg struct{ err error }

func (m *Model) cmdUndo([]string) tea.Cmd {
	if m.turnRunning() {
		return nil
	}
	eng, ctx := m.eng, m.ctx
	return m.startOp("undoing the last commit…", func() tea.Msg {
		_, err := eng.Undo(ctx)
		return undoDoneMsg{err: err}
	})
}

func (msg undoDoneMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail(msg.err, "/rewind restores the working tree from a checkpoint instead")
		return nil
	}
	// The engine reports the undo as a notice and proposes the undone change again: the
	// review shows it, to accept again (perhaps in part) or reject.
	m.rv.SetMessage("↩ undid the commit: its change is proposed again")
	return m.openReview()
}

func (m *Model) cmdSandbox([]string) tea.Cmd {
	m.info("Sandbox: " + m.sandbox + ". Approval mode: " + m.eng.ApprovalMode() + ".")
	return nil
}

func (m *Model) cmdMCP([]string) tea.Cmd {
	servers := m.eng.MCPServers()
	if len(servers) == 0 {
		m.info("No MCP servers are configured: add [mcp_servers.NAME] to your config, or run 'hew mcp add'.")
		return nil
	}
	var b strings.Builder
	b.WriteString("MCP servers:")
	for _, s := range servers {
		fmt.Fprintf(&b, "\n%s — %s (%s: %s)", s.Name, s.State, s.Transport, s.Target)
		if s.Detail != "" {
			fmt.Fprintf(&b, "\n  %s", s.Detail)
		}
		for _, t := range s.Tools {
			mark := "asks"
			if t.Allowed {
				mark = "allowed"
			}
			fmt.Fprintf(&b, "\n  %s (%s) %s", t.Offered, mark, t.Description)
		}
	}
	m.info(b.String())
	return nil
}

func (m *Model) cmdApprovals(args []string) tea.Cmd {
	if len(args) == 0 {
		m.info("Approval mode: " + m.eng.ApprovalMode() + " (untrusted asks before commands that may change something; on-request asks for commands that need the network; never does not ask).")
		return nil
	}
	if err := m.eng.SetApprovalMode(args[0]); err != nil {
		m.fail(err, "")
		return nil
	}
	m.info("Approval mode: " + args[0] + ".")
	return nil
}
