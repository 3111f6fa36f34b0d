package tui

import (
	"sync"

	tea "charm.land/bubbletea/v2"
)

// queue carries messages from other goroutines (engine events, approval requests) to the
// program. push never blocks, as the event broker requires of its subscribers; wait delivers
// everything queued so far as one batch, so a burst of streamed text is one update and one frame.
type queue struct {
	mu     sync.Mutex
	items  []tea.Msg
	signal chan struct{}
}

func newQueue() *queue { return &queue{signal: make(chan struct{}, 1)} }

// push adds msg to the queue.
func (q *queue) push(msg tea.Msg) {
	q.mu.Lock()
	q.items = append(q.items, msg)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// wait returns a command that blocks until something is queued and returns all of it.
func (q *queue) wait() tea.Cmd {
	return func() tea.Msg {
		<-q.signal
		q.mu.Lock()
		items := q.items
		q.items = nil
		q.mu.Unlock()
		return batchMsg(items)
	}
}
