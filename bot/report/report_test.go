package report

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storybot/corpus"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report")

// goldenDir is shared with the rest of the project's golden files.
const goldenDir = "../../testdata/report"

// day0 is the Monday the fixed log starts on.
var day0 = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)

// fixedLog is a week of a class reading the embedded story: questions that
// were answered (with the paragraphs they cited), ones the bot could not
// answer (some alike, with the nearest paragraphs), and 👍/👎 feedback.
func fixedLog() []Question {
	type q struct {
		day, hour int
		user      string
		text      string
		abstained bool
		cited     []int
		vote      int
		reason    string
	}
	qs := []q{
		{0, 9, "u1", "Who authorized the airstrike?", false, []int{10, 2}, 1, ""},
		{0, 9, "u2", "Who ordered the strike?", false, []int{10}, 0, ""},
		{0, 10, "u3", "Where was Suleimani killed?", false, []int{10, 22}, 1, ""},
		{0, 10, "u4", "How many troops did the Pentagon ready?", false, []int{8}, 0, ""},
		{0, 11, "u1", "When was Hezbollah founded?", true, []int{81}, 0, ""},
		{0, 11, "u5", "what drone was used", false, []int{40}, 0, ""},
		{1, 9, "u2", "Who replaced Suleimani?", false, []int{60, 61}, 1, ""},
		{1, 9, "u6", "How old is General Qaani?", false, []int{61}, 0, ""},
		{1, 10, "u7", "when was hezbollah created", true, []int{81}, 0, ""},
		{1, 10, "u3", "Who killed Suleimani?", false, []int{10}, -1, "unclear"},
		{1, 11, "u8", "What is the Quds Force?", false, []int{38, 57}, 0, ""},
		{1, 14, "u4", "Why did oil prices go up?", false, []int{45, 46}, 0, ""},
		{2, 9, "u5", "What did Pelosi say?", false, []int{106, 104}, 0, ""},
		{2, 9, "u9", "What is the JCPOA?", true, []int{89}, 0, ""},
		{2, 10, "u1", "Who is the new commander of the Quds Force?", false, []int{60}, -1, "wrong"},
		{2, 10, "u2", "How much did oil cost?", false, []int{47}, 0, ""},
		{2, 11, "u6", "Who authorised the strike on Suleimani?", false, []int{10}, 0, ""},
		{2, 13, "u7", "What is Hezbollah?", false, []int{81}, 0, ""},
		{3, 9, "u8", "What did Iran's UN ambassador say?", false, []int{13, 14}, 0, ""},
		{3, 9, "u3", "How many people died in the strike?", true, []int{22, 72}, 0, ""},
		{3, 10, "u10", "how many died in the attack", true, []int{22}, 0, ""},
		{3, 10, "u4", "Who was al-Muhandis?", false, []int{72, 73}, 1, ""},
		{3, 11, "u5", "Where was the strike?", false, []int{10}, 0, ""},
		{3, 15, "u9", "What will Iran do next?", false, []int{1, 31}, -1, "not in the story"},
		{4, 9, "u1", "Who is the Supreme Leader of Iran?", false, []int{1, 32}, 0, ""},
		{4, 9, "u2", "What did the Pentagon say?", false, []int{41}, 0, ""},
		{4, 10, "u6", "What is the weather in Baghdad?", true, nil, 0, ""},
		{4, 10, "u10", "Who killed the general?", false, []int{10}, 0, ""},
		{4, 11, "u7", "Why was Suleimani killed?", false, []int{3, 41}, 0, ""},
		{4, 11, "u8", "How was Suleimani killed?", false, []int{22, 40}, 0, ""},
		{4, 14, "u3", "What did Trump say?", false, []int{2, 3}, 0, ""},
		{4, 14, "u11", "Who authorized the killing?", false, []int{10}, 1, ""},
		// outside the period: never counted
		{9, 9, "u12", "Who is Soleimani?", false, []int{111}, -1, "wrong"},
	}
	out := make([]Question, len(qs))
	for i, x := range qs {
		out[i] = Question{
			Asked:   day0.Add(time.Duration(x.day)*24*time.Hour + time.Duration(x.hour)*time.Hour + time.Duration(i)*time.Minute),
			Channel: []string{"c1", "c2"}[i%2], User: x.user, Text: x.text,
			Abstained: x.abstained, Cited: x.cited, Vote: x.vote, Reason: x.reason,
		}
	}
	return out
}

func week() Period { return Period{Since: day0, Until: day0.AddDate(0, 0, 7)} }

func embedded(t testing.TB) Story {
	t.Helper()
	return FromCorpus(corpus.Embedded())
}

