package tui

import (
	"errors"
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

// reviewWhy is what a reviewMsg was read for.
type reviewWhy int

const (
	reviewOpen      reviewWhy = iota // ctrl+r or /review
	reviewAfterTurn                  // a turn ended
	reviewRefresh                    // the proposal changed while the review shows
)

// reviewMsg is the proposal read for the review.
type reviewMsg struct {
	reviewLoad
	why     reviewWhy
	turnErr error // the error the turn ended with, for reviewAfterTurn
}

// readReview reads the proposal in the background for why.
func (m *Model) readReview(why reviewWhy, turnErr error) tea.Cmd {
	load := m.loadReview()
	return func() tea.Msg { return reviewMsg{reviewLoad: load(), why: why, turnErr: turnErr} }
}

// openReview shows the review view with the proposal as it is now. It opens on an empty
// proposal too while accepted changes wait to be committed, so that c commits them.
func (m *Model) openReview() tea.Cmd { return m.readReview(reviewOpen, nil) }

// showReview puts a proposal read in the background into the review view, unless one read
// after it is showing already.
func (m *Model) showReview(l reviewLoad) error {
	if l.err != nil {
		return fmt.Errorf("load the proposal for review: %w", l.err)
	}
	if l.seq < m.reviewShown {
		return nil
	}
	m.reviewShown = l.seq
	m.rv.SetFiles(l.files)
	m.rv.SetAccepted(len(m.eng.Accepted()))
	m.rv.SetTests(m.eng.TestStatus())
	m.pending = len(l.files)
	return nil
}

// apply shows the proposal read for msg.why, unless a later read is showing already.
func (msg reviewMsg) apply(m *Model) tea.Cmd {
	if msg.seq < m.reviewShown {
		return nil
	}
	err := m.showReview(msg.reviewLoad)
	switch msg.why {
	case reviewOpen:
		if err != nil {
			m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: err.Error()})
			return nil
		}
		if m.rv.Empty() && len(m.eng.Accepted()) == 0 {
			m.notice("the proposal is empty: nothing to review")
			return nil
		}
		m.view = viewReview
	case reviewAfterTurn:
		if err != nil {
			m.fail(err, "ctrl+r tries again")
			return nil
		}
		if m.quitting || m.rv.Empty() {
			return nil
		}
		m.view = viewReview
		var cmds []tea.Cmd
		if m.eng.Defaults().TestCmd != "" && msg.turnErr == nil {
			cmds = append(cmds, m.runTests())
		}
		if m.eng.Defaults().SecondOpinion && msg.turnErr == nil {
			cmds = append(cmds, m.askSecondOpinion())
		}
		return tea.Batch(cmds...)
	}
	return nil
}

// reviewKey carries out what a key in the review view asks.
func (m *Model) reviewKey(k tea.KeyPressMsg) tea.Cmd {
	m.rv.SetNote(m.pendingNote) // f edits the batch's one note
	req := m.rv.Key(k)
	switch req.Action {
	case changeset.Close:
		m.view = viewTranscript
	case changeset.AcceptHunk, changeset.RejectHunk, changeset.AcceptFile, changeset.RejectFile:
		return m.resolve(req)
	case changeset.Edit:
		return m.edit(req)
	case changeset.Commit:
		return m.commit("")
	case changeset.SendNote:
		if len(m.rejected) == 0 && m.pendingNote == "" {
			m.rv.SetMessage("nothing to send: n or f rejects a hunk, and f adds a note for the model")
			return nil
		}
		return m.sendFeedback()
	}
	return nil
}

// resolveDoneMsg reports the hunks accepted or rejected for req, and the proposal after.
type resolveDoneMsg struct {
	req    changeset.Request
	res    engine.Resolution
	err    error
	review reviewLoad
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
	what := "accepting…"
	if req.Action == changeset.AcceptHunk || req.Action == changeset.AcceptFile {
		accept = hunks
	} else {
		reject, what = hunks, "rejecting…"
	}
	if m.opRunning() {
		return nil
	}
	eng, load := m.eng, m.loadReview()
	return m.startOp(what, func() tea.Msg {
		res, err := eng.ResolveHunks(req.Path, accept, reject)
		return resolveDoneMsg{req: req, res: res, err: err, review: load()}
	})
}

