package corpus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden paragraph splits in testdata/paste")

// render is a story's parse as a golden file holds it: its title, source
// and credit, then one paragraph a line.
func render(st *Story) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: %s\nsource: %s\ncredit: %s\n", st.Title, st.Source, st.Credit)
	for _, p := range st.Paragraphs {
		fmt.Fprintf(&b, "¶%d %s\n", p.N, p.Text)
	}
	return b.String()
}

// TestPasted: text copied from web pages, a PDF and an email parses into
// the paragraphs a reader sees (testdata/paste/NAME.golden; go test
// ./corpus -update rewrites them, to be read before committing).
func TestPasted(t *testing.T) {
	files, err := filepath.Glob("../testdata/paste/*.txt")
	if err != nil || len(files) < 5 {
		t.Fatalf("pasted-text fixtures: %v, %v", files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			st := Parse(name, string(text))
			got := render(st)
			golden := strings.TrimSuffix(f, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("parse of %s differs from %s:\n%s", f, golden, lineDiff(string(want), got))
			}
			for _, p := range st.Paragraphs {
				if len(p.Sentences) == 0 || strings.TrimSpace(p.Text) != p.Text || strings.Contains(p.Text, "\r") {
					t.Errorf("¶%d %q: untrimmed, or no sentences", p.N, p.Text)
				}
			}
		})
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "- %s\n+ %s\n", wl, gl)
		}
	}
	return b.String()
}

// legacyParse is how Parse split a story before it read pasted text:
// blank lines (and boilerplate lines) end a paragraph, a paragraph's lines
// are joined, the first paragraph is the title. TestBlankLineStories holds
// Parse to it for stories written that way, so their paragraph numbers,
// which readers cite, never move.
func legacyParse(text string) (title string, blocks []string) {
	text = strings.TrimPrefix(text, "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var cur []string
	end := func() {
		if len(cur) > 0 {
			blocks = append(blocks, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		line = cleanLine(line)
		if line == "" || isBoilerplate(line) {
			end()
			continue
		}
		cur = append(cur, line)
	}
	end()
	if len(blocks) == 0 {
		return "", nil
	}
	return strings.TrimSpace(strings.TrimLeft(blocks[0], "#")), blocks[1:]
}

// TestBlankLineStories: every story written with blank lines between
// paragraphs (the embedded one, testdata/stories, the SQuAD articles in
// testdata/squad) parses exactly as it always did.
func TestBlankLineStories(t *testing.T) {
	files, _ := filepath.Glob("../testdata/stories/*.txt")
	squad, _ := filepath.Glob("../testdata/squad/*.txt")
	files = append(files, squad...)
	texts := map[string]string{"embedded": embedded}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(b)
	}
	if len(texts) < 4 {
		t.Fatalf("only %d stories to compare", len(texts))
	}
	for name, text := range texts {
		st := Parse(name, text)
		title, blocks := legacyParse(text)
		if st.Title != title {
			t.Errorf("%s: title %q, was %q", name, st.Title, title)
		}
		// Source and credit come off the end, as before.
		n := len(st.Paragraphs)
		if st.Source != "" {
			n++
		}
		if st.Credit != "" {
			n++
		}
		if n != len(blocks) {
			t.Errorf("%s: %d paragraphs (+ source, credit), was %d", name, n, len(blocks))
			continue
		}
		for i, p := range st.Paragraphs {
			if p.Text != blocks[i] {
				t.Errorf("%s ¶%d = %q, was %q", name, p.N, p.Text, blocks[i])
			}
		}
	}
}

func TestLayout(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		title  string
		credit string
		want   []string
	}{
		{"title then one newline", "A Title\nFirst paragraph.\n\nSecond paragraph.\n",
			"A Title", "", []string{"First paragraph.", "Second paragraph."}},
		{"title wrapped onto a second line", "The council votes on the\nbridge tonight\n\nIt meets at six.\n",
			"The council votes on the bridge tonight", "", []string{"It meets at six."}},
		{"a paragraph a line", "Title\nOne.\nTwo.\r\nThree.\r\n",
			"Title", "", []string{"One.", "Two.", "Three."}},
		{"line broken mid-sentence", "Title\nThe mayor said that the\nbridge would close. Then she left.\nNext paragraph.\n",
			"Title", "", []string{"The mayor said that the bridge would close. Then she left.", "Next paragraph."}},
		{"heading stays apart", "Title\nWhat we know\nThe fire started at dawn.\n",
			"Title", "", []string{"What we know", "The fire started at dawn."}},
		{"caption without a stop stays apart", "Title\nGeneral Qassem Soleimani, left, and his replacement\nIran vowed revenge.\n",
			"Title", "", []string{"General Qassem Soleimani, left, and his replacement", "Iran vowed revenge."}},
		{"bullets", "Title\nWe found:\n- 41 urchins\n* 9 sea stars\n• one octopus\n1. first step\n",
			"Title", "", []string{"We found:", "41 urchins", "9 sea stars", "one octopus", "1. first step"}},
		{"bullets in a blank-line story", "Title\n\nIntro.\n\nWe found:\n- 41 urchins\n- 9 sea stars\n",
			"Title", "", []string{"Intro.", "We found:", "41 urchins", "9 sea stars"}},
		{"byline and date", "Title\nBy Jane Smith\nUpdated Jan. 3, 2026, 5:12 p.m. ET\nThe story.\n",
			"Title", "By Jane Smith", []string{"The story."}},
		{"name and role", "Title\n\nJane Smith, Staff Reporter\n\nThe story.\n\nMore of it.\n",
			"Title", "Jane Smith, Staff Reporter", []string{"The story.", "More of it."}},
		{"by as a word is no byline", "Title\nBy Friday, troops had left.\nBy 11 a.m. oil rose.\n",
			"Title", "", []string{"By Friday, troops had left.", "By 11 a.m. oil rose."}},
		{"byline with a trailing credit", "Title\nBY ANA LOPEZ\nThe story.\nReporting was contributed by Bo Li.\n",
			"Title", "BY ANA LOPEZ; Reporting was contributed by Bo Li.", []string{"The story."}},
		{"page furniture", "Title\nShare\nAdvertisement\nThe story.\nSubscribe\nSkip Advertisement\nMore.\n",
			"Title", "", []string{"The story.", "More."}},
		{"stray whitespace", "  Title  \n\t\n \u00a0 \nFirst.\t\n   Second.   \n\n\n",
			"Title", "", []string{"First.", "Second."}},
		{"smart quotes kept", "Title\n“It’s over,” she said.\n",
			"Title", "", []string{"“It’s over,” she said."}},
		{"references and edit links", "Title\nHistory[edit]\nIt was built in 1874.[1][2] It is tall.[citation needed]\n",
			"Title", "", []string{"History", "It was built in 1874. It is tall.[citation needed]"}},
		{"invisible characters inside words", "Title\nThe in\u00adfor\u200bmation — \u200bkept\n",
			"Title", "", []string{"The information — \u200bkept"}},
		{"long lines in a blank-line story", "Title\n\n" + strings.Repeat("A long pasted paragraph. ", 5) + "\n" +
			strings.Repeat("Another long one. ", 7) + "\n\nA short one.\n",
			"Title", "", []string{strings.TrimSpace(strings.Repeat("A long pasted paragraph. ", 5)),
				strings.TrimSpace(strings.Repeat("Another long one. ", 7)), "A short one."}},
		{"title only", "Just a title\n", "Just a title", "", nil},
		{"empty", "", "", "", nil},
		{"blank lines only", "\n\n \r\n\t\n", "", "", nil},
		{"boilerplate only", "Title\nShare\nAdvertisement\n", "Title", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Parse("x", tt.in)
			var got []string
			for _, p := range st.Paragraphs {
				got = append(got, p.Text)
			}
			if st.Title != tt.title || st.Credit != tt.credit || strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Parse(%q)\n got title %q credit %q paragraphs %q\nwant title %q credit %q paragraphs %q",
					tt.in, st.Title, st.Credit, got, tt.title, tt.credit, tt.want)
			}
		})
	}
}

