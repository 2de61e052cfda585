package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"storybot/answer"
)

// failingWriter is a full disk or a closed pipe.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestAskReportsAFailedWrite(t *testing.T) {
	for _, args := range [][]string{{"ask", "Who authorized the strike?"}, {"ask", "--json"}} {
		err := run(context.Background(), append([]string{"storybot"}, args...), func(string) string { return "" },
			strings.NewReader("Who authorized the strike?\n"), failingWriter{}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "no space left") {
			t.Errorf("%v: lost answers without an error: %v", args, err)
		}
	}
}

func TestHelpListsTheFlags(t *testing.T) {
	for _, cmd := range []string{"ask", "chat", "eval", "train", "search", "passage"} {
		var out strings.Builder
		err := run(context.Background(), []string{"storybot", cmd, "--help"}, func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
		if err != nil || !strings.Contains(out.String(), "Usage: storybot "+cmd) || !strings.Contains(out.String(), "-corpus") && cmd != "eval" && cmd != "train" {
			t.Errorf("%s --help: %v\n%s", cmd, err, out.String())
		}
	}
}

// TestAskAnswersEachLineAtOnce: at a terminal (here a pipe kept open) the
// answer to a line comes before the next line is typed.
func TestAskAnswersEachLineAtOnce(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"storybot", "ask", "--json"}, func(string) string { return "" }, inR, outW, io.Discard)
		outW.Close()
	}()
	go io.WriteString(inW, "How many troops did the Pentagon ready at Fort Bragg?\n")
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(outR).ReadString('\n')
		got <- line
	}()
	select {
	case line := <-got:
		if !strings.Contains(line, "4,000") {
			t.Fatalf("answer %q", line)
		}
	case <-time.After(30 * time.Second):
		inW.Close()
		t.Fatal("no answer while the input stays open")
	}
	inW.Close()
	go io.Copy(io.Discard, outR)
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// TestChatStopsAtThePrompt: Ctrl-C while chat waits for a question ends
// it, without waiting for Enter.
func TestChatStopsAtThePrompt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	inR, _ := io.Pipe() // nothing is ever typed
	done := make(chan error, 1)
	var out syncWriter
	go func() {
		done <- run(ctx, []string{"storybot", "chat"}, func(string) string { return "" }, inR, &out, io.Discard)
	}()
	time.Sleep(200 * time.Millisecond) // let it reach the prompt (a wait, not an assertion)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("chat did not stop at the prompt when interrupted")
	}
}

// TestAnswerLinesKeepsOrder: answers finished out of order are emitted
// in the order of the lines, no more than workers are answered at once,
// every line is answered once, and each is asked after the line before.
func TestAnswerLinesKeepsOrder(t *testing.T) {
	lines := []string{"a", "b", "c", "d", "e", "f", "g"}
	release := map[string]chan struct{}{}
	for _, l := range lines {
		release[l] = make(chan struct{})
	}
	var mu sync.Mutex
	inFlight, most := 0, 0
	answerOf := func(text, before string) (answer.Result, error) {
		if i := slices.Index(lines, text); i > 0 && before != lines[i-1] || i == 0 && before != "" {
			t.Errorf("%q was asked after %q", text, before)
		}
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		<-release[text]
		mu.Lock()
		inFlight--
		mu.Unlock()
		return answer.Result{Answer: "answer to " + text}, nil
	}
	// The lines are let go last first, three at a time.
	go func() {
		for i := 0; i < len(lines); i += 3 {
			group := lines[i:min(i+3, len(lines))]
			for j := len(group) - 1; j >= 0; j-- {
				close(release[group[j]])
			}
		}
	}()
	var got []string
	emit := func(text string, res answer.Result, err error) error {
		if err != nil || res.Answer != "answer to "+text {
			t.Errorf("%q: %q, %v", text, res.Answer, err)
		}
		got = append(got, text)
		return nil
	}
	if err := answerLines(context.Background(), strings.NewReader(strings.Join(lines, "\n")+"\n"), 3, answerOf, emit); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, lines) {
		t.Errorf("emitted %v, want %v", got, lines)
	}
	if most > 3 {
		t.Errorf("%d answered at once, want at most 3", most)
	}
}

// errReader gives its text, then an error.
type errReader struct {
	text string
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if r.text == "" {
		return 0, r.err
	}
	n := copy(p, r.text)
	r.text = r.text[n:]
	return n, nil
}

// TestAnswerLinesStops: a failed emit or a failed read ends the run with
// its error, after the answers to the lines before it and before any
// answer to the lines after; no answering is still running on return.
func TestAnswerLinesStops(t *testing.T) {
	var running atomic.Int32
	answerOf := func(text, _ string) (answer.Result, error) {
		running.Add(1)
		defer running.Add(-1)
		return answer.Result{Answer: text}, nil
	}
	full := errors.New("no space left on device")
	var got []string
	emit := func(text string, _ answer.Result, _ error) error {
		if text == "c" {
			return full
		}
		got = append(got, text)
		return nil
	}
	err := answerLines(context.Background(), strings.NewReader("a\nb\nc\nd\ne\nf\n"), 2, answerOf, emit)
	if !errors.Is(err, full) || !slices.Equal(got, []string{"a", "b"}) || running.Load() != 0 {
		t.Errorf("emitted %v, returned %v, %d still answering; want a and b, then the write's error", got, err, running.Load())
	}

	broken := errors.New("connection reset")
	got = nil
	err = answerLines(context.Background(), &errReader{text: "a\nb\n", err: broken}, 2, answerOf, emit)
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "read questions") || !slices.Equal(got, []string{"a", "b"}) || running.Load() != 0 {
		t.Errorf("emitted %v, returned %v, %d still answering; want a and b, then the read's error", got, err, running.Load())
	}
}

// TestAnswerLinesStopsWhenCancelled: once ctx is done no further answer
// is emitted.
func TestAnswerLinesStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	emit := func(text string, _ answer.Result, _ error) error {
		got = append(got, text)
		cancel()
		return nil
	}
	answerOf := func(text, _ string) (answer.Result, error) { return answer.Result{}, nil }
	if err := answerLines(ctx, strings.NewReader("a\nb\nc\n"), 2, answerOf, emit); err != nil || !slices.Equal(got, []string{"a"}) {
		t.Errorf("emitted %v, returned %v; want a alone", got, err)
	}
}
