package main

import (
	"bufio"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

// TestDiscordHTTPExitsOnSIGTERM runs the real program in HTTP mode (no
// Discord needed without a token) and stops it the way a service manager
// does.
func TestDiscordHTTPExitsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := filepath.Join(t.TempDir(), "storybot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	cmd := exec.Command(bin, "discord", "--http", "127.0.0.1:0")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "DISCORD_PUBLIC_KEY="+hex.EncodeToString(pub), "DISCORD_TOKEN=", "OPENAI_API_KEY=", "OPENAI_BASE_URL=")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the endpoint to listen, and check it rejects unsigned
	// requests. A program that never starts is killed, which ends the scan.
	watchdog := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer watchdog.Stop()
	sc := bufio.NewScanner(stderr)
	addr := ""
	for sc.Scan() {
		line := sc.Text()
		if _, after, ok := strings.Cut(line, " addr="); ok && strings.Contains(line, "serving Discord interactions") {
			addr = strings.Fields(after)[0]
			break
		}
	}
	if addr == "" {
		cmd.Process.Kill()
		t.Fatal("the endpoint never started")
	}
	go io.Copy(io.Discard, stderr)
	resp, err := http.Post("http://"+addr, "application/json", strings.NewReader(`{"type":1}`))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned PING: %v %v", resp, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("still running 20s after SIGTERM")
	}
}
