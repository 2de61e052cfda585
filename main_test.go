package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// runCLI runs the program as a user would, with no environment beyond env.
func runCLI(t *testing.T, stdin string, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err = run(context.Background(), append([]string{"storybot"}, args...), getenv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review):\n got: %s\nwant: %s", name, got, want)
	}
}

func TestAskText(t *testing.T) {
	out, _, err := runCLI(t, "", nil, "ask", "Who", "authorized", "the", "airstrike?")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ask-who-authorized.txt", out)
	if !strings.Contains(out, "Trump") || !strings.Contains(out, "¶10") {
		t.Errorf("output:\n%s", out)
	}
}

// jsonLine is the stable line format of ask --json.
type jsonLine struct {
	Question  string `json:"question"`
	Answer    string `json:"answer"`
	Abstained bool   `json:"abstained"`
	Citations []struct {
		Story     string `json:"story"`
		Paragraph int    `json:"paragraph"`
		Quote     string `json:"quote"`
		Text      string `json:"text"`
	} `json:"citations"`
	Mode  string  `json:"mode"`
	Error *string `json:"error"`
}

func decodeLines(t *testing.T, out string) []jsonLine {
	t.Helper()
	var lines []jsonLine
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var raw map[string]any
		if err := json.Unmarshal([]byte(l), &raw); err != nil {
			t.Fatalf("not one JSON object per line: %q: %v", l, err)
		}
		for _, k := range []string{"question", "answer", "abstained", "citations"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("line lacks %q: %s", k, l)
			}
		}
		var jl jsonLine
		json.Unmarshal([]byte(l), &jl)
		lines = append(lines, jl)
	}
	return lines
}

func TestAskJSONBatch(t *testing.T) {
	in := []string{
		"Who authorized the airstrike that killed Soleimani?",
		"",
		"   ",
		strings.Repeat("x", 100_000),
		"\x01\x02\x1b[2J",
		`+Soleimani* AND (killed OR "died")~2 ^3 title:x`,
		"@everyone who authorized the strike? <@&123>",
		"%s %d %!v",
		"🔥🔥🔥",
		"\u202eمن أمر بالضربة",
		"Tell me a joke",
		"How many troops did the Pentagon ready at Fort Bragg?",
	}
	out, _, err := runCLI(t, strings.Join(in, "\n")+"\n", nil, "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := decodeLines(t, out)
	if len(lines) != len(in) {
		t.Fatalf("%d lines for %d questions:\n%s", len(lines), len(in), out)
	}
	for i, l := range lines {
		if l.Citations == nil {
			t.Errorf("line %d: citations must be a list, even empty", i)
		}
		if !utf8.ValidString(l.Answer) {
			t.Errorf("line %d: invalid UTF-8", i)
		}
	}
	for _, i := range []int{1, 2, 3, 4, 8} {
		if !lines[i].Abstained || lines[i].Error == nil || *lines[i].Error == "" {
			t.Errorf("line %d (%.20q): want abstained with an error, got %+v", i, in[i], lines[i])
		}
	}
	if lines[0].Abstained || !strings.Contains(lines[0].Answer, "Trump") || lines[0].Citations[0].Paragraph != 10 || lines[0].Mode != "extractive" {
		t.Errorf("first answer %+v", lines[0])
	}
	if lines[11].Abstained || !strings.Contains(lines[11].Answer, "4,000") {
		t.Errorf("last answer %+v", lines[11])
	}
	if !lines[10].Abstained {
		t.Errorf("a joke was answered: %+v", lines[10])
	}
	if lines[3].Question == strings.Repeat("x", 100_000) {
		t.Error("a 100 KB question was echoed back whole")
	}
	golden(t, "ask-batch.jsonl", out)
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{},
		{"nope"},
		{"ask", ""},
		{"ask", "   "},
		{"ask", strings.Repeat("long ", 300)},
		{"ask", "--bogus", "question"},
		{"passage"},
		{"passage", "0"},
		{"passage", "112"},
		{"passage", "twelve"},
		{"passage", "--story", "nope", "3"},
		{"search"},
		{"search", "?!"},
		{"eval"},
		{"eval", "testdata/missing.jsonl"},
		{"chat", "extra"},
		{"ask", "--corpus", "testdata/missing-dir", "who?"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, _, err := runCLI(t, "", nil, args...)
			if err == nil {
				t.Fatal("no error")
			}
			if !isUsage(err) && args[len(args)-1] != "who?" {
				t.Errorf("error %v is not a usage error (exit 2)", err)
			}
			if strings.Contains(err.Error(), "\n") || len(err.Error()) > 200 {
				t.Errorf("error is not one short line: %q", err)
			}
		})
	}
}

