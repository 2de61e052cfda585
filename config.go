package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/joho/godotenv"
)

// withDotEnv returns a getenv that reads the real environment through
// lookup and falls back to the variables of a .env file, when one exists.
// A variable set in the environment wins, even when it is set to the
// empty string, so a deployment can override or blank out the file
// without editing it.
func withDotEnv(lookup func(string) (string, bool), path string) (func(string) string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return func(k string) string { v, _ := lookup(k); return v }, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", path)
	}
	vars, err := parseDotEnv(io.LimitReader(f, maxDotEnv+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return func(k string) string {
		if v, ok := lookup(k); ok {
			return v
		}
		return vars[k]
	}, nil
}

// maxDotEnv bounds a .env file: a few dozen settings, not a data file.
const maxDotEnv = 1 << 20

// parseDotEnv reads a .env file with godotenv: KEY=VALUE lines, blank
// lines and # comments, "export ", single- and double-quoted values
// (with a comment after the quotes), and a UTF-8 byte-order mark, which
// editors on Windows put first and would otherwise hide the first key.
// Its errors name the line but never echo the file, which holds secrets.
func parseDotEnv(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(data) > maxDotEnv {
		return nil, fmt.Errorf("larger than %d bytes", maxDotEnv)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	vars, err := godotenv.UnmarshalBytes(data)
	if err == nil {
		return vars, nil
	}
	if strings.Contains(err.Error(), "unterminated") {
		return nil, errors.New("a quoted value is never closed")
	}
	for n, line := range strings.Split(string(data), "\n") {
		if _, err := godotenv.Unmarshal(line); err != nil {
			return nil, fmt.Errorf("line %d: want KEY=VALUE", n+1)
		}
	}
	return nil, errors.New("want KEY=VALUE lines")
}

// config is what every command needs to build the engine.
type config struct {
	corpus   string // path of a story or folder; "" for the embedded story
	indexDir string // where to keep the index; "" for memory only
	noLLM    bool
}

// flags registers the options shared by all commands.
func (c *config) flags(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.corpus, "corpus", getenv("STORY_CORPUS"), "a .txt/.md story, or a folder of them (default: the embedded story)")
	fs.StringVar(&c.indexDir, "index-dir", getenv("STORY_INDEX_DIR"), "keep the search index in this folder (default: in memory)")
}

// A helpRequest is -h or --help: the command's usage and flags, printed
// to standard output, and success.
type helpRequest struct{ text string }

func (h helpRequest) Error() string { return h.text }

// parseFlags parses args, allowing flags after positional arguments
// ("ask Who? --json"); "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				var b strings.Builder
				fmt.Fprintf(&b, "Usage: storybot %s [options]; see storybot help\n\nOptions:\n", fs.Name())
				fs.SetOutput(&b)
				fs.PrintDefaults()
				return nil, helpRequest{b.String()}
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" || (len(pos) > 0 && pos[len(pos)-1] == "--") {
			return append(pos, args...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
