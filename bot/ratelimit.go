package bot

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per user (golang.org/x/time/rate): rate
// tokens a minute, at most burst saved up. Users are spread over shards,
// each with its own lock. Once per sweep period one caller sweeps the
// shards, one at a time, forgetting the users whose bucket is full again
// (they are just like users never seen): memory stays bounded however
// many people pass through, and no lock is held over all users.
type limiter struct {
	limit  rate.Limit
	burst  int
	refill time.Duration // how long one token takes to come back
	seed   maphash.Seed
	swept  atomic.Int64 // when the last sweep started, in Unix nanoseconds
	shards [limiterShards]limiterShard
}

const limiterShards = 64

type limiterShard struct {
	mu    sync.Mutex
	users map[string]*userLimit
}

type userLimit struct {
	bucket *rate.Limiter
	warned time.Time // when the user was last told to slow down (chat)
}

func newLimiter(perMinute float64, burst int) *limiter {
	l := &limiter{limit: rate.Limit(perMinute / 60), burst: burst, seed: maphash.MakeSeed()}
	l.refill = time.Duration(float64(time.Minute) / perMinute)
	for i := range l.shards {
		l.shards[i].users = map[string]*userLimit{}
	}
	return l
}

// maybeSweep sweeps the shards when the sweep period has passed since the
// last sweep; of concurrent callers, one does it.
func (l *limiter) maybeSweep(now time.Time) {
	last := l.swept.Load()
	if last == 0 {
		l.swept.CompareAndSwap(0, now.UnixNano()) // the first call starts the clock
		return
	}
	if now.Sub(time.Unix(0, last)) < l.sweepEvery() || !l.swept.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for name, u := range sh.users {
			if u.bucket.TokensAt(now) >= float64(l.burst) {
				delete(sh.users, name)
			}
		}
		sh.mu.Unlock()
	}
}

// allow takes a token for user at now, or says how long until one is
// free. Calls may come with times out of order (each takes its time
// before waiting for the lock); an earlier time never costs a token.
func (l *limiter) allow(user string, now time.Time) (bool, time.Duration) {
	sh, u := l.user(user, now)
	defer sh.mu.Unlock()
	r := u.bucket.ReserveN(now, 1)
	if !r.OK() {
		return false, l.refill
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return false, (wait + time.Millisecond - 1).Truncate(time.Millisecond) // up, past float error
	}
	return true, 0
}

// shouldWarn reports whether a limited user should be told so, at most
// once per refill period, so that a flood in chat is not answered by a
// flood of warnings.
func (l *limiter) shouldWarn(user string, now time.Time) bool {
	sh, u := l.user(user, now)
	defer sh.mu.Unlock()
	if !u.warned.IsZero() && now.Sub(u.warned) < l.refill {
		return false
	}
	u.warned = now
	return true
}

// user finds or makes user's bucket and returns it with its shard
// locked.
func (l *limiter) user(user string, now time.Time) (*limiterShard, *userLimit) {
	l.maybeSweep(now)
	sh := &l.shards[maphash.String(l.seed, user)%limiterShards]
	sh.mu.Lock()
	u, ok := sh.users[user]
	if !ok {
		u = &userLimit{bucket: rate.NewLimiter(l.limit, l.burst)}
		sh.users[user] = u
	}
	return sh, u
}

// sweepEvery is the sweep period: the time a bucket takes to fill from
// empty, and at least a minute.
func (l *limiter) sweepEvery() time.Duration {
	return max(time.Minute, time.Duration(l.burst)*l.refill)
}

// size counts the users remembered.
func (l *limiter) size() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.users)
		sh.mu.Unlock()
	}
	return n
}
