package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/bot/store"
	"storybot/corpus"
)

// A ClassStore is what a Classroom keeps between restarts; every
// store.Store (sqlite, postgres) is one.
type ClassStore interface {
	store.Stories
	store.Choices
	store.Settings
	store.Log
	store.Reports
	store.Quiz
}

// Engines builds the engine that answers from one story a teacher added.
// Building an index takes a while: an implementation keeps the engines it
// built, by the story's Hash, and hands the same one out again.
type Engines interface {
	Engine(ctx context.Context, st *corpus.Story) (Engine, error)
}

// A Classroom is what turns the bot into a classroom tool: the stories a
// server's teachers add and choose per channel, the question log with
// 👍/👎 feedback, the teacher's report, and the quiz. Set it on
// Bot.Classroom; a Bot without one answers from its Engine alone, as
// before. Store, Engines and Key are required; every other field's zero
// value is the documented default.
//
// The store is the source of truth: every bot replica sharing it sees the
// same stories and choices. What is kept in memory (parsed stories, quiz
// rounds, the add rate) is a cache or belongs to this process's session.
type Classroom struct {
	Store   ClassStore
	Engines Engines
	// Key signs the custom ids of feedback buttons, so that a crafted
	// interaction cannot vote on a question the bot never showed. Keep it
	// secret and the same across replicas (and restarts, for old buttons
	// to keep working).
	Key []byte
	// Client fetches the attachments teachers add (default: a client
	// with a 20-second timeout).
	Client *http.Client
	// TeacherRole is a role id whose members count as teachers, besides
	// members with Manage Server; a server's own setting
	// (store.SettingTeacherRole) counts as well.
	TeacherRole string
	// Limits bound a story added (default corpus.DefaultStoryLimits).
	Limits corpus.StoryLimits
	// MaxStories bounds the stories of one server (default 20).
	MaxStories int
	// AddsPerHour bounds the stories one teacher adds in an hour
	// (default 10).
	AddsPerHour int
	// QuizTime is how long a quiz question stays open (default 60s).
	QuizTime time.Duration

	// after is the quiz's timer; tests close rounds themselves.
	after func(time.Duration) <-chan time.Time
	now   func() time.Time

	mu      sync.Mutex
	parsed  map[string]*corpus.Story // by "guild\x00name\x00hash", bounded
	adds    map[string][]time.Time   // teacher → times of recent adds
	quizzes map[string]*channelQuiz  // channel → its quiz session
}

// Defaults of the Classroom's settings.
const (
	DefaultMaxStories  = 20
	DefaultAddsPerHour = 10
	DefaultQuizTime    = 60 * time.Second
	// maxParsed bounds the parsed stories kept in memory.
	maxParsed = 64
	// storeWithin bounds one store call made while Discord waits.
	storeWithin = 2 * time.Second
)

// setup applies the defaults. Every entry point calls it; it is cheap
// after the first time.
func (c *Classroom) setup() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parsed != nil {
		return
	}
	c.parsed = map[string]*corpus.Story{}
	c.adds = map[string][]time.Time{}
	c.quizzes = map[string]*channelQuiz{}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 20 * time.Second}
	}
	if c.MaxStories <= 0 {
		c.MaxStories = DefaultMaxStories
	}
	if c.AddsPerHour <= 0 {
		c.AddsPerHour = DefaultAddsPerHour
	}
	if c.QuizTime <= 0 {
		c.QuizTime = DefaultQuizTime
	}
	if c.after == nil {
		c.after = time.After
	}
	if c.now == nil {
		c.now = time.Now
	}
}

// Validate reports a Classroom that cannot work.
func (c *Classroom) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("classroom: no store")
	case c.Engines == nil:
		return errors.New("classroom: no engines")
	case len(c.Key) < 16:
		return errors.New("classroom: the signing key must be at least 16 bytes")
	}
	return nil
}

// engineKey carries the engine a request is answered from in its
// context, down to Bot.ask.
type engineKey struct{}

func withEngine(ctx context.Context, e Engine) context.Context {
	return context.WithValue(ctx, engineKey{}, e)
}

// engineIn is the engine ctx carries, else def.
func engineIn(ctx context.Context, def Engine) Engine {
	if e, ok := ctx.Value(engineKey{}).(Engine); ok && e != nil {
		return e
	}
	return def
}

// engineOf is the engine that answers a request: its channel's story's,
// else the bot's own.
func (b *Bot) engineOf(o origin) Engine {
	if o.eng != nil {
		return o.eng
	}
	return b.Engine
}

