package tui

import "sync"

// warmer runs one background job at a time. A job asked for while one runs replaces any other
// waiting and runs when the current one ends, so a burst of requests costs at most two runs.
type warmer struct {
	mu      sync.Mutex
	running bool
	next    func()
}

// run starts fn in the background, or queues it behind the job that is running.
func (w *warmer) run(fn func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running {
		w.next = fn
		return
	}
	w.running = true
	go func() {
		for fn != nil {
			fn()
			w.mu.Lock()
			fn, w.next = w.next, nil
			w.running = fn != nil
			w.mu.Unlock()
		}
	}()
}
