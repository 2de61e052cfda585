package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"storybot/answer/llm"
	"storybot/bot"
)

// discordSettings is what `storybot discord` is told by its flags and the
// environment, checked.
type discordSettings struct {
	engine      config
	httpAddr    string // serve the HTTP interactions endpoint here instead of the gateway
	metricsAddr string
	conn        bot.Connection
	key         ed25519.PublicKey // HTTP mode only
	rate        float64
	burst       int
	concurrent  int
	// publicLookups makes /passage and /search reply for the channel
	// (DISCORD_PUBLIC_LOOKUPS); by default only whoever asked sees them.
	publicLookups bool
	class         storeSettings       // what the classroom keeps, and where (main_store.go)
	env           func(string) string // for the teachers' stories' engines
}

// runDiscordCmd is `storybot discord`: it checks the settings, builds the
// engine from the same flags as every command (--corpus, --index-dir,
// --no-llm), and serves the bot until ctx is done.
func runDiscordCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, logger *slog.Logger) error {
	st, err := parseDiscord(args, getenv)
	if err != nil {
		return err
	}
	eng, closeEng, err := buildEngine(ctx, st.engine, getenv, logger)
	if err != nil {
		return err
	}
	defer closeEng()
	return serveDiscord(ctx, st, eng, logger)
}

// runDiscord serves the Discord bot with an engine the caller built, until
// ctx is done (SIGINT/SIGTERM): on the gateway, or with --http ADDR on
// Discord's HTTP interactions endpoint. args are the command's arguments;
// the engine flags (--corpus, --index-dir, --no-llm) are accepted for
// the caller's sake and otherwise ignored here.
//
// Mistakes in the arguments or settings (a missing DISCORD_TOKEN, a bad
// DISCORD_GUILD_ID…) are usageError values, which main exits 2 on. A
// token or intent that Discord refuses ends it with bot.ErrUnauthorized,
// bot.ErrIntents or bot.ErrSharding, plain sentences for exit 1. A clean
// shutdown returns nil.
func runDiscord(ctx context.Context, args []string, getenv func(string) string, eng *engine, stdout, stderr io.Writer, logger *slog.Logger) error {
	if eng == nil {
		return errors.New("discord: no engine")
	}
	st, err := parseDiscord(args, getenv)
	if err != nil {
		return err
	}
	return serveDiscord(ctx, st, eng, logger)
}

