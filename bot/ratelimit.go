package bot

import (
	"sync"
	"time"
)

// limiter is a token bucket per user: rate tokens a minute, at most burst
// saved up.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
	warned time.Time // when the user was last told to slow down (chat)
}

func newLimiter(perMinute float64, burst int) *limiter {
	return &limiter{rate: perMinute / 60, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes a token for user at now, or says how long until one is free.
func (l *limiter) allow(user string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(user, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, (wait + time.Millisecond - 1).Truncate(time.Millisecond) // up, past float error
}

// shouldWarn reports whether a limited user should be told so, at most
// once per refill period, so that a flood in chat is not answered by a
// flood of warnings.
func (l *limiter) shouldWarn(user string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(user, now)
	if now.Sub(b.warned) < time.Duration(float64(time.Second)/l.rate) {
		return false
	}
	b.warned = now
	return true
}

func (l *limiter) refill(user string, now time.Time) *bucket {
	b, ok := l.buckets[user]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[user] = b
		if len(l.buckets) > 10000 {
			l.prune(now)
		}
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	return b
}

// prune forgets users whose buckets are full again, so memory stays
// bounded however many people pass through.
func (l *limiter) prune(now time.Time) {
	for u, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, u)
		}
	}
}
