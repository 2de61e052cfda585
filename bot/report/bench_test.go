package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// benchLog is a class's log over a month: n questions by 120 students in
// 6 channels, a quarter of them unanswered, drawn from a few hundred
// phrasings with typos and numbers so that grouping has real work.
func benchLog(n, paragraphs int) []Question {
	subjects := []string{"Suleimani", "Hezbollah", "the Quds Force", "Qaani", "al-Muhandis", "the drone", "oil prices", "Pelosi", "the Pentagon", "Iraq's parliament",
		"the JCPOA", "the weather", "the funeral", "Kinzinger", "Raab", "Zarif", "the embassy", "the convoy", "the Rangers", "Fort Bragg"}
	asks := []string{"Who is %s?", "What did %s say?", "When was %s founded?", "why does %s matter", "how many people were with %s", "where is %s now", "what happened to %s %d"}
	log := make([]Question, n)
	state := uint64(42)
	next := func(k int) int { // a fixed xorshift: the same log on every run
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return int(state % uint64(k))
	}
	for i := range log {
		text := fmt.Sprintf(asks[next(len(asks))], subjects[next(len(subjects))], next(50))
		q := Question{
			Asked:   day0.Add(time.Duration(next(30*24*60)) * time.Minute),
			Channel: fmt.Sprint("c", next(6)), User: fmt.Sprint("u", next(120)), Text: text,
		}
		if next(4) == 0 {
			q.Abstained = true
			if next(2) == 0 {
				q.Cited = []int{1 + next(paragraphs)}
			}
		} else {
			q.Cited = []int{1 + next(paragraphs)%(1+next(paragraphs)), 1 + next(paragraphs)}
			switch next(10) {
			case 0:
				q.Vote, q.Reason = -1, []string{"wrong", "not in the story", "unclear", ""}[next(4)]
			case 1, 2:
				q.Vote = 1
			}
		}
		log[i] = q
	}
	return log
}

// BenchmarkReport is /report over a month of 100,000 questions: building
// the report, its Markdown and its PNG.
func BenchmarkReport(b *testing.B) {
	story := embedded(b)
	log := benchLog(100_000, len(story.Paragraphs))
	period := Period{Since: day0, Until: day0.AddDate(0, 0, 30)}
	b.ResetTimer()
	for b.Loop() {
		r := Build(story, period, log)
		_ = r.Markdown()
		if err := r.PNG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild is the counting and grouping alone.
func BenchmarkBuild(b *testing.B) {
	story := embedded(b)
	log := benchLog(100_000, len(story.Paragraphs))
	for b.Loop() {
		Build(story, Period{}, log)
	}
}

func TestBenchLogReport(t *testing.T) {
	story := embedded(t)
	r := Build(story, Period{}, benchLog(100_000, len(story.Paragraphs)))
	if r.Questions != 100_000 || r.Askers != 120 || len(r.Days) != 30 {
		t.Errorf("%d questions, %d askers, %d days", r.Questions, r.Askers, len(r.Days))
	}
	// 20 subjects × 7 ways of asking, and "what happened to X N" for 50
	// values of N are one question each: a few hundred groups at most.
	if len(r.Groups) == 0 || len(r.Groups) > 140 {
		t.Errorf("%d groups", len(r.Groups))
	}
	var buf bytes.Buffer
	if err := r.PNG(&buf); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkReportDistinct is the worst case for grouping: 100,000
// unanswered questions, nearly all different, made of the same few
// dozen words.
func BenchmarkReportDistinct(b *testing.B) {
	story := embedded(b)
	words := strings.Fields("who what when where why how general strike drone iran iraq oil troops killed attack leader force quds army city police money price war peace law court vote party name age born died wife son")
	log := make([]Question, 100_000)
	state := uint64(7)
	for i := range log {
		var w []string
		for range 6 {
			state ^= state << 13
			state ^= state >> 7
			state ^= state << 17
			w = append(w, words[state%uint64(len(words))])
		}
		log[i] = Question{Asked: day0, User: fmt.Sprint("u", i%300), Text: strings.Join(w, " "), Abstained: true}
	}
	b.ResetTimer()
	for b.Loop() {
		r := Build(story, Period{}, log)
		_ = r.Markdown()
	}
}
