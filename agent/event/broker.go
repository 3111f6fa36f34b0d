package event

import "sync"

// Sink receives events.
type Sink interface {
	Emit(Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(Event)

// Emit calls f(e).
func (f SinkFunc) Emit(e Event) { f(e) }

// Broker fans events out to subscribers.
//
// Delivery rules: Emit hands the event to every subscriber, in subscription order, before it
// returns, on the emitting goroutine; each subscriber therefore sees every event exactly once and
// in emission order. A slow subscriber slows the emitter: subscribers that must not (a UI) should
// copy the event onto their own queue and return. Subscribing or unsubscribing from inside Emit
// takes effect from the next event. Broker is safe for concurrent use; concurrent Emit calls are
// serialised, so order is total.
type Broker struct {
	mu   sync.Mutex
	emit sync.Mutex
	subs []*sub
}

type sub struct{ s Sink }

// Subscribe adds s and returns a function that removes it.
func (b *Broker) Subscribe(s Sink) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	x := &sub{s}
	b.subs = append(b.subs[:len(b.subs):len(b.subs)], x)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for i, y := range b.subs {
			if y == x {
				b.subs = append(b.subs[:i:i], b.subs[i+1:]...)
				return
			}
		}
	}
}

// Emit delivers e to every subscriber.
func (b *Broker) Emit(e Event) {
	b.emit.Lock()
	defer b.emit.Unlock()
	b.mu.Lock()
	subs := b.subs
	b.mu.Unlock()
	for _, x := range subs {
		x.s.Emit(e)
	}
}
