package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"storybot/answer"
	"storybot/corpus"
	"storybot/index"
)

// withDotEnv returns a getenv that falls back to the variables of a .env
// file, when one exists. The real environment wins, so a deployment can
// override the file without editing it.
func withDotEnv(getenv func(string) string, path string) (func(string) string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return getenv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	vars, err := parseDotEnv(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return vars[k]
	}, nil
}

// parseDotEnv reads KEY=VALUE lines; blank lines and # comments are
// skipped, "export " is allowed, and a value may be quoted.
func parseDotEnv(r io.Reader) (map[string]string, error) {
	vars := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("line %d: want KEY=VALUE", n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		vars[k] = v
	}
	return vars, sc.Err()
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

// parseFlags parses args, allowing flags after positional arguments
// ("ask Who? --json"); "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("usage: storybot %s [options]; see storybot help", fs.Name())
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

// buildEngine loads the stories, builds or opens their index and wires
// the answer engine. close releases the index.
func buildEngine(ctx context.Context, cfg config, getenv func(string) string, logger *slog.Logger) (eng *answer.Engine, close func(), err error) {
	start := time.Now()
	stories := []*corpus.Story{corpus.Embedded()}
	if cfg.corpus != "" {
		if stories, err = corpus.Load(cfg.corpus); err != nil {
			return nil, nil, err
		}
	}
	var ix *index.Index
	if cfg.indexDir != "" {
		var rebuilt bool
		ix, rebuilt, err = index.Open(cfg.indexDir, stories)
		if err != nil {
			return nil, nil, err
		}
		logger.Debug("index opened", "dir", cfg.indexDir, "rebuilt", rebuilt)
	} else if ix, err = index.Build(stories); err != nil {
		return nil, nil, err
	}
	eng = answer.New(stories, searcher{ix})
	if !cfg.noLLM {
		llm, err := newLLM(getenv, logger)
		if err != nil {
			ix.Close()
			return nil, nil, err
		}
		eng.LLM = llm
	}
	logger.Debug("engine ready", "stories", len(stories), "elapsed", time.Since(start))
	return eng, func() { ix.Close() }, nil
}

// searcher adapts the index to the interface the answer engine consumes.
type searcher struct{ ix *index.Index }

func (s searcher) Search(ctx context.Context, terms []answer.Term, limit int) ([]answer.Hit, error) {
	q := index.Query{Terms: make([]index.Term, len(terms)), Limit: limit}
	for i, t := range terms {
		q.Terms[i] = index.Term{Text: t.Text, Boost: t.Boost}
	}
	hits, err := s.ix.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]answer.Hit, len(hits))
	for i, h := range hits {
		out[i] = answer.Hit{Story: h.Story, Paragraph: h.Paragraph, Sentence: h.Sentence, Score: h.Score}
	}
	return out, nil
}
