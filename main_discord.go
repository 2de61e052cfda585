package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"storybot/bot"
)

// runDiscordCmd serves the bot: on the gateway, or with --http ADDR on
// Discord's HTTP interactions endpoint.
func runDiscordCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, logger *slog.Logger) error {
	var cfg config
	fs := flag.NewFlagSet("discord", flag.ContinueOnError)
	cfg.flags(fs, getenv)
	fs.BoolVar(&cfg.noLLM, "no-llm", false, "answer extractively even when a model is configured")
	httpAddr := fs.String("http", "", "serve the HTTP interactions endpoint on this address instead of the gateway")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("discord takes no arguments")
	}
	conn, b, err := discordConfig(getenv)
	if err != nil {
		return err
	}
	var key []byte
	if *httpAddr != "" {
		if key, err = bot.ParsePublicKey(getenv("DISCORD_PUBLIC_KEY")); err != nil {
			return usageError{err.Error()}
		}
	} else if conn.Token == "" {
		return usagef("DISCORD_TOKEN is not set: create a bot in the Discord developer portal and put its token in .env (see README)")
	}
	metricsAddr := getenv("METRICS_ADDR")
	if metricsAddr != "" {
		if _, _, err := net.SplitHostPort(metricsAddr); err != nil {
			return usagef("METRICS_ADDR %s: want host:port, such as 127.0.0.1:9090", clipArg(metricsAddr))
		}
	}

	eng, closeEng, err := buildEngine(ctx, cfg, getenv, logger)
	if err != nil {
		return err
	}
	defer closeEng()
	b.Engine = eng
	b.Logger = logger
	if metricsAddr != "" {
		b.Metrics = bot.NewMetrics()
		if eng.LLM != nil {
			eng.LLM.OnUsage = b.Metrics.ObserveTokens
		}
		ln, err := net.Listen("tcp", metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		srv := &http.Server{Handler: b.Metrics.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		logger.Info("serving metrics", "addr", ln.Addr().String())
	}
	if *httpAddr != "" {
		err = b.ServeHTTP(ctx, *httpAddr, key, conn)
	} else {
		err = b.Run(ctx, conn)
	}
	return err // ErrUnauthorized is a plain sentence already
}

// discordConfig reads and checks the bot's settings.
func discordConfig(getenv func(string) string) (bot.Connection, *bot.Bot, error) {
	conn := bot.Connection{
		Token:   strings.TrimSpace(strings.TrimPrefix(getenv("DISCORD_TOKEN"), "Bot ")),
		APIURL:  getenv("DISCORD_API_URL"),
		GuildID: getenv("DISCORD_GUILD_ID"),
	}
	if conn.APIURL == "" {
		conn.APIURL = bot.DefaultAPIURL
	}
	if !strings.HasPrefix(conn.APIURL, "http://") && !strings.HasPrefix(conn.APIURL, "https://") {
		return conn, nil, usagef("DISCORD_API_URL %s: want an http(s) URL", clipArg(conn.APIURL))
	}
	for _, id := range []string{conn.GuildID} {
		if id != "" && !isSnowflake(id) {
			return conn, nil, usagef("DISCORD_GUILD_ID %s: want a numeric id", clipArg(id))
		}
	}
	for _, ch := range strings.Split(getenv("DISCORD_CHANNELS"), ",") {
		if ch = strings.TrimSpace(ch); ch == "" {
			continue
		}
		if !isSnowflake(ch) {
			return conn, nil, usagef("DISCORD_CHANNELS: %s is not a numeric channel id", clipArg(ch))
		}
		conn.Channels = append(conn.Channels, ch)
	}
	b := &bot.Bot{}
	num := func(name string, min, max float64) (float64, error) {
		v := getenv(name)
		if v == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < min || f > max {
			return 0, usagef("%s %s: want a number from %g to %g", name, clipArg(v), min, max)
		}
		return f, nil
	}
	var err error
	if b.RatePerMinute, err = num("DISCORD_RATE_PER_MIN", 0.1, 600); err != nil {
		return conn, nil, err
	}
	burst, err := num("DISCORD_RATE_BURST", 1, 100)
	if err != nil {
		return conn, nil, err
	}
	b.Burst = int(burst)
	conc, err := num("DISCORD_MAX_CONCURRENT", 1, 256)
	if err != nil {
		return conn, nil, err
	}
	b.MaxConcurrent = int(conc)
	shardID, err := num("DISCORD_SHARD_ID", 0, 1<<16)
	if err != nil {
		return conn, nil, err
	}
	shards, err := num("DISCORD_SHARD_COUNT", 1, 1<<16)
	if err != nil {
		return conn, nil, err
	}
	conn.ShardID, conn.ShardCount = int(shardID), int(shards)
	if conn.ShardCount > 0 && conn.ShardID >= conn.ShardCount {
		return conn, nil, usagef("DISCORD_SHARD_ID must be below DISCORD_SHARD_COUNT")
	}
	return conn, b, nil
}

func isSnowflake(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil && len(s) >= 5
}