// TestReflow: text wrapped by hand without blank lines (copied from a
// PDF) is joined back into its paragraphs.
func TestReflow(t *testing.T) {
	text := "A Title\n" +
		"On the evening of January 14, a winter storm brought down more than 300\n" +
		"power lines across the county, leaving about 52,000 homes without power\n" +
		"for up to four days.\n" +
		"The county opened six warming centers in schools and churches. The\n" +
		"largest took in more than 900 people on the second night, officials\n" +
		"said.\n" +
		"Vocabulary\n" +
		"• utility – a company that provides electricity, gas or water to homes\n"
	st := Parse("x", text)
	want := []string{
		"On the evening of January 14, a winter storm brought down more than 300 power lines across the county, leaving about 52,000 homes without power for up to four days.",
		"The county opened six warming centers in schools and churches. The largest took in more than 900 people on the second night, officials said.",
		"Vocabulary",
		"utility – a company that provides electricity, gas or water to homes",
	}
	var got []string
	for _, p := range st.Paragraphs {
		got = append(got, p.Text)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// FuzzParse: any text parses without panicking into trimmed, numbered,
// single-line paragraphs whose sentences lie inside them.
func FuzzParse(f *testing.F) {
	f.Add(embedded[:2000])
	f.Add("Title\nBy Jane Smith\nOne.\n- two\n\n1. three\n[1][edit]\u00ad\u200b")
	f.Add("\r\n\r\n\x00\x1b[31m\u202e title\n\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		st := Parse("f", text)
		for i, p := range st.Paragraphs {
			if p.N != i+1 || p.Text == "" || strings.TrimSpace(p.Text) != p.Text || strings.ContainsAny(p.Text, "\n\r") {
				t.Fatalf("¶%d %q", p.N, p.Text)
			}
			for _, s := range p.Sentences {
				if s.Start < 0 || s.End > len(p.Text) || p.Text[s.Start:s.End] != s.Text {
					t.Fatalf("¶%d sentence %d:%d %q", p.N, s.Start, s.End, s.Text)
				}
			}
		}
		if strings.ContainsAny(st.Title, "\n\r") {
			t.Fatalf("title %q", st.Title)
		}
	})
}

// TestLargePastes: the shapes that could make joining lines costly (a
// million continuation lines, a line of brackets, a wall of bullets)
// parse, and into what they should.
func TestLargePastes(t *testing.T) {
	st := Parse("x", "Title.\n"+strings.Repeat("and more\n", 200_000))
	if len(st.Paragraphs) != 1 || len(st.Paragraphs[0].Text) != len("and more")*200_000+200_000-1 {
		t.Errorf("continuation lines: %d paragraphs", len(st.Paragraphs))
	}
	st = Parse("x", "Title\n"+strings.Repeat("[", 1<<20)+" and "+strings.Repeat("[1]", 100_000)+".\n")
	if len(st.Paragraphs) != 1 || strings.Contains(st.Paragraphs[0].Text, "[1]") {
		t.Errorf("brackets: %d paragraphs", len(st.Paragraphs))
	}
	st = Parse("x", "Title\n"+strings.Repeat("- an item\n", 20_000))
	if len(st.Paragraphs) != 20_000 || st.Paragraphs[19_999].Text != "an item" {
		t.Errorf("bullets: %d paragraphs", len(st.Paragraphs))
	}
}
