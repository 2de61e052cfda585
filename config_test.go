package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDotEnvFormats checks the .env forms editors and people write: a
// byte-order mark, comments after quoted values, CRLF lines.
func TestDotEnvFormats(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
	}{
		{"byte-order mark", "\ufeffDISCORD_TOKEN=abc\nB=2\n", map[string]string{"DISCORD_TOKEN": "abc", "B": "2"}},
		{"comment after a quoted value", `A="x" # comment` + "\n" + `B='y' # c`, map[string]string{"A": "x", "B": "y"}},
		{"quoted hash", `A="x # not a comment"`, map[string]string{"A": "x # not a comment"}},
		{"CRLF", "A=1\r\nB=2\r\n", map[string]string{"A": "1", "B": "2"}},
		{"export and spaces", "export A = two words \n", map[string]string{"A": "two words"}},
		{"empty value", "A=\n", map[string]string{"A": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDotEnv(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDotEnvErrorsKeepSecrets checks that a malformed .env is refused
// with its line number and without echoing what it holds.
func TestDotEnvErrorsKeepSecrets(t *testing.T) {
	for _, in := range []string{
		"A=1\nsk-secret-value\nOPENAI_API_KEY=sk-secret-key\n",
		"A=\"sk-secret-key\n",
	} {
		_, err := parseDotEnv(strings.NewReader(in))
		if err == nil {
			t.Fatalf("%q accepted", in)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("the error echoes the file: %v", err)
		}
	}
	if _, err := parseDotEnv(strings.NewReader("A=1\nsk-secret-value\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error %v, want it to name line 2", err)
	}
	if _, err := parseDotEnv(strings.NewReader(strings.Repeat("A=1\n", maxDotEnv))); err == nil {
		t.Error("a .env of several megabytes was read")
	}
}

// TestDotEnvEnvironmentWins checks that a variable set in the
// environment wins over .env, even set to the empty string.
func TestDotEnvEnvironmentWins(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("\ufeffOPENAI_API_KEY=from-file\nLOG_LEVEL=debug\nSTORY_CORPUS=file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OPENAI_API_KEY": "", "STORY_CORPUS": "env"}
	getenv, err := withDotEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, path)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"OPENAI_API_KEY": "", "STORY_CORPUS": "env", "LOG_LEVEL": "debug", "UNSET": ""} {
		if got := getenv(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// A .env that is not a file is refused rather than read forever.
	if _, err := withDotEnv(func(string) (string, bool) { return "", false }, t.TempDir()); err == nil {
		t.Error("a folder named .env was read")
	}
	// No .env: the environment alone.
	getenv, err = withDotEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, filepath.Join(t.TempDir(), ".env"))
	if err != nil || getenv("STORY_CORPUS") != "env" || getenv("LOG_LEVEL") != "" {
		t.Errorf("without .env: %v %q", err, getenv("STORY_CORPUS"))
	}
}
