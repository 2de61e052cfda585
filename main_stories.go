package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"storybot/answer/rank"
	"storybot/bot"
	"storybot/corpus"
	"storybot/index"
)

// Defaults of the story engines' cache.
const (
	// defaultStoryEngines is how many teachers' stories keep a built
	// engine (an index in memory) at once; others are built again when
	// asked about.
	defaultStoryEngines = 16
	// closeEvictedAfter is how long an engine pushed out of the cache is
	// kept open: an answer already using it (a model's, bounded by the
	// bot's AnswerLife) finishes on it.
	closeEvictedAfter = 15 * time.Minute
)

// storyEngines builds the answer engine of each story teachers add, the
// same way as the program's own (wireEngine): an index in memory, the
// extractive engine, and the language model around it when configured.
// Engines are kept in an LRU cache by the story's content hash: the
// store is the source of truth, an index only a cache of it.
type storyEngines struct {
	model  *rank.Model
	noLLM  bool
	getenv func(string) string
	logger *slog.Logger

	build   sync.Mutex // one build at a time: a build's memory peaks high
	cache   *lru.Cache[string, *storyEngine]
	closing atomic.Bool // at shutdown, evicted engines close at once
	// closeLater closes an evicted engine's index after a while.
	closeLater func(time.Duration, func())
}

// A storyEngine is a built engine and the index it must close.
type storyEngine struct {
	eng *engine
	ix  *index.Index
}

var _ bot.Engines = (*storyEngines)(nil)

// newStoryEngines returns a factory keeping at most size engines.
func newStoryEngines(size int, noLLM bool, getenv func(string) string, logger *slog.Logger) (*storyEngines, error) {
	model, err := rank.Embedded()
	if err != nil {
		return nil, fmt.Errorf("answer model: %w", err)
	}
	if size <= 0 {
		size = defaultStoryEngines
	}
	e := &storyEngines{model: model, noLLM: noLLM, getenv: getenv, logger: logger,
		closeLater: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
	e.cache, err = lru.NewWithEvict(size, func(_ string, se *storyEngine) {
		if e.closing.Load() {
			se.ix.Close()
			return
		}
		e.closeLater(closeEvictedAfter, func() { se.ix.Close() })
	})
	if err != nil {
		return nil, fmt.Errorf("story engines: %w", err)
	}
	return e, nil
}

// Engine returns the engine of st, building it the first time.
func (e *storyEngines) Engine(ctx context.Context, st *corpus.Story) (bot.Engine, error) {
	key := st.Name + "\x00" + st.Hash
	if se, ok := e.cache.Get(key); ok {
		return se.eng, nil
	}
	e.build.Lock()
	defer e.build.Unlock()
	if se, ok := e.cache.Get(key); ok {
		return se.eng, nil // built while this one waited
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	stories := []*corpus.Story{st}
	ix, err := index.Build(stories)
	if err != nil {
		return nil, err
	}
	eng, err := wireEngine(stories, ix, e.model, e.noLLM, e.getenv, e.logger)
	if err != nil {
		ix.Close()
		return nil, err
	}
	e.cache.Add(key, &storyEngine{eng: eng, ix: ix})
	e.logger.Info("story engine built", "story", st.Name, "paragraphs", len(st.Paragraphs), "elapsed", time.Since(start))
	return eng, nil
}

// Close closes every engine in the cache, at shutdown.
func (e *storyEngines) Close() {
	e.closing.Store(true)
	e.cache.Purge()
}
