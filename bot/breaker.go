package bot

import (
	"sync"
	"time"
)

// A breaker stops the bot asking for full (language-model) answers for a
// while once several in a row have failed slowly (the model fell back
// after keeping the question waiting): a model that is down then costs
// nothing at all, rather than a timeout per question. After the pause
// one question tries the model again; if it fails too, the pause starts
// over.
type breaker struct {
	threshold int           // slow failures in a row that open it
	pause     time.Duration // how long it stays open

	mu       sync.Mutex
	failures int
	until    time.Time // open until then
}

// Defaults of the breaker.
const (
	breakerThreshold = 5
	breakerPause     = 30 * time.Second
)

func newBreaker() *breaker { return &breaker{threshold: breakerThreshold, pause: breakerPause} }

// closed reports whether the model may be asked at now.
func (br *breaker) closed(now time.Time) bool {
	br.mu.Lock()
	defer br.mu.Unlock()
	return !now.Before(br.until)
}

// record notes how a full answer went: ok when the model answered,
// failed when it fell back slowly. Fast fallbacks (a reply without a
// valid citation) say nothing about the model being down.
func (br *breaker) record(ok, failed bool, now time.Time) {
	br.mu.Lock()
	defer br.mu.Unlock()
	switch {
	case ok:
		br.failures = 0
	case failed:
		br.failures++
		if br.failures >= br.threshold {
			br.until = now.Add(br.pause)
			br.failures = br.threshold - 1 // one more failure after the pause reopens it
		}
	}
}
