package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	lru "github.com/hashicorp/golang-lru/v2"

	"storybot/answer"
)

// threadLookupWithin bounds the REST calls that find out whether a
// channel is a thread started from one of the bot's answers.
const threadLookupWithin = 3 * time.Second

// threadReader finds out what a thread was started from; *discordgo.Session
// is one.
type threadReader interface {
	Channel(channelID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	ChannelMessage(channelID, messageID string, options ...discordgo.RequestOption) (*discordgo.Message, error)
}

var _ threadReader = (*discordgo.Session)(nil)

// chatSession is what answering chat messages needs of Discord.
type chatSession interface {
	chatter
	threadReader
}

// A thread is what the bot knows of a channel: whether it is a thread
// started from one of its answers, and if so the conversation so far.
type thread struct {
	// turn is the last exchange in the thread (at first, the answer it
	// was started from); nil: the channel is not an answer's thread.
	turn *answer.Turn
	// parent is the channel the thread was started in, whose story
	// answers in it.
	parent string
}

// threads remembers, per channel id, the thread it is (or that it is
// none), in a bounded LRU: a thread keeps its conversation's context for
// as long as it is in use, and memory stays bounded however many
// channels the bot sees. A thread started from a message has that
// message's id, so each answer the bot sends is remembered under its own
// id as the thread it may start; threads the bot has not seen start (an
// answer to /ask, a restart) are looked up once through the REST API.
// The cache is safe for concurrent use.
type threads struct {
	cache *lru.Cache[string, thread]
}

func newThreads(size int) *threads {
	c, err := lru.New[string, thread](size)
	if err != nil {
		panic(err) // only for size <= 0, which setup never passes
	}
	return &threads{cache: c}
}

// answered records that the bot's answer (its exchange turn, nil for a
// message that is not an answer) was posted as message id in channel: a
// thread started from it begins with that exchange, and when channel is
// itself an answer's thread, turn is now its last exchange.
func (t *threads) answered(channel, id string, turn *answer.Turn) {
	if turn == nil {
		return
	}
	if th, ok := t.cache.Peek(channel); ok && th.turn != nil {
		t.cache.Add(channel, thread{turn: turn, parent: th.parent})
	}
	if id != "" {
		t.cache.Add(id, thread{turn: turn, parent: channel})
	}
}

// of returns what the bot knows of channel. When it has never seen it
// and lookup is set (the message came from a thread), it looks it up: a
// thread (channel type 11 or 12) whose starter message in its parent
// channel is an answer of the bot's. ok is false when the lookup failed;
// that is not remembered, so the next message tries again.
func (t *threads) of(ctx context.Context, s threadReader, self, channel string, lookup bool) (th thread, ok bool) {
	if th, ok := t.cache.Get(channel); ok || !lookup {
		return th, ok
	}
	ctx, cancel := context.WithTimeout(ctx, threadLookupWithin)
	defer cancel()
	ch, err := s.Channel(channel, discordgo.WithContext(ctx))
	if err != nil {
		if gone(err) { // a channel the bot can't read has no answer to start from
			t.cache.Add(channel, thread{})
			return thread{}, true
		}
		return thread{}, false
	}
	if !ch.IsThread() || ch.ParentID == "" {
		t.cache.Add(channel, thread{})
		return thread{}, true
	}
	start, err := s.ChannelMessage(ch.ParentID, channel, discordgo.WithContext(ctx))
	switch {
	case gone(err):
		// A thread not started from a message, or whose message is gone.
		t.cache.Add(channel, thread{})
		return thread{}, true
	case err != nil:
		return thread{}, false
	}
	th = thread{parent: ch.ParentID}
	if start.Author != nil && start.Author.ID == self {
		th.turn = previousTurn(start)
	}
	t.cache.Add(channel, th)
	return th, true
}

// gone reports whether a REST call failed for good: the channel or
// message does not exist, or the bot may not read it.
func gone(err error) bool {
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response == nil {
		return false
	}
	return re.Response.StatusCode == http.StatusNotFound || re.Response.StatusCode == http.StatusForbidden
}

// inThread reports whether a MESSAGE_CREATE's raw data says the message
// was sent in a thread: only messages in threads carry a "position".
// Only then is an unknown channel worth looking up.
func inThread(raw json.RawMessage) bool {
	var m struct {
		Position *int `json:"position"`
	}
	return json.Unmarshal(raw, &m) == nil && m.Position != nil
}

// turnOf is the exchange a message holds (v is anything that encodes as
// one: a post's message, an interaction response's data, an edit), read
// back exactly as a reply to it would be (previousTurn): nil for a
// message that is not an answer.
func turnOf(v any) *answer.Turn {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m discordgo.Message
	if err := json.Unmarshal(raw, &m); err != nil || len(m.Embeds) == 0 {
		return nil
	}
	return previousTurn(&m)
}
