package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// DefaultAPIURL is Discord's own REST API.
const DefaultAPIURL = "https://discord.com/api/v9"

// A Connection says how to reach Discord. Its zero value, with a Token,
// is a bot on Discord itself with global commands.
type Connection struct {
	// Token is the bot's token, without the "Bot " prefix.
	Token string
	// APIURL is the base of a Discord-compatible REST API (default
	// DefaultAPIURL). Every REST call goes through it, and the gateway is
	// the one it reports, so the bot also runs against self-hosted
	// servers and test fakes.
	APIURL string
	// GuildID, when set, registers the commands in that guild only, where
	// changes show at once; otherwise they are global.
	GuildID string
	// Channels get every question (a message ending in "?") answered.
	// This needs the privileged MESSAGE_CONTENT intent, which is asked
	// for only when Channels is set.
	Channels []string
	// ShardID and ShardCount split a very large bot over processes; a
	// ShardCount below 2 means no sharding. Shard 0 registers the
	// commands and receives the DMs.
	ShardID, ShardCount int
}

// Errors that end the bot: Discord will not take it as it is configured.
// Their text is written for the person running the bot.
var (
	ErrNoToken      = errors.New("DISCORD_TOKEN is not set: create a bot in the Discord developer portal and put its token in .env")
	ErrUnauthorized = errors.New("Discord rejected the bot token: check DISCORD_TOKEN (developer portal → your application → Bot → Reset Token)")
	ErrIntents      = errors.New("Discord refused the Message Content intent that DISCORD_CHANNELS needs: turn on Message Content Intent (developer portal → your application → Bot), or leave DISCORD_CHANNELS empty")
	ErrSharding     = errors.New("Discord refused the shard settings: check DISCORD_SHARD_ID and DISCORD_SHARD_COUNT (a large bot must be sharded)")
)

// gatewayError turns the error of opening the gateway into one of the
// errors above when Discord said why it refused, and reports whether it
// is worth trying again.
func gatewayError(err error) (retry bool, out error) {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return false, ErrUnauthorized
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		// https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes
		switch ce.Code {
		case 4004:
			return false, ErrUnauthorized
		case 4014:
			return false, ErrIntents
		case 4010, 4011:
			return false, ErrSharding
		case 4012, 4013:
			return false, fmt.Errorf("discord gateway refused the connection (code %d): %w", ce.Code, err)
		}
	}
	return true, fmt.Errorf("discord gateway: %w", err)
}

// restError maps a REST failure to ErrUnauthorized when the token was
// the problem.
func restError(what string, err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	return fmt.Errorf("%s: %w", what, err)
}

// newSession makes a discordgo session whose REST calls go to the
// connection's API. It does not connect.
func newSession(c Connection) (*discordgo.Session, error) {
	base, err := apiBase(c.APIURL)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + c.Token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	if c.Token == "" {
		s.Token = "" // no Authorization header at all, rather than "Bot "
	}
	// Retries happen in the transport, within each request's deadline:
	// discordgo itself would retry only 502, and sleep for any 429's
	// Retry-After however long.
	s.Client = &http.Client{Timeout: restBudget + 10*time.Second, Transport: retrying{next: rebase{base: base, next: http.DefaultTransport}}}
	s.LogLevel = discordgo.LogError
	s.StateEnabled = false // the bot keeps no guild state; READY's user and application are still kept
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	return s, nil
}

// rebase sends discordgo's requests for Discord's API to another base
// URL. discordgo builds its URLs from package-level variables; rewriting
// each request here leaves those untouched, so two bots in one process
// (or parallel tests) can talk to different APIs.
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (r rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	rest, ok := apiPath(req.URL)
	if !ok {
		return r.next.RoundTrip(req)
	}
	if req.Method == http.MethodGet && rest == "gateway" {
		// Bots are to ask /gateway/bot, which also checks the token;
		// discordgo's Open asks /gateway. The reply has the same "url".
		rest = "gateway/bot"
	}
	u := *r.base
	u.Path = strings.TrimRight(r.base.Path, "/") + "/" + rest
	u.RawPath = ""
	u.RawQuery = req.URL.RawQuery
	req = req.Clone(req.Context())
	req.URL = &u
	req.Host = u.Host
	return r.next.RoundTrip(req)
}

