package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"storybot/corpus"
)

// syntheticStory writes a story of about n bytes that reads, to the
// index, like news: sentences of 8-30 words drawn from the embedded
// story's vocabulary with a Zipf-like skew, numbers, and a stream of new
// names, in paragraphs of 1-5 sentences. Deterministic.
func syntheticStory(n int) string {
	var vocab []string
	for _, p := range corpus.Embedded().Paragraphs {
		for _, f := range strings.Fields(p.Text) {
			vocab = append(vocab, strings.Trim(f, `.,;:!?“”"()`))
		}
	}
	r := rand.New(rand.NewPCG(8, 2026))
	zipf := rand.NewZipf(r, 1.1, 4, uint64(len(vocab)-1))
	var b strings.Builder
	b.WriteString("A synthetic story\n\n")
	for b.Len() < n {
		for range 1 + r.IntN(5) {
			for i := range 8 + r.IntN(23) {
				if i > 0 {
					b.WriteByte(' ')
				}
				switch k := r.IntN(40); {
				case k == 0:
					fmt.Fprintf(&b, "%d", r.IntN(100000))
				case k == 1:
					fmt.Fprintf(&b, "Name%c%d", 'A'+r.IntN(26), r.IntN(50000))
				default:
					b.WriteString(vocab[zipf.Uint64()])
				}
			}
			b.WriteString(". ")
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// heapPeak samples the heap's live objects until stop is closed and
// returns the highest figure seen, in bytes.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return out
}

// heapLive returns the bytes of live objects on the heap. Two collections:
// objects with finalizers (Bleve's files) are freed by the second.
func heapLive() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkMemoryPerMB measures what a story costs in memory, per MB of
// its text: the parsed story, the index built in memory (Build) and the
// index on disk (OpenContext into a new folder, and again once built),
// retained after a GC, and the peak of the heap while
// building. The README's figures come from
//
//	go test -run '^$' -bench MemoryPerMB -benchtime 3x ./index
func BenchmarkMemoryPerMB(b *testing.B) {
	const size = 1 << 20
	text := syntheticStory(size)
	mb := float64(len(text)) / (1 << 20)
	reopen := b.TempDir() // an index on disk already built, opened again
	if ix, _, err := Open(reopen, []*corpus.Story{corpus.Parse("synthetic", text)}); err != nil {
		b.Fatal(err)
	} else {
		ix.Close()
	}
	for _, where := range []string{"memory", "disk", "reopen"} {
		b.Run(where, func(b *testing.B) {
			var story, retained, peak float64
			for b.Loop() {
				base := heapLive()
				stop := make(chan struct{})
				peakc := heapPeak(stop)
				st := corpus.Parse("synthetic", text)
				parsed := heapLive()
				var ix *Index
				var err error
				switch where {
				case "memory":
					ix, err = Build([]*corpus.Story{st})
				case "disk":
					ix, _, err = OpenContext(context.Background(), b.TempDir(), []*corpus.Story{st}, DefaultOptions())
				case "reopen":
					var rebuilt bool
					if ix, rebuilt, err = OpenContext(context.Background(), reopen, []*corpus.Story{st}, DefaultOptions()); rebuilt {
						b.Fatal("rebuilt")
					}
				}
				if err != nil {
					b.Fatal(err)
				}
				close(stop)
				p := <-peakc
				done := heapLive()
				story += float64(parsed-base) / (1 << 20) / mb
				retained += float64(int64(done)-int64(parsed)) / (1 << 20) / mb
				peak += float64(p-base) / (1 << 20) / mb
				ix.Close()
				runtime.KeepAlive(st)
			}
			n := float64(b.N)
			b.ReportMetric(story/n, "story-MB/MB")
			b.ReportMetric(retained/n, "index-MB/MB")
			b.ReportMetric(peak/n, "peak-MB/MB")
		})
	}
}