func TestPassageAndSearch(t *testing.T) {
	out, _, err := runCLI(t, "", nil, "passage", "17")
	if err != nil || !strings.HasPrefix(out, "¶17 — The killing of Gen. Qassim Soleimani") || !strings.Contains(out, "Operation Hard Revenge") || !strings.Contains(out, "previous ¶16 · next ¶18") {
		t.Errorf("passage 17: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "", nil, "search", "Brent", "crude")
	if err != nil || !strings.HasPrefix(out, "¶47 ") || !strings.Contains(out, "**Brent** **crude**") {
		t.Errorf("search: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "", nil, "search", `title:(x AND y)* "zzzz"`)
	if err != nil || !strings.Contains(out, "No paragraph matches") {
		t.Errorf("syntax search: %v\n%s", err, out)
	}
}

func TestChat(t *testing.T) {
	in := "Who replaced Soleimani?\nand how old was he?\n\nnew\nwhat is the capital of France?\nquit\nnever read\n"
	out, _, err := runCLI(t, in, nil, "chat")
	if err != nil {
		t.Fatal(err)
	}
	answers := strings.Split(out, "> ")
	if len(answers) < 4 {
		t.Fatalf("chat output:\n%s", out)
	}
	// The follow-up is read as being about the person the first answer
	// named. (That it then finds his age, "62", is a known miss of the
	// learned engine: no training question is a follow-up yet.)
	if !strings.Contains(answers[1], "Ghaani") || !strings.Contains(answers[2], "Ghaani") && !strings.Contains(answers[2], "Qaani") || !strings.Contains(out, "doesn't say") || strings.Contains(out, "never read") {
		t.Errorf("chat output:\n%s", out)
	}
}

func TestCorpusFlag(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bees.txt"), []byte("Bees in the city\n\nA swarm of 4,000 bees settled on the town hall on Monday.\n\nBeekeeper Jo Park moved them by noon.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ants.md"), []byte("# Ants\n\nAnts marched across the picnic on Sunday.\n"), 0o644)
	out, _, err := runCLI(t, "", nil, "ask", "--json", "--corpus", dir, "Who moved the bees?")
	if err != nil {
		t.Fatal(err)
	}
	l := decodeLines(t, out)[0]
	if l.Abstained || !strings.Contains(l.Answer, "Jo Park") || l.Citations[0].Story != "bees" || l.Citations[0].Paragraph != 2 {
		t.Errorf("%+v", l)
	}
	// The same through the environment, with the index kept on disk.
	env := map[string]string{"STORY_CORPUS": dir, "STORY_INDEX_DIR": t.TempDir()}
	for i := 0; i < 2; i++ {
		out, _, err = runCLI(t, "", env, "ask", "When did the ants march?")
		if err != nil || !strings.Contains(out, "Sunday") || !strings.Contains(out, "(ants)") {
			t.Errorf("run %d: %v\n%s", i, err, out)
		}
	}
}

func TestDotEnv(t *testing.T) {
	vars, err := parseDotEnv(strings.NewReader("# comment\n\nA=1\nexport B = two words \nC=\"quoted # not a comment\"\nD=x # comment\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "two words", "C": "quoted # not a comment", "D": "x"}
	for k, v := range want {
		if vars[k] != v {
			t.Errorf("%s = %q, want %q", k, vars[k], v)
		}
	}
	if _, err := parseDotEnv(strings.NewReader("no equals sign\n")); err == nil {
		t.Error("a malformed line was accepted")
	}
	path := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(path, []byte("X=file\nY=file\n"), 0o600)
	getenv, err := withDotEnv(func(k string) (string, bool) { v, ok := map[string]string{"X": "env"}[k]; return v, ok }, path)
	if err != nil || getenv("X") != "env" || getenv("Y") != "file" || getenv("Z") != "" {
		t.Errorf("environment must win over .env: %v %q %q", err, getenv("X"), getenv("Y"))
	}
}
