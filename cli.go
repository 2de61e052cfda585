package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"storybot/answer"
)

// maxLine bounds one line of batch input; the rest of a longer line is
// read and dropped, so one huge line cannot exhaust memory.
const maxLine = 64 << 10

// jsonResult is the stable line format of ask --json: one object per
// question, which scripts and graders rely on.
type jsonResult struct {
	answer.Result
	Error string `json:"error,omitempty"`
}

// newJSONResult is the ask --json line of the answer res to the question
// text, or of the input error err that stands for it.
func newJSONResult(text string, res answer.Result, err error) jsonResult {
	jr := jsonResult{Result: res}
	if err != nil {
		jr.Error = err.Error()
		jr.Question = text
	}
	if jr.Citations == nil {
		jr.Citations = []answer.Citation{} // "citations": [], never null
	}
	return jr
}

func runAsk(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer, logger *slog.Logger) error {
	var cfg config
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	cfg.flags(fs, getenv)
	asJSON := fs.Bool("json", false, "print one JSON object per question")
	fs.BoolVar(&cfg.noLLM, "no-llm", false, "answer extractively even when a model is configured")
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	words = dropDashDash(words)
	var single string
	if len(words) > 0 {
		// Check the question before any work, so usage errors are instant.
		if single, err = answer.CleanQuestion(strings.Join(words, " ")); err != nil {
			return usageError{err.Error()}
		}
	}
	eng, closeEng, err := buildEngine(ctx, cfg, getenv, logger)
	if err != nil {
		return err
	}
	defer closeEng()
	// Each answer is written out as soon as it is ready — at a terminal a
	// reader sees it at once — and a failed write (a full disk, a closed
	// pipe) ends the run with an error rather than losing answers quietly.
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	// A line of a batch may lean on the one before ("when was this
	// proclamation issued?"): it is asked after that line's question.
	answerOf := func(text, before string) (answer.Result, error) {
		return eng.Ask(ctx, answer.Question{Text: text, Previous: answer.Before(before), Extractive: cfg.noLLM})
	}
	// write prints one answer, or the input error that stands for it.
	write := func(text string, res answer.Result, err error) error {
		switch {
		case err != nil && !answer.IsInputError(err):
			return err
		case *asJSON:
			return enc.Encode(newJSONResult(text, res, err))
		case err != nil:
			_, werr := fmt.Fprintf(out, "%s\n\n", err)
			return werr
		}
		return writeResult(out, res, len(eng.Stories()) > 1)
	}
	emit := func(text string, res answer.Result, err error) error {
		if err := write(text, res, err); err != nil {
			return err
		}
		if err := out.Flush(); err != nil {
			return fmt.Errorf("write answers: %w", err)
		}
		return nil
	}
	if single != "" {
		res, err := answerOf(single, "")
		return emit(single, res, err)
	}
	// The extractive engine answers several questions at once, one per
	// processor; a language model is asked one question at a time, as its
	// service's rate limits expect.
	workers := 1
	if eng.local() {
		workers = runtime.GOMAXPROCS(0)
	}
	return answerLines(ctx, stdin, workers, answerOf, emit)
}

