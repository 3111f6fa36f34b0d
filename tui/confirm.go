package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hew/gitops"
	"hew/tui/keymap"
)

// confirmPrompt is a yes-or-no question above the input, asked before something that is hard
// to take back.
type confirmPrompt struct {
	question string
	yes      func() tea.Cmd
	// details are lines shown above the question; no, when set, runs on any other key.
	details []string
	no      func() tea.Cmd
	// yesKey, when set, is the only answer yes (keymap.ConfirmKeys.Yes otherwise).
	yesKey *key.Binding
}

// yes is the binding that answers yes.
func (p *confirmPrompt) yesBinding() key.Binding {
	if p.yesKey != nil {
		return *p.yesKey
	}
	return keymap.ConfirmKeys.Yes
}

// confirm asks question; y or enter runs yes, any other key cancels.
func (m *Model) confirm(question string, yes func() tea.Cmd) tea.Cmd {
	m.asking = &confirmPrompt{question: question, yes: yes}
	m.tr.Bottom()
	return nil
}

// confirmFiles asks question below a headline and a list of files, one a line.
func (m *Model) confirmFiles(headline string, files []string, question string, yes func() tea.Cmd) tea.Cmd {
	details := []string{askStyle.Render(headline)}
	for _, f := range files {
		details = append(details, "  "+f)
	}
	m.asking = &confirmPrompt{details: details, question: question, yes: yes}
	m.tr.Bottom()
	return nil
}

func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.asking
	m.asking = nil
	if key.Matches(k, p.yesBinding()) {
		return p.yes()
	}
	if p.no != nil {
		return p.no()
	}
	m.info("Cancelled.")
	return nil
}

func (p *confirmPrompt) view(width int) []string {
	yes := p.yesBinding().Help()
	var lines []string
	for _, d := range p.details {
		lines = append(lines, wrapLines(d, width)...)
	}
	for _, q := range wrapLines(p.question, width) {
		lines = append(lines, askStyle.Render(q))
	}
	return append(lines, hintStyle.Render(ansi.Truncate(fmt.Sprintf("  %s: %s · any other key: no", yes.Key, yes.Desc), width, "…")))
}

// wrapLines wraps s to width at words (within a word where one is longer), so that a question
// is read whole, whatever the terminal's width.
func wrapLines(s string, width int) []string {
	return strings.Split(ansi.Wrap(s, max(width, 10), ""), "\n")
}

// rewindList is how many checkpoints /rewind lists.
const rewindList = 15

// checkpointsMsg is the list of checkpoints, for /rewind args.
type checkpointsMsg struct {
	args []string
	cps  []gitops.CheckpointInfo
	err  error
}

// rewindDoneMsg reports a rewind to checkpoint id.
type rewindDoneMsg struct {
	id  string
	err error
}

// cmdRewind lists the checkpoints (no argument) or restores one, by its number in the list or
// its id, after a confirmation.
func (m *Model) cmdRewind(args []string) tea.Cmd {
	eng := m.eng
	return m.startOp("listing the checkpoints…", func() tea.Msg {
		cps, err := eng.Checkpoints()
		return checkpointsMsg{args: args, cps: cps, err: err}
	})
}

func (msg checkpointsMsg) apply(m *Model) tea.Cmd {
	cps, args := msg.cps, msg.args
	if msg.err != nil {
		m.fail(msg.err, "")
		return nil
	}
	if len(cps) == 0 {
		m.info("No checkpoints yet: hew takes one before each turn and each accept.")
		return nil
	}
	if len(args) == 0 {
		var b strings.Builder
		b.WriteString("Checkpoints of the working tree, newest first (/rewind N restores one):\n")
		for i, c := range cps[:min(len(cps), rewindList)] {
			fmt.Fprintf(&b, "  %2d  %s  %s  %s\n", i+1, short(c.ID), c.Time.Local().Format("Jan 2 15:04:05"), clip(c.Label, 70))
		}
		if len(cps) > rewindList {
			fmt.Fprintf(&b, "  … %d older: hew undo --list shows them all; /rewind ID restores any\n", len(cps)-rewindList)
		}
		m.info(strings.TrimRight(b.String(), "\n"))
		return nil
	}
	if m.turnRunning() {
		return nil
	}
	cp, ok := pickCheckpoint(cps, args[0])
	if !ok {
		m.fail(fmt.Errorf("no checkpoint %q", args[0]), "/rewind lists them: give a number from the list or an id of 4 or more characters")
		return nil
	}
	q := fmt.Sprintf("Rewind the working tree to checkpoint %s (%s, %s)? Files are put back as they were and files made since are removed; the current state is checkpointed first.",
		short(cp.ID), clip(cp.Label, 50), cp.Time.Local().Format("15:04:05"))
	return m.confirm(q, func() tea.Cmd {
		eng, ctx := m.eng, m.ctx
		return m.startOp("rewinding the working tree…", func() tea.Msg {
			return rewindDoneMsg{id: cp.ID, err: eng.Rewind(ctx, cp.ID)}
		})
	})
}

func (msg rewindDoneMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail(msg.err, "")
		return nil
	}
	m.info(fmt.Sprintf("Rewound the working tree to checkpoint %s. /rewind 1 goes back to how it was just before.", short(msg.id)))
	return nil
}

// pickCheckpoint finds a checkpoint by its 1-based number in the list or an id prefix.
func pickCheckpoint(cps []gitops.CheckpointInfo, ref string) (gitops.CheckpointInfo, bool) {
	if n, err := strconv.Atoi(ref); err == nil && len(ref) < 4 {
		if n >= 1 && n <= len(cps) {
			return cps[n-1], true
		}
		return gitops.CheckpointInfo{}, false
	}
	var found []gitops.CheckpointInfo
	for _, c := range cps {
		if len(ref) >= 4 && strings.HasPrefix(c.ID, ref) {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		return gitops.CheckpointInfo{}, false
	}
	return found[0], true
}