// errNoStoryHere: a story named in a command does not exist in the server.
var errNoStoryHere = errors.New("no such story in this server")

// storyFor returns the stored story that answers in a channel: the one
// named, else the channel's choice, else the server's; nil when the
// server has chosen none (the bot's own engine answers then).
func (c *Classroom) storyFor(ctx context.Context, guild, channel, name string) (*corpus.Story, error) {
	c.setup() // a chat message may come before any interaction
	if guild == "" {
		return nil, nil
	}
	if name == "" {
		var err error
		if name, err = c.Store.ChosenStory(ctx, guild, channel); err != nil {
			return nil, fmt.Errorf("chosen story: %w", err)
		}
		if name == "" {
			return nil, nil
		}
	}
	list, err := c.Store.Stories(ctx, guild)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	i := slices.IndexFunc(list, func(s store.Story) bool { return s.Name == name })
	if i < 0 {
		return nil, errNoStoryHere
	}
	key := guild + "\x00" + name + "\x00" + list[i].Hash
	c.mu.Lock()
	st := c.parsed[key]
	c.mu.Unlock()
	if st != nil {
		return st, nil
	}
	full, err := c.Store.Story(ctx, guild, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoStoryHere
	}
	if err != nil {
		return nil, fmt.Errorf("story: %w", err)
	}
	st = corpus.Parse(full.Name, full.Text)
	if st.Title == "" || st.Title == full.Name {
		st.Title = full.Title
	}
	c.mu.Lock()
	if len(c.parsed) >= maxParsed {
		clear(c.parsed) // a cache: what is dropped is parsed again
	}
	c.parsed[key] = st
	c.mu.Unlock()
	return st, nil
}

// resolve finds the engine of a channel (or of the story named): nil
// for the bot's own.
func (b *Bot) resolve(ctx context.Context, guild, channel, name string) (Engine, *corpus.Story, error) {
	c := b.Classroom
	if c == nil || guild == "" {
		return nil, nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := c.storyFor(ctx, guild, channel, name)
	if err != nil || st == nil {
		return nil, nil, err
	}
	e, err := c.Engines.Engine(ctx, st)
	if err != nil {
		return nil, nil, fmt.Errorf("engine for %s: %w", st.Name, err)
	}
	return e, st, nil
}

// chatEngine is the engine that answers a chat message in its channel;
// when the channel's story cannot be loaded, the bot's own answers, and
// the failure is logged.
func (b *Bot) chatEngine(ctx context.Context, o origin) Engine {
	e, _, err := b.resolve(ctx, o.guild, o.channel, "")
	if err != nil {
		b.Logger.Error("loading the channel's story", append(o.attrs(), "err", err)...)
	}
	return e
}

// isTeacher reports whether the member of an interaction may manage
// stories and read reports: Manage Server or Administrator, or the
// configured teacher role, or the server's own teacher role setting.
// Discord hides the commands from others (default_member_permissions),
// but a server admin can change that, so every call checks again.
func (b *Bot) isTeacher(ctx context.Context, i *discordgo.Interaction) bool {
	m := i.Member
	if i.GuildID == "" || m == nil || m.User == nil {
		return false
	}
	if m.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0 {
		return true
	}
	c := b.Classroom
	if c.TeacherRole != "" && slices.Contains(m.Roles, c.TeacherRole) {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, storeWithin)
	defer cancel()
	role, err := c.Store.Setting(ctx, i.GuildID, store.SettingTeacherRole)
	if err != nil {
		b.Logger.Warn("reading the teacher role", "guild", i.GuildID, "err", err)
		return false
	}
	return role != "" && slices.Contains(m.Roles, role)
}

// teachersOnly is the refusal a member who is not a teacher gets.
var teachersOnly = note("Only teachers can do that: members with Manage Server, or with the teacher role.", true)

// storeTrouble is the reply when the store fails.
var storeTrouble = note("Sorry, I couldn't reach my records just now. Please try again in a minute.", true)

// sign returns the signature of a custom id's payload: 12 bytes of an
// HMAC-SHA256, base64url (16 characters).
func (c *Classroom) sign(payload string) string {
	m := hmac.New(sha256.New, c.Key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// signed reports whether sig signs payload.
func (c *Classroom) signed(payload, sig string) bool {
	return hmac.Equal([]byte(c.sign(payload)), []byte(sig))
}
