package bot

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// TestPreviousTurnRoundTrip sends an answer as the bot renders it through
// JSON, as Discord hands it back in a reply's message_reference, and reads
// the exchange back: the question, the short answer and the cited
// paragraphs come from structured fields (author, title, button ids), not
// from re-reading the text.
func TestPreviousTurnRoundTrip(t *testing.T) {
	res := answer.Result{
		Question: "who replaced soleimani?",
		Short:    "Esmail Ghaani",
		Answer:   "General Qassem Soleimani, left, and his replacement General Esmail Ghaani, right",
		Citations: []answer.Citation{
			{Story: "soleimani-strike", Paragraph: 34, Quote: "q", Text: "t"},
			{Story: "soleimani-strike", Paragraph: 61, Quote: "q", Text: "t"},
		},
		Mode: answer.ModeExtractive,
	}
	sent := &discordgo.MessageSend{
		Embeds:     []*discordgo.MessageEmbed{answerEmbed(res.Question, res, "Title", false)},
		Components: paragraphButtons(res, false),
	}
	if sent.Embeds[0].Title != "Esmail Ghaani" {
		t.Errorf("the short answer is not the embed's title: %q", sent.Embeds[0].Title)
	}
	b, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	var got discordgo.Message
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	turn := previousTurn(&got)
	want := &answer.Turn{
		Question: res.Question,
		Answer:   res.Answer,
		Short:    "Esmail Ghaani",
		Cited:    []answer.Ref{{Story: "soleimani-strike", Paragraph: 34}, {Story: "soleimani-strike", Paragraph: 61}},
	}
	if !reflect.DeepEqual(turn, want) {
		t.Errorf("previousTurn = %+v, want %+v", turn, want)
	}
	// An abstention has no short answer to show or to carry.
	res.Abstained, res.Nearest = true, res.Citations
	if e := answerEmbed(res.Question, res, "Title", false); e.Title != "" {
		t.Errorf("an abstention shows a short answer: %q", e.Title)
	}
}