// answerLines answers each line of r with answerOf, given the line and
// the line before it (empty for the first), up to workers lines at once,
// and hands the answers to emit in the order of the lines, each as soon
// as it and those before it are ready. It stops at the first error
// of reading or of emit (which decides which answering errors are
// failures), or when ctx is done, after emitting the answers before it;
// no answering outlives it.
func answerLines(ctx context.Context, r io.Reader, workers int, answerOf func(text, before string) (answer.Result, error), emit func(string, answer.Result, error) error) error {
	type line struct {
		text, before string
		err          error
	}
	lines := make(chan line)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(lines)
		br := bufio.NewReaderSize(r, maxLine)
		before := ""
		for {
			text, err := readLine(br)
			if errors.Is(err, io.EOF) {
				return
			}
			select {
			case lines <- line{text, before, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
			before = text
		}
	}()
	type pending struct {
		text    string
		before  string
		res     answer.Result
		err     error
		readErr error
		done    chan struct{} // closed once res and err are set
	}
	// A few long-lived workers rather than a goroutine a line: each keeps
	// the stack an answer grows to.
	workers = max(workers, 1)
	jobs := make(chan *pending)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				p.res, p.err = answerOf(p.text, p.before)
				close(p.done)
			}
		}()
	}
	defer func() { // runs before close(stop): the answers in hand finish first
		close(jobs)
		wg.Wait()
	}()
	var queue []*pending
	eof := false
	for {
		in := lines
		if eof || len(queue) >= workers {
			in = nil
		}
		var head chan struct{}
		if len(queue) > 0 {
			head = queue[0].done
		}
		if in == nil && head == nil {
			return nil
		}
		select {
		case l, ok := <-in:
			if !ok {
				eof = true
				continue
			}
			p := &pending{text: l.text, before: l.before, readErr: l.err, done: make(chan struct{})}
			queue = append(queue, p)
			if l.err != nil {
				// Reported in its turn, after the answers to the lines before.
				eof = true
				close(p.done)
				continue
			}
			jobs <- p // fewer than workers are answering: one is free
		case <-head:
			p := queue[0]
			queue = queue[1:]
			if p.readErr != nil {
				return fmt.Errorf("read questions: %w", p.readErr)
			}
			if err := emit(p.text, p.res, p.err); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
		}
	}
}

func dropDashDash(words []string) []string {
	out := words[:0]
	for _, w := range words {
		if w != "--" {
			out = append(out, w)
		}
	}
	return out
}

// readLine returns the next line without its newline; a line longer than
// maxLine is cut there (the engine will call it too long).
func readLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := r.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				return b.String(), nil
			}
			return "", err
		}
		if b.Len() < maxLine {
			b.Write(chunk[:min(len(chunk), maxLine-b.Len())])
		}
		if !isPrefix {
			return b.String(), nil
		}
	}
}

// writeResult prints an answer for people: the short answer first (in
// bold on a terminal), the sentence it came from, then the sources.
func writeResult(w io.Writer, res answer.Result, manyStories bool) error {
	var b strings.Builder
	if res.Short != "" && !res.Abstained {
		if isTerminal(w) {
			b.WriteString("\x1b[1m" + res.Short + "\x1b[0m\n")
		} else {
			b.WriteString(res.Short + "\n")
		}
	}
	b.WriteString(res.Answer)
	b.WriteString("\n")
	cites, label := res.Citations, "Sources"
	if res.Abstained {
		cites, label = res.Nearest, "Nearest paragraphs"
	}
	if len(cites) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", label)
		for _, c := range cites {
			ref := "¶" + strconv.Itoa(c.Paragraph)
			if manyStories {
				ref += " (" + c.Story + ")"
			}
			fmt.Fprintf(&b, "  %s “%s”\n", ref, strings.Trim(c.Quote, "“”\""))
		}
	}
	if res.Mode == answer.ModeFallback {
		b.WriteString("\n(The language model's answer could not be used; this answer is taken from the story directly.)\n")
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func runChat(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer, logger *slog.Logger) error {
	var cfg config
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	cfg.flags(fs, getenv)
	fs.BoolVar(&cfg.noLLM, "no-llm", false, "answer extractively even when a model is configured")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("chat takes no arguments; type your questions at the prompt")
	}
	eng, closeEng, err := buildEngine(ctx, cfg, getenv, logger)
	if err != nil {
		return err
	}
	defer closeEng()
	st := eng.Stories()
	fmt.Fprintf(stdout, "Ask about “%s” (%d paragraphs). Follow-up questions are understood. Type “quit” to leave.\n\n", st[0].Title, st[0].Paragraphs)
	lines := readLines(ctx, stdin)
	var prev *answer.Turn
	for ctx.Err() == nil {
		fmt.Fprint(stdout, "> ")
		var line string
		var err error
		select {
		case <-ctx.Done():
			fmt.Fprintln(stdout)
			return nil // Ctrl-C at the prompt leaves at once
		case l := <-lines:
			line, err = l.text, l.err
		}
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(stdout)
			return nil
		}
		if err != nil {
			return fmt.Errorf("read question: %w", err)
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "":
			continue
		case "quit", "exit", "bye", "/quit", "/exit":
			return nil
		case "new", "/new", "reset", "/reset":
			prev = nil
			fmt.Fprintln(stdout, "(new conversation)")
			continue
		}
		res, err := eng.Ask(ctx, answer.Question{Text: line, Previous: prev, Extractive: cfg.noLLM})
		if err != nil {
			if !answer.IsInputError(err) {
				logger.Error("answer failed", "err", err)
				fmt.Fprintln(stdout, "Sorry, something went wrong while answering. Please try again.")
				continue
			}
			fmt.Fprintf(stdout, "%s\n\n", err)
			continue
		}
		if err := writeResult(stdout, res, len(st) > 1); err != nil {
			return err
		}
		prev = res.Turn()
	}
	return nil
}

