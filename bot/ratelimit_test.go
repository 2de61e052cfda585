package bot

import (
	"fmt"
	"sync"
	"sync/atomic"
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

// TestLimiterTimesOutOfOrder checks that calls whose times arrive out of
// order (each takes its time before it waits for the lock) never lose a
// question inside the burst.
func TestLimiterTimesOutOfOrder(t *testing.T) {
	l := newLimiter(6, 3)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, at := range []time.Time{t0.Add(2 * time.Millisecond), t0, t0.Add(time.Millisecond)} {
		if ok, wait := l.allow("ann", at); !ok {
			t.Errorf("question %d of the burst refused (wait %v)", i+1, wait)
		}
	}
	if ok, _ := l.allow("ann", t0.Add(3*time.Millisecond)); ok {
		t.Error("a fourth question inside the burst was let through")
	}
}

// TestLimiterConcurrentBurst has 500 users ask their burst of 3 at once,
// from 1,500 goroutines that take their times before the lock: none is
// refused.
func TestLimiterConcurrentBurst(t *testing.T) {
	l := newLimiter(6, 3)
	var refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 1500 {
		wg.Go(func() {
			if ok, _ := l.allow(fmt.Sprint(i%500), time.Now()); !ok {
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	if n := refused.Load(); n != 0 {
		t.Errorf("%d of 1,500 questions inside the burst refused", n)
	}
}

// TestLimiterSweepKeepsActiveUsers checks that the sweep forgets only
// users whose bucket is full again: a user in the middle of a flood
// stays limited.
func TestLimiterSweepKeepsActiveUsers(t *testing.T) {
	l := newLimiter(6, 3)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 1000 {
		l.allow(fmt.Sprint(i), t0)
	}
	later := t0.Add(l.sweepEvery())
	for range 3 {
		l.allow("flood", later.Add(-time.Second))
	}
	if ok, _ := l.allow("flood", later); ok {
		t.Error("the flood's fourth question was let through")
	}
	if n := l.size(); n != 1 {
		t.Errorf("%d users remembered after the sweep, want the one flooding", n)
	}
}

func BenchmarkLimiter(b *testing.B) {
	l := newLimiter(6, 3)
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.allow(fmt.Sprint(n.Add(1)%100_000), time.Now())
		}
	})
}
