package bot

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := newLimiter(6, 3) // a token every 10s, 3 saved up
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 3 {
		if ok, _ := l.allow("ann", t0); !ok {
			t.Fatalf("question %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("ann", t0)
	if ok || wait != 10*time.Second {
		t.Errorf("fourth question: %v, wait %v; want refused, 10s", ok, wait)
	}
	if ok, _ := l.allow("bob", t0); !ok {
		t.Error("another user was limited")
	}
	if ok, wait := l.allow("ann", t0.Add(4*time.Second)); ok || wait != 6*time.Second {
		t.Errorf("4s later: %v, wait %v; want refused, 6s", ok, wait)
	}
	if ok, _ := l.allow("ann", t0.Add(10*time.Second)); !ok {
		t.Error("a token did not come back after 10s")
	}
	// Saved-up tokens never exceed the burst.
	later := t0.Add(time.Hour)
	for i := range 4 {
		if ok, _ := l.allow("ann", later); ok != (i < 3) {
			t.Errorf("an hour later, question %d: %v", i+1, ok)
		}
	}
}

func TestLimiterWarnsOncePerWindow(t *testing.T) {
	l := newLimiter(6, 1)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	warned := 0
	for i := range 20 { // a flood: a message every half second
		now := t0.Add(time.Duration(i) * 500 * time.Millisecond)
		if ok, _ := l.allow("ann", now); !ok && l.shouldWarn("ann", now) {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("warned %d times in 10s, want once", warned)
	}
}

func TestLimiterForgetsIdleUsers(t *testing.T) {
	l := newLimiter(6, 3)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 10_001 {
		l.allow(fmt.Sprint(i), t0)
	}
	l.allow("late", t0.Add(time.Minute)) // everyone's bucket is full again
	if n := l.size(); n > 2 {
		t.Errorf("%d buckets kept", n)
	}
}