func serveDiscord(ctx context.Context, st discordSettings, eng *engine, logger *slog.Logger) error {
	b := &bot.Bot{Engine: eng, Logger: logger, RatePerMinute: st.rate, Burst: st.burst, MaxConcurrent: st.concurrent,
		PublicLookups: st.publicLookups}
	class, closeClass, err := classroom(ctx, st.class, st.engine.noLLM, st.env, logger)
	if err != nil {
		return err
	}
	defer closeClass()
	b.Classroom = class
	if st.metricsAddr != "" {
		b.Metrics = bot.NewMetrics()
		if rw, ok := eng.answerer.(*llm.Rewriter); ok {
			rw.OnUsage = b.Metrics.ObserveTokens
		}
		ln, err := net.Listen("tcp", st.metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		srv := &http.Server{Handler: b.Metrics.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		logger.Info("serving metrics", "addr", ln.Addr().String())
	}
	if st.httpAddr == "" {
		return b.Run(ctx, st.conn)
	}
	ln, err := net.Listen("tcp", st.httpAddr)
	if err != nil {
		return fmt.Errorf("interactions endpoint: %w", err)
	}
	return b.ServeInteractions(ctx, ln, st.key, st.conn)
}

// parseDiscord reads and checks the flags and settings of `discord`.
func parseDiscord(args []string, getenv func(string) string) (discordSettings, error) {
	var st discordSettings
	fs := flag.NewFlagSet("discord", flag.ContinueOnError)
	st.engine.flags(fs, getenv)
	fs.BoolVar(&st.engine.noLLM, "no-llm", false, "answer extractively even when a model is configured")
	fs.StringVar(&st.httpAddr, "http", "", "serve Discord's HTTP interactions endpoint on this address instead of the gateway")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return st, err
	}
	if len(rest) > 0 {
		return st, usagef("discord takes no arguments, only --http ADDR")
	}
	if st.class, err = parseStoreSettings(getenv); err != nil {
		return st, err
	}
	st.env = getenv
	if st.httpAddr != "" {
		if err := checkAddr("--http", st.httpAddr); err != nil {
			return st, err
		}
	}
	if st.metricsAddr = strings.TrimSpace(getenv("METRICS_ADDR")); st.metricsAddr != "" {
		if err := checkAddr("METRICS_ADDR", st.metricsAddr); err != nil {
			return st, err
		}
	}

	c := &st.conn
	c.Token = strings.TrimSpace(getenv("DISCORD_TOKEN"))
	if f := strings.Fields(c.Token); len(f) > 0 && f[0] == "Bot" { // pasted with its prefix
		c.Token = strings.TrimSpace(strings.TrimPrefix(c.Token, "Bot"))
	}
	if c.Token == "" && st.httpAddr == "" {
		return st, usageError{bot.ErrNoToken.Error() + " (see README)"}
	}
	if st.httpAddr != "" {
		if st.key, err = bot.ParsePublicKey(getenv("DISCORD_PUBLIC_KEY")); err != nil {
			return st, usageError{err.Error() + " (developer portal → your application → General Information)"}
		}
	}
	c.APIURL = strings.TrimSpace(getenv("DISCORD_API_URL"))
	if c.APIURL == "" {
		c.APIURL = bot.DefaultAPIURL
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return st, usagef("DISCORD_API_URL %s: want an http(s) URL such as %s", clipArg(c.APIURL), bot.DefaultAPIURL)
	}
	if c.GuildID = strings.TrimSpace(getenv("DISCORD_GUILD_ID")); c.GuildID != "" && !isSnowflake(c.GuildID) {
		return st, usagef("DISCORD_GUILD_ID %s: want a server's numeric id (Developer Mode → right-click the server → Copy Server ID)", clipArg(c.GuildID))
	}
	for _, ch := range strings.Split(getenv("DISCORD_CHANNELS"), ",") {
		if ch = strings.TrimSpace(ch); ch == "" {
			continue
		}
		if !isSnowflake(ch) {
			return st, usagef("DISCORD_CHANNELS: %s is not a numeric channel id", clipArg(ch))
		}
		c.Channels = append(c.Channels, ch)
	}

	if v := strings.TrimSpace(getenv("DISCORD_RATE_PER_MIN")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0.1 && f <= 600) {
			return st, usagef("DISCORD_RATE_PER_MIN %s: want questions a minute, from 0.1 to 600", clipArg(v))
		}
		st.rate = f
	}
	if v := strings.TrimSpace(getenv("DISCORD_PUBLIC_LOOKUPS")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return st, usagef("DISCORD_PUBLIC_LOOKUPS %s: want true or false", clipArg(v))
		}
		st.publicLookups = b
	}
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"DISCORD_RATE_BURST", &st.burst, 1, 100},
		{"DISCORD_MAX_CONCURRENT", &st.concurrent, 1, 256},
		{"DISCORD_SHARD_ID", &c.ShardID, 0, 1 << 16},
		{"DISCORD_SHARD_COUNT", &c.ShardCount, 1, 1 << 16},
	}
	for _, n := range ints {
		v := strings.TrimSpace(getenv(n.name))
		if v == "" {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < n.min || i > n.max {
			return st, usagef("%s %s: want a whole number from %d to %d", n.name, clipArg(v), n.min, n.max)
		}
		*n.dst = i
	}
	if c.ShardID > 0 && c.ShardID >= c.ShardCount {
		return st, usagef("DISCORD_SHARD_ID %d: want a number below DISCORD_SHARD_COUNT (%d)", c.ShardID, max(c.ShardCount, 1))
	}
	return st, nil
}

// checkAddr checks a listening address such as 127.0.0.1:9090 or :8080.
func checkAddr(name, addr string) error {
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return usagef("%s %s: want host:port, such as 127.0.0.1:9090 or :8080", name, clipArg(addr))
	}
	return nil
}

// isSnowflake reports whether s looks like a Discord id.
func isSnowflake(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil && len(s) >= 5
}
