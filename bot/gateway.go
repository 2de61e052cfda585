package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// DefaultAPIURL is Discord's own REST API.
const DefaultAPIURL = "https://discord.com/api/v9"

// A Connection says how to reach Discord.
type Connection struct {
	Token string
	// APIURL is the base of a Discord-compatible REST API (default
	// DefaultAPIURL). Every REST call goes through it, and the gateway is
	// the one it reports, so the bot also runs against self-hosted
	// servers and test fakes.
	APIURL string
	// GuildID, when set, registers the commands in that guild only, where
	// changes show at once; otherwise they are global.
	GuildID string
	// Channels get every question (a message ending in "?") answered;
	// this needs the privileged MESSAGE_CONTENT intent.
	Channels []string
	// ShardID and ShardCount split a very large bot across processes.
	ShardID, ShardCount int
}

// ErrUnauthorized reports a token Discord rejects.
var ErrUnauthorized = errors.New("Discord rejected the bot token: check DISCORD_TOKEN")

// newSession makes a discordgo session whose REST calls go to apiURL.
func newSession(c Connection) (*discordgo.Session, error) {
	s, err := discordgo.New("Bot " + c.Token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	api := c.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	base, err := url.Parse(strings.TrimRight(api, "/") + "/")
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("discord API URL %q: want an http(s) URL", api)
	}
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: rebase{base: base, next: http.DefaultTransport}}
	s.LogLevel = discordgo.LogError
	s.ShouldReconnectOnError = true
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 2
	return s, nil
}

// rebase sends requests for Discord's API to another base URL: discordgo
// builds its URLs from package-level endpoints, and rewriting them here
// leaves those untouched.
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (r rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == "discord.com" && strings.HasPrefix(req.URL.Path, "/api/v") {
		rest := strings.TrimPrefix(req.URL.Path, "/api/v")
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[i+1:]
		} else {
			rest = ""
		}
		u := *r.base
		u.Path = strings.TrimRight(r.base.Path, "/") + "/" + rest
		u.RawPath = ""
		u.RawQuery = req.URL.RawQuery
		req = req.Clone(req.Context())
		req.URL = &u
		req.Host = u.Host
	}
	return r.next.RoundTrip(req)
}

// whoAmI asks Discord for the bot's own user, which checks the token.
func whoAmI(s *discordgo.Session) (*discordgo.User, error) {
	me, err := s.User("@me")
	if err != nil {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
			return nil, ErrUnauthorized
		}
		return nil, fmt.Errorf("discord: %w", err)
	}
	return me, nil
}

// Run connects to the gateway and serves until ctx is done; then it
// finishes the answers in progress, closes the connection and returns nil.
func (b *Bot) Run(ctx context.Context, c Connection) error {
	b.init()
	s, err := newSession(c)
	if err != nil {
		return err
	}
	me, err := whoAmI(s)
	if err != nil {
		return err
	}
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if len(c.Channels) > 0 {
		s.Identify.Intents |= discordgo.IntentsMessageContent
	}
	if c.ShardCount > 1 {
		s.ShardID, s.ShardCount = c.ShardID, c.ShardCount
	}
	work := context.WithoutCancel(ctx) // answers in flight outlive the shutdown signal
	channels := map[string]bool{}
	for _, ch := range c.Channels {
		channels[ch] = true
	}
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if !b.begin() {
			return
		}
		defer b.work.Done()
		r := b.interact(work, ic.Interaction)
		if err := s.InteractionRespond(ic.Interaction, r.now); err != nil {
			b.Logger.Warn("interaction response failed", "guild", ic.GuildID, "channel", ic.ChannelID, "err", err)
			return
		}
		if r.later != nil {
			if _, err := s.InteractionResponseEdit(ic.Interaction, r.later()); err != nil {
				b.Logger.Warn("interaction edit failed", "guild", ic.GuildID, "channel", ic.ChannelID, "err", err)
			}
		}
	})
	s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
		if !b.begin() {
			return
		}
		defer b.work.Done()
		b.chat(work, s, me.ID, channels, m.Message)
	})
	if err := s.Open(); err != nil {
		return fmt.Errorf("discord gateway: %w", err)
	}
	if _, err := s.ApplicationCommandBulkOverwrite(me.ID, c.GuildID, b.Commands()); err != nil {
		s.Close()
		return fmt.Errorf("register commands: %w", err)
	}
	b.Logger.Info("connected to Discord", "user", me.ID, "guild", c.GuildID, "shard", c.ShardID, "shards", c.ShardCount)
	<-ctx.Done()
	b.Logger.Info("shutting down: finishing answers in progress")
	b.drain()
	if err := s.Close(); err != nil {
		b.Logger.Warn("closing the gateway", "err", err)
	}
	return nil
}