// apiPath returns the path of a request to Discord's API after its
// version ("users/@me" of https://discord.com/api/v9/users/@me).
func apiPath(u *url.URL) (string, bool) {
	if u.Host != "discord.com" {
		return "", false
	}
	rest, ok := strings.CutPrefix(u.Path, "/api/v")
	if !ok {
		return "", false
	}
	_, rest, _ = strings.Cut(rest, "/")
	return rest, true
}

// reconnectBackoff bounds the wait between attempts to reconnect.
const reconnectBackoff = 2 * time.Minute

// reconnectSettle is how long the session must be quiet — no notice of
// a drop, no close in progress — before a connection is reopened; up to
// as much again is added at random, so that many shards do not
// reconnect in step. When a connection is closed before its heartbeat
// goroutine has sent its first beat, that goroutine wakes when the close
// is done, fails to write, and closes the session's current connection,
// whichever it is (bwmarrin/discordgo#406). It does so at once: a bot
// that waits finds that close harmless, where one that reopened at once
// would have its new connection closed, and the next, every second.
const reconnectSettle = 250 * time.Millisecond

// Run connects to the gateway and serves until ctx is done; then it stops
// taking new work, finishes the answers in progress, closes the
// connection and returns nil. It returns an error when it cannot start,
// or when Discord refuses the bot for good (ErrUnauthorized, ErrIntents,
// ErrSharding).
func (b *Bot) Run(ctx context.Context, c Connection) error {
	if b.Engine == nil {
		return errors.New("bot: no engine")
	}
	if c.Token == "" {
		return ErrNoToken
	}
	b.setup()
	s, err := newSession(c)
	if err != nil {
		return err
	}
	rc, err := newRESTClient(c.APIURL)
	if err != nil {
		return err
	}
	b.session.Store(s)
	// discordgo would reconnect by itself, but forever, even when Discord
	// refuses the token; the bot reconnects itself and stops then.
	s.ShouldReconnectOnError = false
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	scope := chatScope{watched: map[string]bool{}}
	for _, ch := range c.Channels {
		scope.watched[ch] = true
	}
	if len(c.Channels) > 0 {
		s.Identify.Intents |= discordgo.IntentsMessageContent
		scope.contents = true
	}
	if c.ShardCount > 1 {
		s.ShardID, s.ShardCount = c.ShardID, c.ShardCount
	}
	// Answers in flight outlive the shutdown signal: they are finished.
	work := context.WithoutCancel(ctx)
	dropped := make(chan struct{}, 1)
	s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) {
		select {
		case dropped <- struct{}{}:
		default:
		}
	})
	// discordgo runs each handler on a goroutine of its own, where a
	// panic would end the process: every handler recovers.
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		b.onInteraction(work, rc, ic.Interaction)
	})
	// Messages come as raw events, whose data also says whether the
	// message is in a thread (discordgo's Message drops that).
	s.AddHandler(func(s *discordgo.Session, e *discordgo.Event) {
		mc, ok := e.Struct.(*discordgo.MessageCreate)
		if !ok || e.Type != "MESSAGE_CREATE" {
			return
		}
		if !b.begin() {
			return // shutting down: a chat message can wait for the next run
		}
		defer b.end()
		defer b.recoverPanic("chat")
		sc := scope
		sc.self = selfID(s)
		b.chat(work, s, sc, mc.Message, inThread(e.RawData))
	})
	if err := ctx.Err(); err != nil {
		return nil
	}
	if err := s.Open(); err != nil {
		_, err = gatewayError(err)
		return err
	}
	if c.ShardCount <= 1 || c.ShardID == 0 { // one shard is enough to register
		if err := b.register(s, applicationID(s), c.GuildID); err != nil {
			b.shutdown(s)
			return err
		}
	}
	b.Logger.Info("connected to Discord", "user", selfID(s), "application", applicationID(s), "guild", c.GuildID,
		"shard", c.ShardID, "shards", c.ShardCount, "watched_channels", len(c.Channels))
	for {
		select {
		case <-ctx.Done():
			b.Logger.Info("shutting down: finishing the answers in progress")
			b.shutdown(s)
			return nil
		case <-dropped:
			b.Logger.Warn("gateway connection lost: reconnecting")
			if err := b.reconnect(ctx, s, dropped); err != nil {
				b.shutdown(s)
				return err
			}
		}
	}
}

