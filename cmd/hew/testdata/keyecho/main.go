// Command keyecho is the smallest Bubble Tea program that echoes keys, in the alternate screen
// like hew: the floor under hew's key-to-screen latency (see TestTUIStreamingCost). -fps sets
// its frame rate, as tea.WithFPS.
package main

import (
	"flag"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
)

type model struct{ typed string }

func (m model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if k.String() == "ctrl+c" {
			return m, tea.Quit
		}
		m.typed += k.Text
	}
	return m, nil
}

func (m model) View() tea.View {
	v := tea.NewView("keyecho ready\n> " + m.typed)
	v.AltScreen = true
	return v
}

func main() {
	fps := flag.Int("fps", 60, "frames a second")
	flag.Parse()
	if _, err := tea.NewProgram(model{}, tea.WithFPS(*fps)).Run(); err != nil {
		fmt.Fprintln(os.Stderr, "keyecho:", err)
		os.Exit(1)
	}
}
