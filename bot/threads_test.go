package bot

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// threadReaderFunc is a threadReader whose answers each test states.
type threadReaderFunc struct {
	channel func(id string) (*discordgo.Channel, error)
	message func(channel, id string) (*discordgo.Message, error)
	calls   int
}

func (f *threadReaderFunc) Channel(id string, _ ...discordgo.RequestOption) (*discordgo.Channel, error) {
	f.calls++
	return f.channel(id)
}

func (f *threadReaderFunc) ChannelMessage(channel, id string, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.calls++
	return f.message(channel, id)
}

var _ threadReader = (*threadReaderFunc)(nil)

func restStatus(code int) error {
	return &discordgo.RESTError{Response: &http.Response{StatusCode: code}}
}

func TestThreadLookup(t *testing.T) {
	t.Parallel()
	const self, parent, thread = "1", "2", "3"
	answerMsg := func(author string) *discordgo.Message {
		return &discordgo.Message{ID: thread, Author: &discordgo.User{ID: author}, Embeds: []*discordgo.MessageEmbed{
			{Author: &discordgo.MessageEmbedAuthor{Name: questionPrefix + "who @\u200beveryone?"}, Description: "Him."}}}
	}
	isThread := func(string) (*discordgo.Channel, error) {
		return &discordgo.Channel{ID: thread, Type: discordgo.ChannelTypeGuildPublicThread, ParentID: parent}, nil
	}
	tests := []struct {
		name     string
		channel  func(string) (*discordgo.Channel, error)
		message  func(string, string) (*discordgo.Message, error)
		ok       bool   // known after the lookup
		question string // the thread's turn's question; "" for none
		again    bool   // a second message looks it up again
	}{
		{"from an answer", isThread, func(string, string) (*discordgo.Message, error) { return answerMsg(self), nil }, true, "who @everyone?", false},
		{"from someone else's message", isThread, func(string, string) (*discordgo.Message, error) { return answerMsg("9"), nil }, true, "", false},
		{"from the bot's non-answer", isThread, func(string, string) (*discordgo.Message, error) {
			return &discordgo.Message{Author: &discordgo.User{ID: self}, Content: "hi"}, nil
		}, true, "", false},
		{"starter deleted", isThread, func(string, string) (*discordgo.Message, error) { return nil, restStatus(404) }, true, "", false},
		{"starter unreadable", isThread, func(string, string) (*discordgo.Message, error) { return nil, restStatus(403) }, true, "", false},
		{"starter lookup fails", isThread, func(string, string) (*discordgo.Message, error) { return nil, restStatus(500) }, false, "", true},
		{"a plain channel", func(string) (*discordgo.Channel, error) {
			return &discordgo.Channel{Type: discordgo.ChannelTypeGuildText}, nil
		}, nil, true, "", false},
		{"a thread without a parent", func(string) (*discordgo.Channel, error) {
			return &discordgo.Channel{Type: discordgo.ChannelTypeGuildPublicThread}, nil
		}, nil, true, "", false},
		{"channel hidden", func(string) (*discordgo.Channel, error) { return nil, restStatus(403) }, nil, true, "", false},
		{"network down", func(string) (*discordgo.Channel, error) { return nil, errors.New("dial tcp: refused") }, nil, false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := newThreads(8)
			r := &threadReaderFunc{channel: tt.channel, message: tt.message}
			got, ok := th.of(context.Background(), r, self, thread, true)
			if ok != tt.ok {
				t.Errorf("ok %v, want %v", ok, tt.ok)
			}
			q := ""
			if got.turn != nil {
				q = got.turn.Question
			}
			if q != tt.question {
				t.Errorf("turn %+v, want the question %q", got.turn, tt.question)
			}
			calls := r.calls
			th.of(context.Background(), r, self, thread, true)
			if again := r.calls > calls; again != tt.again {
				t.Errorf("looked up again: %v, want %v", again, tt.again)
			}
			// A message not from a thread never costs a lookup.
			calls = r.calls
			if _, ok := th.of(context.Background(), r, self, "4", false); ok || r.calls != calls {
				t.Error("an unknown channel outside threads was looked up")
			}
		})
	}
}

func TestThreadMemoryIsBounded(t *testing.T) {
	t.Parallel()
	th := newThreads(3)
	e := newFakeEngine()
	res, _ := e.Ask(context.Background(), answer.Question{Text: "who?"})
	p := (&Bot{Engine: e}).render(answer.Question{Text: "who?"}, res)
	turn := turnOf(p.message(&discordgo.Message{}))
	if turn == nil || turn.Question != "who?" {
		t.Fatalf("the answer's turn: %+v", turn)
	}
	for i := range 10 {
		th.answered("c", string(rune('a'+i)), turn)
	}
	if n := th.cache.Len(); n != 3 {
		t.Errorf("%d threads remembered, want the bound of 3", n)
	}
	if _, ok := th.cache.Peek("j"); !ok {
		t.Error("the latest answer was forgotten")
	}
}
