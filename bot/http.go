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
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// maxBody bounds an interaction request; real ones are a few kilobytes.
const maxBody = 64 << 10

// ParsePublicKey reads the application's hex-encoded Ed25519 public key
// (developer portal → General Information → Public Key).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("DISCORD_PUBLIC_KEY: want the 64 hex digits of the application's public key")
	}
	return ed25519.PublicKey(b), nil
}

// Handler serves Discord's HTTP interactions endpoint. Each request's
// Ed25519 signature is checked against key first: a bad or missing one
// gets 401 and nothing else happens. PING gets PONG; commands are
// answered as over the gateway, deferred answers edited through the
// connection's REST API (which needs no token).
func (b *Bot) Handler(key ed25519.PublicKey, c Connection) (http.Handler, error) {
	if b.Engine == nil {
		return nil, errors.New("bot: no engine")
	}
	if len(key) != ed25519.PublicKeySize {
		return nil, errors.New("bot: no valid public key")
	}
	b.setup()
	rest, err := newSession(c)
	if err != nil {
		return nil, err
	}
	return &interactions{b: b, key: key, rest: rest}, nil
}

type interactions struct {
	b    *Bot
	key  ed25519.PublicKey
	rest *discordgo.Session
}

func (h *interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, ok := h.verified(w, r)
	if !ok {
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
	b := h.b
	if !b.begin() {
		writeJSON(w, restarting.response())
		return
	}
	// The answer in flight outlives the request it came with.
	r2 := b.safeInteract(context.WithoutCancel(r.Context()), &i)
	writeJSON(w, r2.now)
	if r2.later == nil {
		b.end()
		return
	}
	// The edit waits for the answer, after this response has gone.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	go func() {
		defer b.end()
		if _, err := h.rest.InteractionResponseEdit(&i, r2.later()); err != nil {
			b.Logger.Warn("interaction edit failed", "guild", i.GuildID, "channel", i.ChannelID, "err", err)
		}
	}()
}

// verified reads the body and checks its signature, answering the
// request itself when either fails.
func (h *interactions) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "bad request", http.StatusBadRequest)
		}
		return nil, false
	}
	sig, err := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
	ts := r.Header.Get("X-Signature-Timestamp")
	if err != nil || len(sig) != ed25519.SignatureSize || ts == "" || !ed25519.Verify(h.key, append([]byte(ts), body...), sig) {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// ServeInteractions serves the interactions endpoint on ln, which it
// closes when it returns, until ctx is done; then it stops taking
// requests, finishes the answers in progress and returns nil. With a token it first registers the commands; without one
// it leaves that to a gateway run or another deployment.
func (b *Bot) ServeInteractions(ctx context.Context, ln net.Listener, key ed25519.PublicKey, c Connection) error {
	defer ln.Close() // taken over, whatever happens
	h, err := b.Handler(key, c)
	if err != nil {
		return err
	}
	if c.Token != "" {
		rest := h.(*interactions).rest
		app, err := rest.Application("@me")
		if err != nil {
			return restError("discord application", err)
		}
		if err := b.register(rest, app.ID, c.GuildID); err != nil {
			return err
		}
	} else {
		b.Logger.Info("no DISCORD_TOKEN: the commands are not registered from here")
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	b.Logger.Info("serving Discord interactions", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("interactions endpoint: %w", err)
	case <-ctx.Done():
	}
	b.Logger.Info("shutting down: finishing the answers in progress")
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		b.Logger.Warn("stopping the interactions endpoint", "err", err)
	}
	b.drain()
	return nil
}

// register overwrites the application's commands with the bot's, in one
// bulk call: globally, or in guild when it is set.
func (b *Bot) register(rest *discordgo.Session, app, guild string) error {
	if _, err := rest.ApplicationCommandBulkOverwrite(app, guild, b.Commands()); err != nil {
		return restError("register commands", err)
	}
	b.Logger.Info("commands registered", "application", app, "guild", guild)
	return nil
}
