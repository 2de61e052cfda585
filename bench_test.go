package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"storybot/answer"
	"storybot/answer/eval"
	"storybot/corpus"
	"storybot/index"
)

func benchEngine(b *testing.B) *engine {
	b.Helper()
	eng, closeEng, err := buildEngine(context.Background(), config{noLLM: true}, func(string) string { return "" }, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(closeEng)
	return eng
}

// benchQuestions are the questions of the project's own set for the
// embedded story.
func benchQuestions(b *testing.B) []string {
	b.Helper()
	items, err := eval.Load(filepath.Join("testdata", "eval", "soleimani.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	qs := make([]string, len(items))
	for i, it := range items {
		qs[i] = it.Q
	}
	return qs
}

// BenchmarkAsk is one question end to end: retrieve and answer. Besides
// the mean it reports the median and 99th percentile of single questions.
func BenchmarkAsk(b *testing.B) {
	eng := benchEngine(b)
	qs := benchQuestions(b)
	ctx := context.Background()
	var took []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := eng.Ask(ctx, answer.Question{Text: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		i++
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkBuildEngine is start-up work: parse the embedded story, index
// it and prepare the engine.
func BenchmarkBuildEngine(b *testing.B) {
	for b.Loop() {
		_, closeEng, err := buildEngine(context.Background(), config{noLLM: true}, func(string) string { return "" }, slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		closeEng()
	}
}

// BenchmarkAskBatch1000 is 1,000 questions through ask --json in one
// process, start-up included.
func BenchmarkAskBatch1000(b *testing.B) {
	qs := benchQuestions(b)
	var in strings.Builder
	for i := 0; i < 1000; i++ {
		in.WriteString(qs[i%len(qs)] + "\n")
	}
	getenv := func(string) string { return "" }
	for b.Loop() {
		var out lineCounter
		if err := run(context.Background(), []string{"storybot", "ask", "--json"}, getenv, strings.NewReader(in.String()), &out, io.Discard); err != nil {
			b.Fatal(err)
		}
		if out != 1000 {
			b.Fatalf("%d lines out, want 1000", out)
		}
	}
}

// A lineCounter is the standard output of a batch benchmark: it counts
// the lines written and keeps nothing, as a pipe or a file would. A
// bytes.Buffer growing to the 2 MB that 1,000 answers make would add its
// own copying and garbage to what is measured.
type lineCounter int

func (c *lineCounter) Write(p []byte) (int, error) {
	*c += lineCounter(bytes.Count(p, []byte("\n")))
	return len(p), nil
}

// BenchmarkAskCold is process start to printed answer: it builds the
// program once and runs `storybot ask` as a user would.
func BenchmarkAskCold(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "storybot")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "ask", "Who authorized the airstrike?")
		cmd.Dir = b.TempDir() // no .env from the working tree
		out, err := cmd.Output()
		if err != nil || !bytes.Contains(out, []byte("Trump")) {
			b.Fatalf("ask: %v: %s", err, out)
		}
	}
}

// BenchmarkBleveBatch1000 is the yardstick for BenchmarkAskBatch1000: the
// same 1,000 questions through a bare Bleve loop — the story indexed, each
// line's words stemmed and searched, the best paragraphs written as a JSON
// line — with none of the engine's reading, ranking or abstaining.
func BenchmarkBleveBatch1000(b *testing.B) {
	qs := benchQuestions(b)
	for b.Loop() {
		stories := []*corpus.Story{corpus.Embedded()}
		ix, err := index.Build(stories)
		if err != nil {
			b.Fatal(err)
		}
		var out lineCounter
		enc := json.NewEncoder(&out)
		for i := 0; i < 1000; i++ {
			var q answer.Query
			for _, t := range corpus.Tokens(qs[i%len(qs)]) {
				q.Terms = append(q.Terms, answer.Term{Text: corpus.Stem(t.Norm)})
			}
			q.Limit = 3
			hits, err := ix.Search(context.Background(), q)
			if err != nil {
				b.Fatal(err)
			}
			enc.Encode(hits)
		}
		if out != 1000 {
			b.Fatalf("%d lines out, want 1000", out)
		}
		ix.Close()
	}
}