func TestBuildCounts(t *testing.T) {
	r := Build(embedded(t), week(), fixedLog())
	if r.Questions != 32 || r.Askers != 11 || r.Unanswered != 6 || r.Answered != 26 {
		t.Errorf("questions %d askers %d unanswered %d answered %d, want 32 11 6 26", r.Questions, r.Askers, r.Unanswered, r.Answered)
	}
	if r.Upvoted != 5 || r.Downvoted != 3 {
		t.Errorf("votes +%d -%d, want +5 -3", r.Upvoted, r.Downvoted)
	}
	wantDays := []int{6, 6, 6, 6, 8}
	if len(r.Days) != len(wantDays) {
		t.Fatalf("%d days, want %d", len(r.Days), len(wantDays))
	}
	for i, d := range r.Days {
		if d.Count != wantDays[i] || !d.Date.Equal(day0.AddDate(0, 0, i)) {
			t.Errorf("day %d = %v %d, want %v %d", i, d.Date, d.Count, day0.AddDate(0, 0, i), wantDays[i])
		}
	}
	if r.Top[0].N != 10 || r.Top[0].Cited != 8 {
		t.Errorf("top paragraph ¶%d with %d, want ¶10 with 8", r.Top[0].N, r.Top[0].Cited)
	}
	if p := r.Paragraphs[81-1]; p.Cited != 1 || p.Unanswered != 2 {
		t.Errorf("¶81 cited %d unanswered %d, want 1 and 2", p.Cited, p.Unanswered)
	}
	if r.Paragraphs[111-1].Cited != 0 {
		t.Errorf("a question outside the period was counted")
	}
	// The alike unanswered questions meet; the others stay apart.
	var groups []string
	for _, g := range r.Groups {
		groups = append(groups, fmt.Sprintf("%d:%s", g.Count, g.Text))
	}
	want := []string{"2:How many people died in the strike?", "2:When was Hezbollah founded?", "1:What is the JCPOA?", "1:What is the weather in Baghdad?"}
	if strings.Join(groups, "|") != strings.Join(want, "|") {
		t.Errorf("groups\n got %q\nwant %q", groups, want)
	}
	if r.Reasons[0].Count != 1 || len(r.Reasons) != 3 {
		t.Errorf("reasons %+v", r.Reasons)
	}
	if r.Disliked[0].Text != "What will Iran do next?" {
		t.Errorf("newest 👎 first: got %q", r.Disliked[0].Text)
	}
}

func TestGrouping(t *testing.T) {
	tests := []struct {
		name  string
		texts []string
		want  int // groups
	}{
		{"same words other case and punctuation", []string{"When was Hezbollah founded?", "when was hezbollah founded", "WHEN WAS HEZBOLLAH FOUNDED!!"}, 1},
		{"inflections", []string{"Who killed the drivers?", "who kills the driver"}, 1},
		{"different subjects", []string{"When was Hezbollah founded?", "When was Hamas founded?"}, 2},
		{"nothing in common", []string{"What is the weather?", "Who won the match?", "Where is Paris?"}, 3},
		{"no words at all", []string{"???", "!!!", "???"}, 1},
		{"empty", []string{"", ""}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log []Question
			for i, s := range tt.texts {
				log = append(log, Question{Asked: day0.Add(time.Duration(i) * time.Minute), User: "u", Text: s, Abstained: true})
			}
			r := Build(Story{Name: "s", Paragraphs: []string{"One."}}, Period{}, log)
			if len(r.Groups) != tt.want {
				t.Errorf("%d groups, want %d: %+v", len(r.Groups), tt.want, r.Groups)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	log := fixedLog()
	a := Build(embedded(t), week(), log).Markdown()
	rev := make([]Question, len(log))
	for i := range log {
		rev[i] = log[len(log)-1-i]
	}
	b := Build(embedded(t), week(), rev).Markdown()
	if a != b {
		t.Errorf("the report depends on the log's order:\n%s\n---\n%s", a, b)
	}
}

func TestMarkdownGolden(t *testing.T) {
	got := Build(embedded(t), week(), fixedLog()).Markdown()
	path := filepath.Join(goldenDir, "report.md")
	if *update {
		writeGolden(t, path, []byte(got))
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("Markdown differs from %s (run with -update to accept):\n%s", path, got)
	}
	for _, s := range []string{"32 questions", "11 students", "When was Hezbollah founded?", "¶10 — 8 questions"} {
		if !strings.Contains(got, s) {
			t.Errorf("report lacks %q", s)
		}
	}
}

func TestPictureGolden(t *testing.T) {
	r := Build(embedded(t), week(), fixedLog())
	var buf bytes.Buffer
	if err := r.PNG(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(goldenDir, "report.png")
	if *update {
		writeGolden(t, path, buf.Bytes())
	}
	got, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open golden (run with -update to create it): %v", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode golden: %v", err)
	}
	if n := pixelDiff(got, want); n != 0 {
		out := filepath.Join(t.TempDir(), "report.png")
		os.WriteFile(out, buf.Bytes(), 0o644)
		t.Errorf("picture differs from %s in %d pixels; got is at %s (run with -update to accept)", path, n, out)
	}
}

func writeGolden(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pixelDiff counts the pixels that differ; a different size differs
// everywhere.
func pixelDiff(a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx()*a.Bounds().Dy() + 1
	}
	n := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				n++
			}
		}
	}
	return n
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := Build(embedded(t), week(), fixedLog())
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil || string(md) != r.Markdown() {
		t.Errorf("report.md: %v", err)
	}
	f, err := os.Open(filepath.Join(dir, "report.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("report.png: %v", err)
	}
	// a file where the folder should be: a clear error, not a panic
	if err := r.WriteDir(filepath.Join(dir, "report.md")); err == nil {
		t.Errorf("writing into a file succeeded")
	}
}