// reconnect opens the gateway again after a drop, resuming the session
// when Discord allows, with a growing wait between failed attempts. It
// gives up only when Discord refuses the bot for good, or ctx is done.
func (b *Bot) reconnect(ctx context.Context, s *discordgo.Session, dropped <-chan struct{}) error {
	wait := time.Second
	settle := reconnectSettle + rand.N(reconnectSettle)
	for {
		if !quiet(ctx, s, dropped, settle) {
			return nil
		}
		err := s.Open()
		if errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			b.Logger.Info("gateway still open: the notice came from a connection already replaced")
			return nil
		}
		if err == nil {
			b.Logger.Info("gateway reconnected")
			b.Metrics.reconnected()
			return nil
		}
		retry, err := gatewayError(err)
		if !retry {
			return err
		}
		b.Logger.Warn("reconnecting failed", "err", err, "retry_in", wait)
		settle, wait = wait, min(2*wait, reconnectBackoff)
	}
}

// quiet waits until the session has been quiet for d: no notice of a
// drop came in that time, and no close (nor anything else that locks the
// session) is in progress at its end. The notices it takes are the ones
// the coming reopen answers. It returns false when ctx is done first.
func quiet(ctx context.Context, s *discordgo.Session, dropped <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-dropped:
			t.Reset(d)
		case <-t.C:
			if s.TryLock() {
				s.Unlock()
				return true
			}
			t.Reset(d)
		}
	}
}

// shutdown stops new work, waits for the work in progress, and closes
// the gateway connection.
func (b *Bot) shutdown(s *discordgo.Session) {
	b.drain()
	if err := s.Close(); err != nil {
		b.Logger.Warn("closing the gateway", "err", err)
	}
}

// onInteraction answers an interaction that came over the gateway: the
// response through the callback endpoint within Discord's 3 seconds, a
// later answer as an edit.
func (b *Bot) onInteraction(ctx context.Context, rc *restClient, i *discordgo.Interaction) {
	arrived := time.Now()
	if i == nil {
		return
	}
	ack, cancel := context.WithDeadline(ctx, arrived.Add(ackWithin))
	defer cancel()
	if !b.begin() {
		if _, err := rc.respond(ack, i, restarting.response()); err != nil {
			b.Logger.Warn("interaction response failed", "guild", i.GuildID, "channel", i.ChannelID, "err", err)
		}
		return
	}
	defer b.end()
	defer b.recoverPanic("interaction")
	r := b.safeInteract(ctx, i)
	msg, err := rc.respond(ack, i, r.now)
	if err != nil {
		b.Logger.Warn("interaction response failed", "guild", i.GuildID, "channel", i.ChannelID, "err", err)
	}
	// A thread started from a public answer begins with its exchange.
	public := r.now.Data != nil && r.now.Data.Flags&discordgo.MessageFlagsEphemeral == 0
	if msg != "" && public {
		b.threads.answered(i.ChannelID, msg, turnOf(r.now.Data))
	}
	if r.later == nil {
		return
	}
	edits, cancel := context.WithDeadline(ctx, arrived.Add(b.AnswerLife))
	defer cancel()
	// Wait for the answer even when the response failed: it is work in
	// progress, and must end before shutdown does.
	r.later(func(e *discordgo.WebhookEdit) {
		if err != nil {
			return // never acknowledged: there is no response to edit
		}
		if err := rc.edit(edits, i, e); err != nil {
			b.Logger.Warn("interaction edit failed", "guild", i.GuildID, "channel", i.ChannelID, "err", err)
			return
		}
		if msg != "" && public {
			b.threads.answered(i.ChannelID, msg, turnOf(e))
		}
	})
}

// recoverPanic keeps a bug in handling one message from taking the bot
// down: discordgo runs handlers on goroutines of their own.
func (b *Bot) recoverPanic(what string) {
	if v := recover(); v != nil {
		b.recoverValue(what, v)
	}
}

// recoverValue logs and counts a recovered panic.
func (b *Bot) recoverValue(what string, v any) {
	b.Logger.Error("panic handling "+what, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	b.Metrics.panicked(what)
}

// selfID is the bot's user id, from READY.
func selfID(s *discordgo.Session) string {
	s.State.RLock()
	defer s.State.RUnlock()
	if s.State.User != nil {
		return s.State.User.ID
	}
	return ""
}

// applicationID is the application's id, from READY. For all but the
// oldest applications it is also the bot's user id.
func applicationID(s *discordgo.Session) string {
	s.State.RLock()
	defer s.State.RUnlock()
	if s.State.Application != nil && s.State.Application.ID != "" {
		return s.State.Application.ID
	}
	if s.State.User != nil {
		return s.State.User.ID
	}
	return ""
}
