package tui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"hew/agent/engine"
	"hew/tui/keymap"
)

// UntrustedConfig is the repository's .hew/config.toml when the user has not trusted it and it
// sets something that applies only from a trusted file.
type UntrustedConfig struct {
	Path string
	// Settings are the ignored settings as "key = value", in file order.
	Settings []string
	// Trust records that the user trusts the file as it was read, and starts the session again
	// with every setting applied; current is closed first. It returns the engine to use from
	// now on (current itself when it failed before closing it; nil when no engine is left)
	// and the approval mode the file sets. It runs off Update.
	Trust func(ctx context.Context, current *engine.Engine) (eng *engine.Engine, approval string, err error)
}

// maxTrustLines caps the settings the trust question lists.
const maxTrustLines = 8

// askTrust asks at start whether to trust the repository's config file, when it has settings
// that were ignored.
func (m *Model) askTrust() {
	u := m.opts.Untrusted
	if u == nil || len(u.Settings) == 0 || u.Trust == nil {
		return
	}
	details := []string{askStyle.Render(fmt.Sprintf("%s is not trusted, so hew ignored these settings in it:", u.Path))}
	for i, s := range u.Settings {
		if i == maxTrustLines {
			details = append(details, hintStyle.Render(fmt.Sprintf("  … and %d more ('hew trust' shows them all)", len(u.Settings)-i)))
			break
		}
		details = append(details, "  "+s)
	}
	details = append(details, hintStyle.Render("They can send your credentials to another server or weaken the sandbox. A change to the file makes it untrusted again."))
	m.asking = &confirmPrompt{
		details:  details,
		question: "Trust this file as it is now, and apply them?",
		yes:      m.trustProject,
		yesKey:   &keymap.TrustKey,
		no: func() tea.Cmd {
			m.info(fmt.Sprintf("Kept ignoring %s of %s; 'hew trust' trusts it later.", plural(len(u.Settings), "setting"), u.Path))
			return m.sendDeferred()
		},
	}
}

// sendDeferred sends the first prompt held while a question was asked.
func (m *Model) sendDeferred() tea.Cmd {
	p := m.deferred
	m.deferred = ""
	if p == "" {
		return nil
	}
	return m.submit(p)
}

// trustedMsg reports the session started again with the trusted configuration.
type trustedMsg struct {
	eng      *engine.Engine
	approval string
	about    sessionAbout
	err      error
}

// trustProject records trust and starts the session again with the whole file applied.
func (m *Model) trustProject() tea.Cmd {
	trust, ctx, old := m.opts.Untrusted.Trust, m.ctx, m.eng
	return m.startOp("trusting "+m.opts.Untrusted.Path+"…", func() tea.Msg {
		eng, approval, err := trust(ctx, old)
		if err != nil || eng == nil {
			return trustedMsg{eng: eng, err: err}
		}
		return trustedMsg{eng: eng, approval: approval, about: describe(eng)}
	})
}

func (msg trustedMsg) apply(m *Model) tea.Cmd {
	if msg.eng == nil {
		m.fail(msg.err, "the session could not be started again: quit, and start hew again")
		return nil
	}
	if msg.eng != m.eng {
		if err := m.attach(msg.eng, msg.approval, msg.about); err != nil {
			m.fail(err, "")
		}
	}
	if msg.err != nil {
		m.fail(msg.err, "run 'hew trust' to see the file and trust it")
	} else {
		m.info(fmt.Sprintf("Trusted %s: every setting in it applies (sandbox: %s).", m.opts.Untrusted.Path, m.sandbox))
	}
	return m.sendDeferred()
}