// poster sends chat messages; *discordgo.Session is one.
type poster interface {
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
}

// chat answers a chat message when it is meant for the bot: a DM, a
// mention, a reply to one of its answers (a follow-up), or a question in
// one of the watched channels.
func (b *Bot) chat(ctx context.Context, s poster, self string, channels map[string]bool, m *discordgo.Message) {
	if m.Author == nil || m.Author.Bot || m.Author.ID == self {
		return
	}
	mentioned := false
	for _, u := range m.Mentions {
		mentioned = mentioned || u.ID == self
	}
	var prev *answer.Turn
	if ref := m.ReferencedMessage; ref != nil && ref.Author != nil && ref.Author.ID == self {
		prev = previousTurn(ref)
		mentioned = true
	}
	text := stripMention(m.Content, self)
	watched := channels[m.ChannelID] && strings.HasSuffix(strings.TrimSpace(text), "?")
	if !(m.GuildID == "" || mentioned || watched) {
		return
	}
	start := time.Now()
	user := m.Author.ID
	send := func(ms *discordgo.MessageSend) {
		ms.AllowedMentions = noMentions()
		ms.Reference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: new(bool)}
		if _, err := s.ChannelMessageSendComplex(m.ChannelID, ms); err != nil {
			b.Logger.Warn("send failed", "guild", m.GuildID, "channel", m.ChannelID, "err", err)
		}
	}
	if ok, wait := b.limiter.allow(user, start); !ok {
		b.observe(m.GuildID, m.ChannelID, user, "rate_limited", start)
		if b.limiter.shouldWarn(user, start) {
			send(&discordgo.MessageSend{Content: rateLimitText(wait)})
		}
		return
	}
	q, err := answer.CleanQuestion(text)
	if err != nil {
		b.observe(m.GuildID, m.ChannelID, user, "bad_question", start)
		send(&discordgo.MessageSend{Content: err.Error()})
		return
	}
	if typing, ok := s.(interface {
		ChannelTyping(string, ...discordgo.RequestOption) error
	}); ok {
		typing.ChannelTyping(m.ChannelID)
	}
	edit := b.answerEdit(ctx, answer.Question{Text: q, Previous: prev}, m.GuildID, m.ChannelID, user, start)
	ms := &discordgo.MessageSend{Content: deref(edit.Content), Embeds: derefEmbeds(edit.Embeds), Components: derefComponents(edit.Components)}
	for _, e := range ms.Embeds {
		// The question rides along in the answer, so a reply to it can
		// be understood as a follow-up.
		e.Author = &discordgo.MessageEmbedAuthor{Name: truncate(clean("Q: "+q), maxTitle)}
		fitEmbed(e)
	}
	send(ms)
}

// previousTurn recovers the exchange a reply refers to from the bot's
// answer message.
func previousTurn(m *discordgo.Message) *answer.Turn {
	for _, e := range m.Embeds {
		if e.Author != nil && strings.HasPrefix(e.Author.Name, "Q: ") {
			return &answer.Turn{Question: strings.TrimPrefix(e.Author.Name, "Q: "), Answer: e.Description}
		}
	}
	return nil
}

// stripMention removes the bot's own mention from a message.
func stripMention(content, self string) string {
	return strings.TrimSpace(strings.NewReplacer("<@"+self+">", " ", "<@!"+self+">", " ").Replace(content))
}
