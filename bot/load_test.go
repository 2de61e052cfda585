package bot

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"storybot/bot/discordtest"
)

// loadSize is the number of students of the load runs, from
// STORYBOT_LOAD; the runs are skipped without it.
func loadSize(t *testing.T) int {
	t.Helper()
	n, err := strconv.Atoi(os.Getenv("STORYBOT_LOAD"))
	if err != nil || n <= 0 {
		t.Skip("set STORYBOT_LOAD=N to run the load test with N students")
	}
	return n
}

// quantiles reports p50, p99 and the maximum of ds.
func quantiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	slices.Sort(ds)
	q := func(p float64) time.Duration {
		return ds[min(len(ds)-1, int(p*float64(len(ds))))].Round(time.Millisecond)
	}
	return fmt.Sprintf("p50 %v, p99 %v, max %v", q(0.50), q(0.99), ds[len(ds)-1].Round(time.Millisecond))
}

// TestLoadGateway is the load run over the gateway: N students at once,
// three in four with /ask and one in four in chat (over 10 channels),
// while the model takes 3 seconds per answer and Discord fails 10% of
// the answering requests with a 5xx and 10% with 429 (Retry-After 1s).
//
//	STORYBOT_LOAD=500 go test -run TestLoadGateway -v ./bot
func TestLoadGateway(t *testing.T) {
	n := loadSize(t)
	h := start(t, func(b *Bot, _ *Connection) {
		b.Engine.(*fakeEngine).model = 3 * time.Second
		b.RatePerMinute, b.Burst = 600, 100
	})
	h.f.SetFaults(discordtest.Faults{ServerError: 0.10, TooMany: 0.10, RetryAfter: time.Second, Seed: 1})
	goroutines := runtime.NumGoroutine()
	type sent struct {
		in map[string]any
		at time.Time
	}
	var slashes, chats []sent
	began := time.Now()
	for i := range n {
		user := fmt.Sprint(600000000000000000 + i)
		if i%4 == 3 {
			extra := mentioning()
			extra["channel_id"] = fmt.Sprint(420000000000000000 + i%10)
			msg := chatMessage("<@"+discordtest.BotID+"> who authorized the strike?", user, extra)
			chats = append(chats, sent{msg, time.Now()})
			h.f.Dispatch(t, "MESSAGE_CREATE", msg)
			continue
		}
		in := slash("ask", user, opt("question", 3, "Who authorized the strike?"))
		slashes = append(slashes, sent{in, time.Now()})
		h.f.Dispatch(t, "INTERACTION_CREATE", in)
	}
	var acks, replies []time.Duration
	late := 0
	for _, s := range slashes {
		cb := h.f.Callback(t, s.in["id"].(string), s.in["token"].(string))
		acks = append(acks, cb.At.Sub(s.at))
		if cb.At.Sub(s.at) > 3*time.Second {
			late++
		}
	}
	for _, s := range chats {
		r := h.f.Reply(t, s.in["id"].(string))
		replies = append(replies, r.At.Sub(s.at))
	}
	answered := time.Since(began)
	h.settled(t, n)
	faults := len(h.f.Requests(func(r discordtest.Request) bool { return r.Status >= 429 }))
	edits := len(h.f.Requests(func(r discordtest.Request) bool { return r.OK() && r.Method == "PATCH" }))
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("%d students (%d /ask, %d chat): all answered in %v; %d faults injected; %d answers edited into the model's",
		n, len(slashes), len(chats), answered.Round(time.Millisecond), faults, edits)
	t.Logf("/ask acknowledged: %s; %d later than 3s", quantiles(acks), late)
	t.Logf("chat replied: %s", quantiles(replies))
	t.Logf("goroutines %d before, %d after; heap in use %.1f MiB", goroutines, runtime.NumGoroutine(), float64(ms.HeapInuse)/(1<<20))
	if late > 0 {
		t.Errorf("%d acknowledgements later than 3s", late)
	}
}

// TestLoadHTTP is the load run over the HTTP interactions endpoint: N
// /ask requests from 50 clients while the model hangs (longer than the
// run), counting the goroutines the bot holds.
//
//	STORYBOT_LOAD=1000 go test -run TestLoadHTTP -v ./bot
func TestLoadHTTP(t *testing.T) {
	n := loadSize(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	f := discordtest.New(t)
	eng := newFakeEngine()
	eng.model = time.Hour // hung
	b := &Bot{Engine: eng, RatePerMinute: 600, Burst: 100, AnswerLife: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.ServeInteractions(ctx, ln, pub, Connection{APIURL: f.APIURL()}) }()
	url := "http://" + ln.Addr().String()
	goroutines := runtime.NumGoroutine()

	var mu sync.Mutex
	var latencies []time.Duration
	failed := 0
	peak := 0
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for i := range jobs {
				in := slash("ask", fmt.Sprint(610000000000000000+i), opt("question", 3, "Who authorized the strike?"))
				began := time.Now()
				req := signedRequest(t, priv, url, mustMarshal(t, in), strconv.FormatInt(time.Now().Unix(), 10))
				resp, err := http.DefaultClient.Do(req)
				ok := err == nil && resp.StatusCode == 200
				if err == nil {
					var sb strings.Builder
					buf := make([]byte, 4096)
					for {
						k, err := resp.Body.Read(buf)
						sb.Write(buf[:k])
						if err != nil {
							break
						}
					}
					resp.Body.Close()
					ok = ok && strings.Contains(sb.String(), "authorized by President Trump")
				}
				mu.Lock()
				latencies = append(latencies, time.Since(began))
				if !ok {
					failed++
				}
				peak = max(peak, runtime.NumGoroutine())
				mu.Unlock()
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d /ask over HTTP, model hung: %d failed; response %s", n, failed, quantiles(latencies))
	t.Logf("goroutines %d before, at most %d during (50 clients, %d model slots)", goroutines, peak, DefaultMaxConcurrent)
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	if failed > 0 {
		t.Errorf("%d questions failed", failed)
	}
}
