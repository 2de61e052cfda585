package bot

import (
	"context"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// typingAfter is how long a chat answer may take before the bot shows
// that it is typing: extractive answers come sooner, model ones later.
// Discord shows the indicator for about 10 seconds; it is renewed every
// typingEvery while the answer is awaited.
const (
	typingAfter  = 300 * time.Millisecond
	typingEvery  = 8 * time.Second
	typingWithin = time.Second
)

// chatter sends and edits chat messages; *discordgo.Session is one.
type chatter interface {
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageEditComplex(m *discordgo.MessageEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelTyping(channelID string, options ...discordgo.RequestOption) error
}

var _ chatter = (*discordgo.Session)(nil)

// chatScope says which chat messages the bot answers besides mentions,
// DMs and replies to its answers.
type chatScope struct {
	self     string          // the bot's user id
	watched  map[string]bool // channels where every question is answered
	contents bool            // the MESSAGE_CONTENT intent was asked for
}

// cannotRead is the reply to a reply the bot cannot read: without the
// MESSAGE_CONTENT intent Discord hides the text of messages that don't
// mention the bot, replies to it included.
const cannotRead = "I can't read messages here — ask with /ask, or mention me."

// chat answers a chat message when it is meant for the bot: a DM, a
// mention, a reply to one of its messages (a follow-up when it replies to
// an answer, from /ask or from chat), or a question in a watched channel
// or in a thread started from one of its answers. The answer is a reply
// to the message. In a thread started from an answer, every question
// carries the thread's last exchange as its context.
//
// A question nobody addressed to the bot (in a watched channel or an
// answer's thread) that the story cannot answer is chatter: it gets no
// reply at all, not an abstention. threaded says that the message came
// from a thread (see inThread).
func (b *Bot) chat(ctx context.Context, s chatSession, scope chatScope, m *discordgo.Message, threaded bool) {
	if m == nil || m.Author == nil || m.Author.Bot || m.Author.System || m.Author.ID == scope.self || m.WebhookID != "" {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return // joins, pins, thread starts…
	}
	mentioned, others := false, false
	for _, u := range m.Mentions {
		if u == nil {
			continue
		}
		if u.ID == scope.self {
			mentioned = true
		} else {
			others = true
		}
	}
	var prev *answer.Turn
	replyToBot := false
	ref := m.ReferencedMessage
	if ref == nil && m.Type == discordgo.MessageTypeReply && m.MessageReference != nil && m.MessageReference.MessageID != "" {
		// Discord may leave the replied-to message out; the bot reads it.
		ref = b.referenced(ctx, s, m)
	}
	if ref != nil && ref.Author != nil {
		if ref.Author.ID == scope.self {
			replyToBot = true
			prev = previousTurn(ref)
		} else {
			others = true
		}
	}
	text := stripMention(m.Content, scope.self)
	dm := m.GuildID == ""
	// In a watched channel the bot answers questions, but stays out of
	// conversations between people: a message to someone else is theirs.
	question := !others && (strings.HasSuffix(text, "?") || strings.HasSuffix(text, "？"))
	watched := scope.watched[m.ChannelID] && question
	// A thread started from an answer is a conversation with the bot:
	// its questions are answered, with the thread's last exchange. An
	// unknown thread is looked up only for a message the bot may answer.
	var th thread
	if !dm && (mentioned || question || (replyToBot && prev == nil)) {
		th, _ = b.threads.of(ctx, s, scope.self, m.ChannelID, threaded)
	}
	inThread := th.turn != nil
	if !dm && !mentioned && !replyToBot && !watched && !(inThread && question) {
		return
	}
	if prev == nil {
		prev = th.turn
	}
	start := time.Now()
	o := origin{command: "chat", guild: m.GuildID, channel: m.ChannelID, user: m.Author.ID,
		quiet: !dm && !mentioned && !replyToBot}
	send := func(p post) *discordgo.Message {
		sent, err := s.ChannelMessageSendComplex(m.ChannelID, p.message(m))
		if err != nil {
			b.Logger.Warn("sending a reply failed", append(o.attrs(), "err", err)...)
			return nil
		}
		return sent
	}
	answered := false
	defer func() {
		// The message was for the bot: whatever breaks, it gets a reply.
		if v := recover(); v != nil {
			b.recoverValue("chat", v)
			if !answered && !o.quiet {
				send(sorry)
			}
		}
	}()
	if ok, wait := b.limiter.allow(o.user, start); !ok {
		b.logged(o, outcomeRateLimited, start)
		if b.limiter.shouldWarn(o.user, start) {
			send(note(rateLimitText(wait), false))
		}
		return
	}
	if text == "" && replyToBot && !mentioned && !dm && !scope.contents {
		b.logged(o, outcomeBadQuestion, start)
		send(note(cannotRead, false))
		return
	}
	q, err := answer.CleanQuestion(text)
	if err != nil {
		b.logged(o, outcomeBadQuestion, start)
		if !o.quiet {
			send(note(err.Error(), false))
		} // a stray "???" in a watched channel gets no lecture
		return
	}
	// A thread answers from the story of the channel it was started in.
	eo := o
	if th.parent != "" {
		eo.channel = th.parent
	}
	o.eng = b.chatEngine(ctx, eo)
	first, late := b.startAnswer(ctx, o, answer.Question{Text: q, Previous: prev}, start)
	p := b.showTyping(s, m.ChannelID, first)
	answered = true
	if p.silent {
		return // chatter; a model's later answer to it is not wanted either
	}
	sent := send(p)
	if sent == nil {
		return
	}
	b.threads.answered(m.ChannelID, sent.ID, turnOf(p.message(m)))
	if lp, ok := <-late; ok {
		if _, err := s.ChannelMessageEditComplex(lp.messageEdit(sent)); err != nil {
			b.Logger.Warn("editing a reply failed", append(o.attrs(), "err", err)...)
			return
		}
		b.threads.answered(m.ChannelID, sent.ID, turnOf(lp.message(m)))
	}
}

// referenced reads the message m replies to, nil if it can't.
func (b *Bot) referenced(ctx context.Context, s threadReader, m *discordgo.Message) *discordgo.Message {
	channel := m.MessageReference.ChannelID
	if channel == "" {
		channel = m.ChannelID
	}
	ctx, cancel := context.WithTimeout(ctx, threadLookupWithin)
	defer cancel()
	ref, err := s.ChannelMessage(channel, m.MessageReference.MessageID, discordgo.WithContext(ctx))
	if err != nil {
		b.Logger.Debug("reading the message replied to", "channel", channel, "err", err)
		return nil
	}
	return ref
}

// showTyping waits for the post to send, showing that the bot is typing
// when it takes a while: a sign of life while a model thinks.
func (b *Bot) showTyping(s chatter, channel string, first <-chan post) post {
	t := time.NewTimer(typingAfter)
	defer t.Stop()
	for {
		select {
		case p := <-first:
			return p
		case <-t.C:
			// A sign of life is worth little late: it gets one try, briefly.
			ctx, cancel := context.WithTimeout(context.Background(), typingWithin)
			if err := s.ChannelTyping(channel, discordgo.WithContext(ctx)); err != nil {
				b.Logger.Debug("typing indicator failed", "channel", channel, "err", err)
			}
			cancel()
			t.Reset(typingEvery)
		}
	}
}

// previousTurn recovers the exchange a reply refers to from the bot's
// answer: the question rides in the embed's author line, the short answer
// in its title, the answer is its description, and the paragraphs it
// cited are in the custom ids of its "Read ¶N" buttons. Messages that are
// not answers give nil.
func previousTurn(m *discordgo.Message) *answer.Turn {
	for _, e := range m.Embeds {
		if e.Author == nil {
			continue
		}
		if q, ok := strings.CutPrefix(e.Author.Name, questionPrefix); ok && strings.TrimSpace(q) != "" {
			t := &answer.Turn{Question: undefuse(q), Answer: unescape(e.Description), Short: unescape(e.Title)}
			for _, row := range m.Components {
				r, ok := row.(*discordgo.ActionsRow)
				if !ok {
					continue
				}
				for _, c := range r.Components {
					if b, ok := c.(*discordgo.Button); ok {
						if story, n, ok := parseButtonID(b.CustomID); ok {
							t.Cited = append(t.Cited, answer.Ref{Story: story, Paragraph: n})
						}
					}
				}
			}
			return t
		}
	}
	return nil
}

// unescape undoes what escapeMarkdown and defuse did to a text, so that
// the engine sees the words that were shown.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\*_~`|>[]#-0123456789", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return undefuse(b.String())
}

func undefuse(s string) string {
	return strings.NewReplacer("@\u200b", "@", "<\u200b", "<").Replace(s)
}

// stripMention removes the bot's own mentions from a message.
func stripMention(content, self string) string {
	return strings.TrimSpace(strings.NewReplacer("<@"+self+">", " ", "<@!"+self+">", " ").Replace(content))
}