func (msg resolveDoneMsg) apply(m *Model) tea.Cmd {
	req, res := msg.req, msg.res
	m.rv.SetMessage("")
	if msg.err != nil {
		m.rv.SetMessage("✗ " + msg.err.Error())
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: msg.err.Error(), Hint: "resolve the conflict in your editor, then review again"})
		m.showReview(msg.review)
		return nil
	}
	if len(res.Accepted) > 0 {
		m.rv.SetMessage(fmt.Sprintf("✓ accepted %s into %s", plural(len(res.Accepted), "hunk"), req.Path))
	}
	if len(res.Rejected) > 0 {
		m.rejected = append(m.rejected, res)
		m.rv.SetMessage(fmt.Sprintf("✗ rejected %s of %s", plural(len(res.Rejected), "hunk"), req.Path))
	}
	if req.Noted {
		m.pendingNote = req.Note
	}
	if len(res.Rejected) > 0 {
		with := ""
		if req.Noted && req.Note != "" {
			with = " (note kept)"
		}
		m.rv.SetMessage(m.rv.Message() + with + " · F tells the model now, or your next message will")
	}
	if err := m.showReview(msg.review); err != nil {
		m.rv.SetMessage("✗ " + err.Error())
	}
	return nil
}

// sendFeedback tells the model now, as its own message, which hunks were rejected since it was
// last told and the batch's note: one message for the batch.
func (m *Model) sendFeedback() tea.Cmd {
	if _, err := engine.RejectionNote(m.rejected, m.pendingNote); err != nil {
		return nil
	}
	if m.busy {
		m.rv.SetMessage("a turn is running: the rejections and your note go with your next message")
		return nil
	}
	m.view = viewTranscript
	return m.sendFeedbackWith("")
}

// The steps of a commit, which hold the operation slot.
type (
	// commitReadyMsg names the git hooks the commit of files accepted files will wait for.
	commitReadyMsg struct {
		message string
		files   int
		hooks   []string
		opts    []engine.CommitOption
	}
	// commitDoneMsg reports the commit.
	commitDoneMsg struct {
		hash    string
		files   int
		err     error
		message string
		opts    []engine.CommitOption
	}
)

// apply commits, saying which hooks the commit waits for.
func (msg commitReadyMsg) apply(m *Model) tea.Cmd {
	what := "committing…"
	switch len(msg.hooks) {
	case 0:
	case 1:
		what = "committing… (" + msg.hooks[0] + " hook)"
	default:
		what = "committing… (" + strings.Join(msg.hooks, " and ") + " hooks)"
	}
	eng, ctx := m.eng, m.ctx
	return m.startOp(what, func() tea.Msg {
		hash, err := eng.Commit(ctx, nil, msg.message, "", msg.opts...)
		return commitDoneMsg{hash: hash, files: msg.files, err: err, message: msg.message, opts: msg.opts}
	})
}

func (msg commitDoneMsg) apply(m *Model) tea.Cmd {
	var hooks *engine.HookChangesError
	if errors.As(msg.err, &hooks) && len(msg.opts) == 0 {
		// Hooks the model wrote run only when the user says so, here and now.
		m.view = viewTranscript
		var files []string
		for _, f := range hooks.Files {
			files = append(files, f.String())
		}
		return m.confirmFiles("The accepted changes create or change what the commit's hooks run:", files, "Commit, running them?", func() tea.Cmd {
			eng := m.eng
			ready := commitReadyMsg{message: msg.message, files: msg.files, opts: []engine.CommitOption{engine.RunChangedHooks}}
			return m.startOp("committing…", func() tea.Msg {
				ready.hooks = eng.CommitHooks()
				return ready
			})
		})
	}
	if msg.err != nil {
		m.rv.SetMessage("✗ commit failed: " + msg.err.Error())
		m.tr.Add(&transcript.Entry{Kind: transcript.Error, Text: "commit failed: " + msg.err.Error(), Hint: "fix the problem and commit again with c or /commit"})
		return nil
	}
	m.rv.SetAccepted(len(m.eng.Accepted()))
	m.rv.SetTests(m.eng.TestStatus())
	m.rv.SetMessage(fmt.Sprintf("✓ committed %s (%s)", short(msg.hash), plural(msg.files, "file")))
	return nil
}

