package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestQueueDeliversAtMostOnceAFrame: what is pushed while a frame is not over arrives as one
// batch, in order, once the frame is over; the first push after a quiet spell arrives at once;
// a wake-up with nothing left to deliver delivers nothing.
func TestQueueDeliversAtMostOnceAFrame(t *testing.T) {
	const every = 150 * time.Millisecond // long enough that a loaded machine tells "at once" from "a frame later"
	q := newQueue(every)
	next := func() (batchMsg, time.Time) {
		got := make(chan tea.Msg, 1)
		go func() { got <- q.wait()() }()
		select {
		case msg := <-got:
			return msg.(batchMsg), time.Now()
		case <-time.After(5 * time.Second):
			t.Fatal("wait never returned")
			return nil, time.Time{}
		}
	}

	start := time.Now()
	q.push(1)
	first, at := next()
	if len(first) != 1 || at.Sub(start) > every*2/3 {
		t.Fatalf("first push: %v after %v, want it at once", first, at.Sub(start))
	}
	q.mu.Lock()
	delivered := q.last
	q.mu.Unlock()
	for i := 2; i <= 5; i++ {
		q.push(i)
	}
	second, at2 := next()
	if len(second) != 4 || second[0] != 2 || second[3] != 5 {
		t.Errorf("the burst arrived as %v, want [2 3 4 5] in one batch", second)
	}
	if gap := at2.Sub(delivered); gap < every {
		t.Errorf("the second batch came %v after the first, want at least %v", gap, every)
	}

	// The signal of the pushes above is spent; a stale one must not deliver an empty batch.
	q.signal <- struct{}{}
	time.AfterFunc(every, func() { q.push(6) })
	third, _ := next()
	if len(third) != 1 || third[0] != 6 {
		t.Errorf("after a stale wake-up: %v, want [6]", third)
	}
}
