package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// maxBody bounds an interaction request; real ones are a few kilobytes.
const maxBody = 1 << 20

// ParsePublicKey reads the application's hex-encoded Ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("DISCORD_PUBLIC_KEY: want the 64 hex digits of the application's public key")
	}
	return ed25519.PublicKey(b), nil
}

// Handler serves Discord's HTTP interactions endpoint: it checks each
// request's Ed25519 signature against key (a bad or missing one gets 401
// and nothing else happens), answers PING with PONG, and answers commands
// as the gateway bot does. Deferred answers are edited through rest.
func (b *Bot) Handler(key ed25519.PublicKey, rest *discordgo.Session) http.Handler {
	b.init()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		sig, err := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
		ts := r.Header.Get("X-Signature-Timestamp")
		if err != nil || len(sig) != ed25519.SignatureSize || ts == "" || !ed25519.Verify(key, append([]byte(ts), body...), sig) {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if i.Type == discordgo.InteractionPing {
			writeJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
			return
		}
		if !b.begin() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		rep := b.interact(context.WithoutCancel(r.Context()), &i)
		writeJSON(w, rep.now)
		if rep.later == nil {
			b.work.Done()
			return
		}
		go func() {
			defer b.work.Done()
			if _, err := rest.InteractionResponseEdit(&i, rep.later()); err != nil {
				b.Logger.Warn("interaction edit failed", "guild", i.GuildID, "channel", i.ChannelID, "err", err)
			}
		}()
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// ServeHTTP runs the interactions endpoint on addr until ctx is done,
// then finishes the answers in progress. With a token it first registers
// the commands (an HTTP-only deployment may register them elsewhere).
func (b *Bot) ServeHTTP(ctx context.Context, addr string, key ed25519.PublicKey, c Connection) error {
	b.init()
	rest, err := newSession(c)
	if err != nil {
		return err
	}
	if c.Token != "" {
		me, err := whoAmI(rest)
		if err != nil {
			return err
		}
		if _, err := rest.ApplicationCommandBulkOverwrite(me.ID, c.GuildID, b.Commands()); err != nil {
			return fmt.Errorf("register commands: %w", err)
		}
	} else {
		b.Logger.Info("no DISCORD_TOKEN: commands not registered from here")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("interactions endpoint: %w", err)
	}
	srv := &http.Server{Handler: b.Handler(key, rest), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	b.Logger.Info("serving Discord interactions", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("interactions endpoint: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv.Shutdown(shut)
	b.drain()
	return nil
}
