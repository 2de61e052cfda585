package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"storybot/answer"
	"storybot/answer/extractive"
	"storybot/answer/rank"
	"storybot/corpus"
	"storybot/index"
)

// An engine is the program's answer engine: the extractive engine for
// looking things up (stories, paragraphs, search), and the answerer that
// answers — the same engine, or a language model wrapping it.
type engine struct {
	*extractive.Engine
	answerer answer.Answerer
}

// Ask answers with the configured answerer.
func (e *engine) Ask(ctx context.Context, q answer.Question) (answer.Result, error) {
	return e.answerer.Ask(ctx, q)
}

// local reports whether the extractive engine itself answers: no
// language model, no network, nothing but the processor to wait for.
func (e *engine) local() bool { return e.answerer == answer.Answerer(e.Engine) }

// buildEngine loads the stories, builds or opens their index and wires
// the answer engine, with the language model around it when one is
// configured and wanted. close releases the index.
func buildEngine(ctx context.Context, cfg config, getenv func(string) string, logger *slog.Logger) (eng *engine, close func(), err error) {
	start := time.Now()
	stories := []*corpus.Story{corpus.Embedded()}
	if cfg.corpus != "" {
		if stories, err = corpus.Load(cfg.corpus); err != nil {
			return nil, nil, err
		}
	}
	// The stories are read for the engine while their index is built:
	// neither needs the other.
	read := make(chan *extractive.Reading, 1)
	go func() { read <- extractive.Read(stories) }()
	model, err := rank.Embedded()
	if err != nil {
		return nil, nil, fmt.Errorf("answer model: %w", err)
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
	if eng, err = wireReading(<-read, ix, model, cfg.noLLM, getenv, logger); err != nil {
		ix.Close()
		return nil, nil, err
	}
	logger.Debug("engine ready", "stories", len(stories), "elapsed", time.Since(start))
	return eng, func() { ix.Close() }, nil
}

// wireEngine makes the engine of stories from their index: the
// extractive engine, with the language model around it when one is
// configured and wanted. The program's engine and every teacher's story
// (main_stories.go) are wired alike.
func wireEngine(stories []*corpus.Story, ix *index.Index, model *rank.Model, noLLM bool, getenv func(string) string, logger *slog.Logger) (*engine, error) {
	return wireReading(extractive.Read(stories), ix, model, noLLM, getenv, logger)
}

// wireReading is wireEngine for stories already read.
func wireReading(r *extractive.Reading, ix *index.Index, model *rank.Model, noLLM bool, getenv func(string) string, logger *slog.Logger) (*engine, error) {
	ex := r.Engine(ix, model)
	eng := &engine{Engine: ex, answerer: ex}
	if !noLLM {
		rw, err := newLLM(getenv, logger)
		if err != nil {
			return nil, err
		}
		if rw != nil {
			rw.Inner, rw.Corpus = ex, ex.Hash()
			eng.answerer = rw
		}
	}
	return eng, nil
}
