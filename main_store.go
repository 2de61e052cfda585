package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"storybot/bot"
	"storybot/bot/store"
	"storybot/bot/store/postgres"
	"storybot/bot/store/sqlite"
)

// Defaults of what the bot keeps.
const (
	defaultDataDir   = "./data"
	defaultRetention = 30 * 24 * time.Hour
	// expireEvery is how often questions past the retention period are
	// deleted while the bot runs.
	expireEvery = time.Hour
	// settingSigningKey is where the key signing feedback buttons is kept
	// when STORYBOT_SECRET is not set: in the store, under no server, so
	// that replicas sharing a database share it and old buttons survive a
	// restart.
	settingSigningKey = "signing_key"
)

// storeSettings say where the bot keeps its data and for how long.
type storeSettings struct {
	dataDir     string        // STORYBOT_DATA: the SQLite file's folder
	databaseURL string        // DATABASE_URL: PostgreSQL instead, when set
	retention   time.Duration // STORYBOT_RETENTION: how long questions are kept
	teacherRole string        // DISCORD_TEACHER_ROLE: a role id counting as teacher
	secret      string        // STORYBOT_SECRET: the key signing buttons (default: one kept in the store)
}

// parseStoreSettings reads and checks the store's settings.
func parseStoreSettings(getenv func(string) string) (storeSettings, error) {
	s := storeSettings{
		dataDir:     strings.TrimSpace(getenv("STORYBOT_DATA")),
		databaseURL: strings.TrimSpace(getenv("DATABASE_URL")),
		retention:   defaultRetention,
		teacherRole: strings.TrimSpace(getenv("DISCORD_TEACHER_ROLE")),
		secret:      getenv("STORYBOT_SECRET"),
	}
	if s.dataDir == "" {
		s.dataDir = defaultDataDir
	}
	if v := strings.TrimSpace(getenv("STORYBOT_RETENTION")); v != "" {
		d, err := parseRetention(v)
		if err != nil {
			return s, usagef("STORYBOT_RETENTION %s: want a period from 1h to 3650d, such as 720h or 30d", clipArg(v))
		}
		s.retention = d
	}
	if s.teacherRole != "" && !isSnowflake(s.teacherRole) {
		return s, usagef("DISCORD_TEACHER_ROLE %s: want a role's numeric id (Server Settings → Roles → right-click → Copy Role ID)", clipArg(s.teacherRole))
	}
	if s.secret != "" && len(s.secret) < 16 {
		return s, usagef("STORYBOT_SECRET: want at least 16 characters")
	}
	return s, nil
}

// parseRetention reads a Go duration ("720h") or a number of days
// ("30d"), from an hour to ten years.
func parseRetention(v string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, err
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, err
		}
	}
	if d < time.Hour || d > 3650*24*time.Hour {
		return 0, errors.New("out of range")
	}
	return d, nil
}

// openStore opens PostgreSQL when DATABASE_URL is set, else the SQLite
// file in the data folder. A damaged, foreign or newer database is a
// plain error; nothing is written to it.
func openStore(ctx context.Context, s storeSettings) (store.Store, error) {
	var st store.Store
	var err error
	where := ""
	if s.databaseURL != "" {
		st, err = postgres.Open(ctx, s.databaseURL)
		where = "the PostgreSQL database (DATABASE_URL)"
	} else {
		path := filepath.Join(s.dataDir, sqlite.FileName)
		st, err = sqlite.Open(ctx, path)
		where = path
	}
	switch {
	case errors.Is(err, store.ErrNewerSchema):
		return nil, fmt.Errorf("%s was written by a newer storybot: run that version, or point STORYBOT_DATA / DATABASE_URL elsewhere", where)
	case errors.Is(err, store.ErrNotDatabase):
		return nil, fmt.Errorf("%s is damaged or is not a storybot database: restore it from a backup, or point STORYBOT_DATA / DATABASE_URL elsewhere", where)
	case err != nil:
		return nil, fmt.Errorf("opening %s: %w", where, err)
	}
	return st, nil
}

// signingKey returns the key that signs feedback buttons: STORYBOT_SECRET,
// else the one kept in the store, made the first time. Two replicas
// starting together on a new database may both make one; both then read
// back the one that was written last.
func signingKey(ctx context.Context, st store.Settings, s storeSettings) ([]byte, error) {
	if s.secret != "" {
		return []byte(s.secret), nil
	}
	key, err := st.Setting(ctx, "", settingSigningKey)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if key == "" {
		var b [32]byte
		rand.Read(b[:])
		if err := st.SetSetting(ctx, "", settingSigningKey, hex.EncodeToString(b[:])); err != nil {
			return nil, fmt.Errorf("signing key: %w", err)
		}
		if key, err = st.Setting(ctx, "", settingSigningKey); err != nil || key == "" {
			return nil, fmt.Errorf("signing key: %v", err)
		}
	}
	return []byte(key), nil
}

// expire deletes the questions asked before the retention period, now
// and then every expireEvery until ctx is done.
func expire(ctx context.Context, st store.Log, retention time.Duration, now func() time.Time, tick <-chan time.Time, logger *slog.Logger) {
	run := func() {
		ectx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		n, err := st.Expire(ectx, now().Add(-retention))
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("deleting expired questions", "err", err)
			}
			return
		}
		if n > 0 {
			logger.Info("expired questions deleted", "questions", n, "retention", retention)
		}
	}
	run()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			run()
		}
	}
}

// classroom opens the store and builds the bot's classroom: teachers'
// stories, the question log, reports and the quiz. The returned close
// stops the expiry and closes the store and the story engines.
func classroom(ctx context.Context, s storeSettings, noLLM bool, getenv func(string) string, logger *slog.Logger) (*bot.Classroom, func(), error) {
	st, err := openStore(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	key, err := signingKey(ctx, st, s)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	engines, err := newStoryEngines(defaultStoryEngines, noLLM, getenv, logger)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	c := &bot.Classroom{Store: st, Engines: engines, Key: key, TeacherRole: s.teacherRole}
	if err := c.Validate(); err != nil {
		st.Close()
		return nil, nil, err
	}
	ectx, stop := context.WithCancel(context.WithoutCancel(ctx))
	ticker := time.NewTicker(expireEvery)
	done := make(chan struct{})
	go func() {
		defer close(done)
		expire(ectx, st, s.retention, time.Now, ticker.C, logger)
	}()
	return c, func() {
		stop()
		ticker.Stop()
		<-done
		engines.Close()
		st.Close()
	}, nil
}
