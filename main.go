// Command storybot answers questions about a news story: from the command
// line (ask, chat, passage, search, eval) or in Discord (discord).
//
// With no configuration it answers from the story compiled into it,
// extractively and offline. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The environment wins over a .env file in the working directory.
	getenv, err := withDotEnv(os.LookupEnv, ".env")
	if err == nil {
		err = run(ctx, os.Args, getenv, os.Stdin, os.Stdout, os.Stderr)
	}
	stop()
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, "storybot:", err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "storybot:", err)
		os.Exit(1)
	}
}

// A usageError is a mistake in how the program was called; it exits 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

const usage = `storybot answers questions about a news story, with the paragraphs it came from.

Usage:
  storybot ask [--json] [--no-llm] [QUESTION...]   answer a question (none: one per line from standard input)
  storybot chat                                    ask in a conversation; follow-ups are understood
  storybot passage [--story NAME] N                print paragraph N
  storybot search TERMS...                         print the best matching paragraphs, matches marked
  storybot eval [-v] [--cv] [--curve] PATH...       score question sets (a .jsonl file or a folder of story + set pairs)
  storybot train [-o FILE] [DATA...]               fit the answer engine's weights (go generate ./answer/rank)
  storybot discord [--http ADDR]                   serve the Discord bot
  storybot report --since 7d --out DIR [--guild ID] [--channel ID] [--story NAME]   write the teachers' report (report.md, report.png)

Every command takes --corpus PATH (a .txt/.md story or a folder of them;
env STORY_CORPUS) and --index-dir DIR (keep the index on disk; env
STORY_INDEX_DIR). Configuration is read from the environment and from a
.env file in the working directory; see .env.example.
`

// run is the whole program, with its surroundings passed in so that tests
// can run it like a user would. getenv is the configuration, read once:
// main merges the environment and the .env file into it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	logger, err := newLogger(getenv, stderr)
	if err != nil {
		return err
	}
	cmd, rest := args[1], args[2:]
	err = runCommand(ctx, cmd, rest, getenv, stdin, stdout, stderr, logger)
	if h, ok := errors.AsType[helpRequest](err); ok {
		_, err = io.WriteString(stdout, h.text)
	}
	return err
}

func runCommand(ctx context.Context, cmd string, rest []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer, logger *slog.Logger) error {
	switch cmd {
	case "ask":
		return runAsk(ctx, rest, getenv, stdin, stdout, logger)
	case "chat":
		return runChat(ctx, rest, getenv, stdin, stdout, logger)
	case "passage":
		return runPassage(ctx, rest, getenv, stdout, logger)
	case "search":
		return runSearch(ctx, rest, getenv, stdout, logger)
	case "eval":
		return runEval(ctx, rest, getenv, stdout, logger)
	case "train":
		return runTrain(ctx, rest, stdout, logger)
	case "discord":
		return runDiscordCmd(ctx, rest, getenv, stdout, stderr, logger)
	case "report":
		return runReport(ctx, rest, getenv, stdout, logger)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usagef("unknown command %s", clipArg(cmd))
}

// newLogger logs text lines to stderr at LOG_LEVEL (default info).
func newLogger(getenv func(string) string, stderr io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			return nil, usagef("LOG_LEVEL %s: want debug, info, warn or error", clipArg(v))
		}
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})), nil
}

// clipArg keeps an echoed argument short, quoted and printable.
func clipArg(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
