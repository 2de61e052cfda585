package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
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
