package bot

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"storybot/bot/discordtest"
)

// FuzzInteraction sends well-signed interactions of any shape to the HTTP
// endpoint: whatever the body, the answer is never a server error, and
// no work is left counted in flight.
func FuzzInteraction(f *testing.F) {
	for _, seed := range []string{
		`{"type":1}`,
		`{"type":2,"id":"1","token":"t","data":{"name":"ask","options":[{"name":"question","type":4,"value":42}]}}`,
		`{"type":2,"id":"1","token":"t","data":{"name":"ask","options":[null,{"name":"question","type":3,"value":"who?"}]}}`,
		`{"type":2,"id":"1","token":"t","data":{"name":"passage","options":[{"name":"number","type":4,"value":1e308}]}}`,
		`{"type":2,"id":"1","token":"t","data":null}`,
		`{"type":3,"id":"1","token":"t","data":{"custom_id":"para::","component_type":2}}`,
		`{"type":4,"id":"1","token":"t","data":{"name":"passage","options":[{"name":"number","type":4,"value":"1","focused":true}]}}`,
		`{"type":5,"id":"1","token":"t","data":{"custom_id":"x","components":[]}}`,
		`{"type":2,"member":{"user":null},"user":null,"data":{"name":"search","options":[{"name":"terms","type":3,"value":"[x](y) <@&1> @everyone"}]}}`,
		`[]`, `null`, `{"type":"2"}`,
	} {
		f.Add([]byte(seed))
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	eng := newFakeEngine()
	eng.unblock()
	clock := time.Unix(1767323045, 0)
	b := &Bot{Engine: eng, now: func() time.Time { return clock }}
	h, err := b.Handler(pub, Connection{APIURL: discordtest.New(f).APIURL()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ts := "1767323045"
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
		req.Header.Set("X-Signature-Timestamp", ts)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%q: %d %s", body, w.Code, w.Body)
		}
		if w.Code == http.StatusOK && !bytes.Contains(w.Body.Bytes(), []byte(`"type":`)) {
			t.Fatalf("%q: a 200 without an interaction response: %s", body, w.Body)
		}
		for deadline := time.Now().Add(discordtest.Timeout); b.inflight.Load() != 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%q: %d units of work left in flight", body, b.inflight.Load())
			}
		}
	})
}
