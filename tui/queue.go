package tui

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// queue carries messages from other goroutines (engine events, approval requests) to the
// program. push never blocks, as the event broker requires of its subscribers; wait delivers
// everything queued so far as one batch, so a burst of streamed text is one update and one frame.
//
// wait delivers at most once every frame: a model streaming an answer sends hundreds of
// pieces a second, and each delivery costs an update and a view (rendering the answer's open
// Markdown block) that the screen, drawn once a frame, would mostly never show. Holding the
// pieces back to one batch a frame spends that work once a frame, and leaves the program free
// for the keys in between.
type queue struct {
	mu     sync.Mutex
	items  []tea.Msg
	signal chan struct{}
	every  time.Duration // the least time between two deliveries
	last   time.Time     // when wait last delivered
}

func newQueue(every time.Duration) *queue {
	return &queue{signal: make(chan struct{}, 1), every: every}
}

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

// wait returns a command that blocks until something is queued and returns all of it, no
// sooner than q.every after the last delivery.
func (q *queue) wait() tea.Cmd {
	return func() tea.Msg {
		for {
			<-q.signal
			q.mu.Lock()
			early := q.every - time.Since(q.last)
			q.mu.Unlock()
			if early > 0 {
				time.Sleep(early) // what arrives meanwhile joins the batch
			}
			q.mu.Lock()
			items := q.items
			q.items = nil
			if len(items) > 0 {
				q.last = time.Now()
			}
			q.mu.Unlock()
			if len(items) > 0 {
				return batchMsg(items)
			}
			// The signal of a push that the last batch already took.
		}
	}
}
