package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/net/netutil"
)

// maxBody bounds an interaction request; real ones are a few kilobytes.
const maxBody = 64 << 10

// HTTPLimits bound what the interactions endpoint gives its clients, so
// that slow or endless connections cannot exhaust it. Zero fields take
// the defaults.
type HTTPLimits struct {
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are
	// http.Server's (defaults 5s, 10s, 10s, 60s). WriteTimeout also bounds
	// the answer given in the response, which takes at most about
	// 1.5s before it is deferred.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxConnections bounds the connections served at once (default
	// 1024); more wait to be accepted.
	MaxConnections int
	// TimestampWindow is how far X-Signature-Timestamp may be from now
	// (default 5m); requests outside it, and exact replays of a request
	// seen within it, get 401.
	TimestampWindow time.Duration
}

func (l HTTPLimits) withDefaults() HTTPLimits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.ReadHeaderTimeout, 5*time.Second)
	def(&l.ReadTimeout, 10*time.Second)
	def(&l.WriteTimeout, 10*time.Second)
	def(&l.IdleTimeout, 60*time.Second)
	def(&l.TimestampWindow, 5*time.Minute)
	if l.MaxConnections <= 0 {
		l.MaxConnections = 1024
	}
	return l
}

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
	rc, err := newRESTClient(c.APIURL)
	if err != nil {
		return nil, err
	}
	return &interactions{b: b, key: key, rest: rest, rc: rc, seen: newReplays(b.HTTP.TimestampWindow)}, nil
}

type interactions struct {
	b    *Bot
	key  ed25519.PublicKey
	rest *discordgo.Session // for registering the commands
	rc   *restClient        // for the edits of deferred answers
	seen *replays
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
	defer b.end()
	defer func() {
		if v := recover(); v != nil {
			b.recoverValue("http", v)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	arrived := time.Now()
	// The answer in flight outlives the request it came with.
	work := context.WithoutCancel(r.Context())
	rep := b.safeInteract(work, &i)
	writeJSON(w, rep.now)
	if rep.later == nil {
		return
	}
	// The edits wait for the answer, after this response has gone.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	b.hold()
	go func() {
		defer b.end()
		defer b.recoverPanic("http")
		ctx, cancel := context.WithDeadline(work, arrived.Add(b.AnswerLife))
		defer cancel()
		rep.later(func(e *discordgo.WebhookEdit) {
			if err := h.rc.edit(ctx, &i, e); err != nil {
				b.Logger.Warn("interaction edit failed", "guild", i.GuildID, "channel", i.ChannelID, "err", err)
			}
		})
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
	// A signature proves who sent a request, not when: a captured one
	// could be sent again. Only fresh requests, each once, are taken.
	sent, ok := unixTime(ts)
	now := h.b.now()
	if !ok || now.Sub(sent).Abs() > h.b.HTTP.TimestampWindow {
		http.Error(w, "request timestamp outside the accepted window", http.StatusUnauthorized)
		return nil, false
	}
	if !h.seen.first(string(sig), now) {
		http.Error(w, "request already seen", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// unixTime reads a timestamp in whole seconds since 1970, as Discord
// sends it.
func unixTime(s string) (time.Time, bool) {
	if s == "" || len(s) > 12 || strings.Trim(s, "0123456789") != "" {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// replays remembers the signatures of the requests taken within the
// timestamp window, so that each is taken once. Only verified requests
// are remembered, so only Discord can fill it; it forgets what is older
// than the window in a sweep every half window.
type replays struct {
	mu     sync.Mutex
	window time.Duration
	seen   map[string]time.Time
	swept  time.Time
}

func newReplays(window time.Duration) *replays {
	return &replays{window: window, seen: map[string]time.Time{}}
}

// first records sig at now and reports whether it is new.
func (r *replays) first(sig string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.swept) > r.window/2 {
		for k, at := range r.seen {
			if now.Sub(at) > r.window {
				delete(r.seen, k)
			}
		}
		r.swept = now
	}
	if at, ok := r.seen[sig]; ok && now.Sub(at) <= r.window {
		return false
	}
	r.seen[sig] = now
	return true
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
	lim := b.HTTP
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(b.Logger.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(netutil.LimitListener(ln, lim.MaxConnections)) }()
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
// bulk call: globally, or in guild when it is set. Then it clears the
// other set, so that switching between the two never leaves each command
// listed twice: registering in a guild empties the global commands, and
// registering globally empties the guild commands of every server the
// bot is in (up to maxGuildsCleared of them) that still has some.
func (b *Bot) register(rest *discordgo.Session, app, guild string) error {
	if _, err := rest.ApplicationCommandBulkOverwrite(app, guild, b.Commands()); err != nil {
		return restError("register commands", err)
	}
	b.Logger.Info("commands registered", "application", app, "guild", guild)
	// Stale commands are untidy, not fatal: failures are logged.
	if guild != "" {
		b.clearCommands(rest, app, "")
		return nil
	}
	guilds, err := rest.UserGuilds(maxGuildsCleared, "", "", false)
	if err != nil {
		b.Logger.Warn("listing servers to clear their old commands", "err", err)
		return nil
	}
	for _, g := range guilds {
		b.clearCommands(rest, app, g.ID)
	}
	return nil
}

// maxGuildsCleared bounds the servers checked for stale guild commands
// when the commands are registered globally: one page of the bot's
// servers, one request each.
const maxGuildsCleared = 200

// clearCommands empties the application's commands in guild (globally,
// for ""), when it has any.
func (b *Bot) clearCommands(rest *discordgo.Session, app, guild string) {
	cmds, err := rest.ApplicationCommands(app, guild)
	if err != nil {
		b.Logger.Warn("reading old commands", "guild", guild, "err", err)
		return
	}
	if len(cmds) == 0 {
		return
	}
	if _, err := rest.ApplicationCommandBulkOverwrite(app, guild, []*discordgo.ApplicationCommand{}); err != nil {
		b.Logger.Warn("clearing old commands", "guild", guild, "err", err)
		return
	}
	b.Logger.Info("cleared commands registered before", "guild", guild, "commands", len(cmds))
}
