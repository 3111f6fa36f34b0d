package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/tui/changeset"
	"hew/tui/transcript"
)

// openReview shows the review view with the proposal as it is now. It opens on an empty
// proposal too while accepted changes wait to be committed, so that c commits them.
func (m *Model) openReview() tea.Cmd {
	if err := m.refreshReview(); err != nil {
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: err.Error()})
		return nil
	}
	if m.rv.Empty() && len(m.eng.Accepted()) == 0 {
		m.notice("the proposal is empty: nothing to review")
		return nil
	}
	m.view = viewReview
	return nil
}

// refreshReview reloads the proposal into the review view.
func (m *Model) refreshReview() error {
	files, err := m.eng.ReviewWith(m.reviews)
	if err != nil {
		return fmt.Errorf("load the proposal for review: %w", err)
	}
	m.rv.SetFiles(files)
	m.rv.SetAccepted(len(m.eng.Accepted()))
	return nil
}

// reviewKey carries out what a key in the review view asks.
func (m *Model) reviewKey(k tea.KeyPressMsg) tea.Cmd {
	req := m.rv.Key(k)
	switch req.Action {
	case changeset.Close:
		m.view = viewTranscript
	case changeset.AcceptHunk, changeset.RejectHunk, changeset.AcceptFile, changeset.RejectFile:
		return m.resolve(req)
	case changeset.Edit:
		return m.edit(req)
	case changeset.Commit:
		m.commit("")
	}
	return nil
}

// resolve accepts or rejects hunks as req says.
func (m *Model) resolve(req changeset.Request) tea.Cmd {
	hunks := []int{req.Hunk}
	if req.Action == changeset.AcceptFile || req.Action == changeset.RejectFile {
		hunks = nil
		for _, f := range m.rv.Files() {
			if f.Change.Path == req.Path {
				for i := range max(len(f.Hunks), 1) {
					hunks = append(hunks, i)
				}
			}
		}
	}
	var accept, reject []int
	if req.Action == changeset.AcceptHunk || req.Action == changeset.AcceptFile {
		accept = hunks
	} else {
		reject = hunks
	}
	res, err := m.eng.ResolveHunks(req.Path, accept, reject)
	if err != nil {
		m.rv.SetMessage("✗ " + err.Error())
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: err.Error(), Hint: "resolve the conflict in your editor, then review again"})
		m.refreshReview()
		return nil
	}
	if len(res.Accepted) > 0 {
		m.rv.SetMessage(fmt.Sprintf("✓ accepted %s into %s", plural(len(res.Accepted), "hunk"), req.Path))
	}
	if len(res.Rejected) > 0 {
		m.rejected = append(m.rejected, res)
		m.rv.SetMessage(fmt.Sprintf("✗ rejected %s of %s", plural(len(res.Rejected), "hunk"), req.Path))
	}
	if err := m.refreshReview(); err != nil {
		m.rv.SetMessage("✗ " + err.Error())
	}
	if req.Note != "" {
		return m.sendFeedback(req.Note)
	}
	return nil
}

// sendFeedback tells the model at once what was rejected and why, as its own message.
func (m *Model) sendFeedback(note string) tea.Cmd {
	text, err := engine.RejectionNote(m.rejected, note)
	if err != nil {
		return nil
	}
	if m.busy {
		m.notice("a turn is running: your note goes with your next message")
		m.pendingNote = note
		return nil
	}
	m.rejected = nil
	m.view = viewTranscript
	return m.send("(review) "+note, text)
}

// commit commits the files accepted since the last commit.
func (m *Model) commit(message string) {
	accepted := m.eng.Accepted()
	if len(accepted) == 0 {
		m.rv.SetMessage("nothing accepted to commit yet: y accepts a hunk")
		m.notice("nothing accepted to commit yet")
		return
	}
	if strings.TrimSpace(message) == "" {
		message = engine.CommitMessage(m.lastTask, m.lastFinal)
	}
	hash, err := m.eng.Commit(m.ctx, nil, message, "")
	if err != nil {
		m.rv.SetMessage("✗ commit failed: " + err.Error())
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: "commit failed: " + err.Error(), Hint: "fix the problem and commit again with c or /commit"})
		return
	}
	m.rv.SetAccepted(len(m.eng.Accepted()))
	m.rv.SetMessage(fmt.Sprintf("✓ committed %s (%s)", short(hash), plural(len(accepted), "file")))
}

// edit opens the proposed file in $EDITOR at the hunk; what is saved becomes the proposal.
func (m *Model) edit(req changeset.Request) tea.Cmd {
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		m.rv.SetMessage("set $EDITOR to edit hunks")
		return nil
	}
	data, err := m.eng.ProposedFile(req.Path)
	if err != nil {
		m.rv.SetMessage(fmt.Sprintf("✗ read the proposed %s: %v", req.Path, err))
		return nil
	}
	tmp, err := os.MkdirTemp("", "hew-edit-*")
	if err != nil {
		m.rv.SetMessage("✗ " + err.Error())
		return nil
	}
	file := filepath.Join(tmp, filepath.Base(req.Path))
	if err := os.WriteFile(file, data, 0o600); err != nil {
		os.RemoveAll(tmp)
		m.rv.SetMessage("✗ " + err.Error())
		return nil
	}
	args := append(strings.Fields(editor), fmt.Sprintf("+%d", max(req.Line, 1)), file)
	c := exec.Command(args[0], args[1:]...)
	return tea.ExecProcess(c, func(err error) tea.Msg { return editDoneMsg{path: req.Path, file: file, err: err} })
}

// editDone puts the edited file into the proposal.
func (m *Model) editDone(msg editDoneMsg) {
	defer os.RemoveAll(filepath.Dir(msg.file))
	if msg.err != nil {
		m.rv.SetMessage("✗ the editor failed: " + msg.err.Error())
		return
	}
	data, err := os.ReadFile(msg.file)
	if err == nil {
		err = m.eng.EditProposed(msg.path, data)
	}
	if err != nil {
		m.rv.SetMessage("✗ " + err.Error())
		return
	}
	m.rv.SetMessage("edited " + msg.path)
	if err := m.refreshReview(); err != nil {
		m.rv.SetMessage("✗ " + err.Error())
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
