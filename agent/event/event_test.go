package event

import (
	"encoding/json"
	"reflect"
	"sync"
	"testing"
)

// Every registered event type encodes with its "type" and decodes back to the same value.
func TestEveryEventRoundTrips(t *testing.T) {
	for name, mk := range constructors {
		e := mk()
		if e.Type() != name {
			t.Errorf("constructor %q makes a %q", name, e.Type())
		}
		line, err := Encode(reflect.ValueOf(e).Elem().Interface().(Event))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil || m["type"] != name {
			t.Errorf("%s encodes as %s", name, line)
		}
		back, err := Decode(line)
		if err != nil || !reflect.DeepEqual(back, e) {
			t.Errorf("%s: decoded %#v, %v", name, back, err)
		}
	}
	code := 2
	in := ToolFinished{ID: "c", Name: "run", Output: "x\ny", IsError: true, ExitCode: &code}
	line, _ := Encode(in)
	out, _ := Decode(line)
	if got := *out.(*ToolFinished); !reflect.DeepEqual(got, in) {
		t.Errorf("round trip %+v → %+v", in, got)
	}
	if _, err := Decode([]byte(`{"type":"no_such_event"}`)); err == nil {
		t.Error("unknown type decoded")
	}
}

func TestBrokerDeliversInOrderToEverySubscriber(t *testing.T) {
	var b Broker
	var mu sync.Mutex
	got := map[string][]int{}
	sink := func(name string) Sink {
		return SinkFunc(func(e Event) {
			mu.Lock()
			got[name] = append(got[name], e.(TurnStarted).Turn)
			mu.Unlock()
		})
	}
	b.Subscribe(sink("a"))
	unsub := b.Subscribe(sink("b"))
	for i := 1; i <= 3; i++ {
		b.Emit(TurnStarted{Turn: i})
	}
	unsub()
	b.Emit(TurnStarted{Turn: 4})
	if !reflect.DeepEqual(got["a"], []int{1, 2, 3, 4}) || !reflect.DeepEqual(got["b"], []int{1, 2, 3}) {
		t.Errorf("deliveries %v", got)
	}
}