// The steps of an edit in $EDITOR, which holds the operation slot from the key to the save.
type (
	// editReadyMsg reports the proposed file copied to file for the editor.
	editReadyMsg struct {
		req          changeset.Request
		editor, file string
		err          error
	}
	// editDoneMsg reports the end of the editor.
	editDoneMsg struct {
		path string
		file string // the temporary file edited
		err  error
	}
	// editSavedMsg reports the edited file put into the proposal, and the proposal after.
	editSavedMsg struct {
		path   string
		err    error
		review reviewLoad
	}
)

// edit opens the proposed file in $EDITOR at the hunk; what is saved becomes the proposal.
func (m *Model) edit(req changeset.Request) tea.Cmd {
	getenv := m.opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	editor := getenv("VISUAL")
	if editor == "" {
		editor = getenv("EDITOR")
	}
	if editor == "" {
		m.rv.SetMessage("set $EDITOR to edit hunks")
		return nil
	}
	eng := m.eng
	return m.startOp("opening "+req.Path+" in the editor…", func() tea.Msg {
		file, err := editCopy(eng, req.Path)
		return editReadyMsg{req: req, editor: editor, file: file, err: err}
	})
}

// editCopy writes the proposed path to a temporary file to edit.
func editCopy(eng *engine.Engine, path string) (string, error) {
	data, err := eng.ProposedFile(path)
	if err != nil {
		return "", fmt.Errorf("read the proposed %s: %w", path, err)
	}
	tmp, err := os.MkdirTemp("", "hew-edit-*")
	if err != nil {
		return "", err
	}
	file := filepath.Join(tmp, filepath.Base(path))
	if err := os.WriteFile(file, data, 0o600); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return file, nil
}

// apply runs the editor, keeping the slot until the edit is saved.
func (msg editReadyMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.rv.SetMessage("✗ " + msg.err.Error())
		return nil
	}
	m.op = "editing " + msg.req.Path
	args := append(strings.Fields(msg.editor), fmt.Sprintf("+%d", max(msg.req.Line, 1)), msg.file)
	c := exec.Command(args[0], args[1:]...)
	path, file := msg.req.Path, msg.file
	return m.execProcess(c, func(err error) tea.Msg { return opDoneMsg{msg: editDoneMsg{path: path, file: file, err: err}} })
}

// apply puts the edited file into the proposal.
func (msg editDoneMsg) apply(m *Model) tea.Cmd {
	eng, load := m.eng, m.loadReview()
	return m.startOp("saving the edit of "+msg.path+"…", func() tea.Msg {
		defer os.RemoveAll(filepath.Dir(msg.file))
		if msg.err != nil {
			return editSavedMsg{path: msg.path, err: fmt.Errorf("the editor failed: %w", msg.err)}
		}
		data, err := os.ReadFile(msg.file)
		if err == nil {
			err = eng.EditProposed(msg.path, data)
		}
		if err != nil {
			return editSavedMsg{path: msg.path, err: err}
		}
		return editSavedMsg{path: msg.path, review: load()}
	})
}

func (msg editSavedMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.rv.SetMessage("✗ " + msg.err.Error())
		return nil
	}
	m.rv.SetMessage("edited " + msg.path)
	if err := m.showReview(msg.review); err != nil {
		m.rv.SetMessage("✗ " + err.Error())
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