func runPassage(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	var cfg config
	fs := flag.NewFlagSet("passage", flag.ContinueOnError)
	cfg.flags(fs, getenv)
	story := fs.String("story", "", "the story's name, when several are loaded (default: the first)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("usage: storybot passage N")
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(rest[0]), "¶"))
	if err != nil {
		return usagef("passage: %s is not a paragraph number", clipArg(rest[0]))
	}
	eng, closeEng, err := buildEngine(ctx, cfg, getenv, logger)
	if err != nil {
		return err
	}
	defer closeEng()
	p, err := eng.Passage(*story, n)
	if err != nil {
		if errors.Is(err, answer.ErrNoParagraph) || errors.Is(err, answer.ErrNoStory) {
			return usageError{"passage: " + err.Error()}
		}
		return err
	}
	var nav []string
	if p.Prev > 0 {
		nav = append(nav, fmt.Sprintf("previous ¶%d", p.Prev))
	}
	if p.Next > 0 {
		nav = append(nav, fmt.Sprintf("next ¶%d", p.Next))
	}
	_, err = fmt.Fprintf(stdout, "¶%d — %s\n\n%s\n\n(%s)\n", p.N, p.Title, p.Text, strings.Join(nav, " · "))
	return err
}

func runSearch(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	var cfg config
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	cfg.flags(fs, getenv)
	limit := fs.Int("n", 5, "how many paragraphs at most")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	terms, err := answer.CleanQuestion(strings.Join(dropDashDash(rest), " "))
	if err != nil {
		return usageError{"search: " + strings.Replace(err.Error(), "question", "search", 1)}
	}
	if *limit < 1 || *limit > 50 {
		return usagef("search: -n must be between 1 and 50")
	}
	eng, closeEng, err := buildEngine(ctx, cfg, getenv, logger)
	if err != nil {
		return err
	}
	defer closeEng()
	matches, err := eng.Search(ctx, terms, *limit)
	if err != nil {
		return err
	}
	if len(matches) == 0 {
		_, err := fmt.Fprintln(stdout, "No paragraph matches those words.")
		return err
	}
	for _, m := range matches {
		ref := fmt.Sprintf("¶%d", m.Paragraph)
		if len(eng.Stories()) > 1 {
			ref += " (" + m.Story + ")"
		}
		if _, err := fmt.Fprintf(stdout, "%s %s\n\n", ref, markText(m.Text, m.Marks, "**", "**")); err != nil {
			return err
		}
	}
	return nil
}

// markText wraps the byte ranges marks of text in open and close.
func markText(text string, marks [][2]int, open, close string) string {
	var b strings.Builder
	last := 0
	for _, m := range marks {
		if m[0] < last || m[1] > len(text) {
			continue
		}
		b.WriteString(text[last:m[0]])
		b.WriteString(open + text[m[0]:m[1]] + close)
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// isTerminal reports whether w is a terminal, where bold can be shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

type lineOrErr struct {
	text string
	err  error
}

// readLines reads lines in the background, so that a reader waiting at a
// prompt can still be interrupted. It stops after the first error (EOF
// included) or when ctx ends.
func readLines(ctx context.Context, stdin io.Reader) <-chan lineOrErr {
	ch := make(chan lineOrErr)
	go func() {
		r := bufio.NewReaderSize(stdin, maxLine)
		for {
			text, err := readLine(r)
			select {
			case ch <- lineOrErr{text, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}
