package main

import (
	"strings"
	"testing"
)

func TestDiscordConfig(t *testing.T) {
	good := map[string]string{
		"DISCORD_TOKEN": "Bot abc", "DISCORD_GUILD_ID": "300000000000000001", "DISCORD_CHANNELS": "400000000000000001, 400000000000000002",
		"DISCORD_RATE_PER_MIN": "10", "DISCORD_RATE_BURST": "4", "DISCORD_MAX_CONCURRENT": "3",
	}
	conn, b, err := discordConfig(func(k string) string { return good[k] })
	if err != nil {
		t.Fatal(err)
	}
	if conn.Token != "abc" || len(conn.Channels) != 2 || conn.APIURL != "https://discord.com/api/v9" || b.RatePerMinute != 10 || b.Burst != 4 || b.MaxConcurrent != 3 {
		t.Errorf("%+v %+v", conn, b)
	}
	for _, bad := range []map[string]string{
		{"DISCORD_GUILD_ID": "my-guild"},
		{"DISCORD_CHANNELS": "general"},
		{"DISCORD_RATE_PER_MIN": "-1"},
		{"DISCORD_RATE_BURST": "lots"},
		{"DISCORD_API_URL": "ftp://example"},
		{"DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "2"},
	} {
		if _, _, err := discordConfig(func(k string) string { return bad[k] }); err == nil || !isUsage(err) {
			t.Errorf("%v accepted: %v", bad, err)
		}
	}
}

func TestDiscordNeedsToken(t *testing.T) {
	_, _, err := runCLI(t, "", nil, "discord")
	if err == nil || !isUsage(err) || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Errorf("without a token: %v", err)
	}
	_, _, err = runCLI(t, "", map[string]string{"DISCORD_PUBLIC_KEY": "nothex"}, "discord", "--http", "127.0.0.1:0")
	if err == nil || !isUsage(err) || !strings.Contains(err.Error(), "DISCORD_PUBLIC_KEY") {
		t.Errorf("HTTP mode with a bad key: %v", err)
	}
}
