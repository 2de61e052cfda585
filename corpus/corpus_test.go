package corpus

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "One fact. Another fact! A question?", []string{"One fact.", "Another fact!", "A question?"}},
		{"titles", "Maj. Gen. Qassim Suleimani was killed. Brig. Gen. Ismail Qaani succeeded him.",
			[]string{"Maj. Gen. Qassim Suleimani was killed.", "Brig. Gen. Ismail Qaani succeeded him."}},
		{"mr and ms", "Mr. Trump spoke. Ms. Pelosi answered.", []string{"Mr. Trump spoke.", "Ms. Pelosi answered."}},
		{"middle initial", "Ms. Pelosi spoke with Mark T. Esper, the defense secretary.", []string{"Ms. Pelosi spoke with Mark T. Esper, the defense secretary."}},
		{"state then quote", "He spoke from West Palm Beach, Fla. “We took action,” he said.",
			[]string{"He spoke from West Palm Beach, Fla.", "“We took action,” he said."}},
		{"state mid-sentence", "Troops at Fort Bragg, N.C., will deploy.", []string{"Troops at Fort Bragg, N.C., will deploy."}},
		{"initials before name", "The U.S. Treasury acted. The U.S. moved troops.", []string{"The U.S. Treasury acted.", "The U.S. moved troops."}},
		{"initials end sentence", "They met in the U.S. The talks failed.", []string{"They met in the U.S.", "The talks failed."}},
		{"a.m.", "By 11 a.m. in London, oil rose. It fell later.", []string{"By 11 a.m. in London, oil rose.", "It fell later."}},
		{"closing quote", "He called it “an act of war.” Iran vowed revenge.", []string{"He called it “an act of war.”", "Iran vowed revenge."}},
		{"question inside quote", "“Will there be escalation? Yes.” he said.", []string{"“Will there be escalation?", "Yes.” he said."}},
		{"ellipsis mid-sentence", "He killed many … but got caught!", []string{"He killed many … but got caught!"}},
		{"circa before a number", "The population amounted to ca. 2 million at that time. It grew.",
			[]string{"The population amounted to ca. 2 million at that time.", "It grew."}},
		{"approximately before a number", "The piston moved approx. 4 feet. Then it stopped.",
			[]string{"The piston moved approx. 4 feet.", "Then it stopped."}},
		{"decimal", "Oil rose 1.3 percent. Gold fell.", []string{"Oil rose 1.3 percent.", "Gold fell."}},
		{"no final stop", "General Qassem Soleimani, left, and his replacement", []string{"General Qassem Soleimani, left, and his replacement"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range Split(tt.in) {
				if tt.in[s.Start:s.End] != s.Text {
					t.Errorf("offsets %d:%d do not give %q", s.Start, s.End, s.Text)
				}
				got = append(got, s.Text)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Split(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"Iran’s supreme leader", "iran supreme leader"},
		{"4,000 troops and $69.20 a barrel", "4000 troops and 69.20 a barrel"},
		{"the U.S. and N.C. at 11 a.m.", "the us and nc at 11 am"},
		{"Amélie de Montchalin", "amelie de montchalin"},
		{"al-Muhandis, MQ-9", "al muhandis mq 9"},
		{"don't stop", "dont stop"},
		{`+title:foo* AND (bar OR "baz")~2 ^3`, "title foo and bar or baz 2 3"},
		{"\x00\x1b[31m\u202e", "31m"},
		{"", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range Tokens(tt.in) {
			got = append(got, tok.Norm)
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, g, tt.want)
		}
	}
}

func TestEmbedded(t *testing.T) {
	st := Embedded()
	if !strings.HasPrefix(st.Title, "The killing of Gen. Qassim Soleimani") {
		t.Errorf("title %q", st.Title)
	}
	if st.Source != "THE NEW YORK TIMES" {
		t.Errorf("source %q", st.Source)
	}
	if !strings.HasPrefix(st.Credit, "Reporting was contributed by Ben Hubbard") {
		t.Errorf("credit %q", st.Credit)
	}
	// Paragraph numbers are what readers cite: pin the first, a middle and
	// the last one so a parsing change that renumbers them fails here.
	pins := map[int]string{
		1:   "Iran’s supreme leader, Ayatollah Ali Khamenei, promised retaliation.",
		10:  "General Suleimani, a powerful strategist",
		34:  "General Qassem Soleimani, left, and his replacement General Esmail Ghaani, right",
		111: "Senator Marco Rubio, Republican of Florida,",
	}
	if len(st.Paragraphs) != 111 {
		t.Fatalf("%d paragraphs, want 111", len(st.Paragraphs))
	}
	for n, prefix := range pins {
		p, ok := st.Paragraph(n)
		if !ok || !strings.HasPrefix(p.Text, prefix) || p.N != n {
			t.Errorf("¶%d = %q, want it to start %q", n, p.Text, prefix)
		}
	}
	for _, p := range st.Paragraphs {
		if strings.Contains(p.Text, "Share:") || len(p.Sentences) == 0 {
			t.Errorf("¶%d: %q (%d sentences)", p.N, p.Text, len(p.Sentences))
		}
	}
}

func TestParse(t *testing.T) {
	text := "\ufeff# A Title\r\n\r\nShare:\r\nFirst line of a\r\nwrapped paragraph.\r\n\r\n\r\nSecond.\tWith a tab.\r\n\r\nREUTERS\r\n"
	st := Parse("x", text)
	if st.Title != "A Title" || st.Source != "REUTERS" {
		t.Errorf("title %q source %q", st.Title, st.Source)
	}
	want := []string{"First line of a wrapped paragraph.", "Second. With a tab."}
	if len(st.Paragraphs) != len(want) {
		t.Fatalf("paragraphs %+v", st.Paragraphs)
	}
	for i, w := range want {
		if st.Paragraphs[i].Text != w || st.Paragraphs[i].N != i+1 {
			t.Errorf("¶%d = %q, want %q", i+1, st.Paragraphs[i].Text, w)
		}
	}
	if Parse("x", text).Hash != st.Hash || Parse("x", text+" ").Hash == st.Hash {
		t.Error("hash must follow the text")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.md", "# Bee story\n\nBees buzz.\n")
	write("a.txt", "Ant story\n\nAnts march.\n")
	write("notes.json", "{}")
	stories, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 2 || stories[0].Name != "a" || stories[1].Title != "Bee story" {
		t.Fatalf("stories %+v", stories)
	}
	one, err := Load(filepath.Join(dir, "b.md"))
	if err != nil || len(one) != 1 {
		t.Fatalf("single file: %v %v", one, err)
	}
	for _, bad := range []string{filepath.Join(dir, "missing.txt"), filepath.Join(dir, "notes.json"), t.TempDir()} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%s) succeeded", bad)
		}
	}
	write("empty.txt", "Only a title\n")
	if _, err := Load(filepath.Join(dir, "empty.txt")); err == nil {
		t.Error("a story with no paragraphs loaded")
	}
	write("bin.txt", "Title\n\n\xff\xfe")
	if _, err := Load(filepath.Join(dir, "bin.txt")); err == nil {
		t.Error("a non-UTF-8 file loaded")
	}
}

func TestMarkers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"General Suleimani, who was 62, was the commander.", "#num #age"},
		{"General Qaani, 62, had been deputy since 1997.", "#num #date #age"},
		{"It killed 24 people on Friday.", "#num #date"},
		{"No numbers here.", ""},
		{"Three days of mourning.", "#num #date #react"},
		{"Iran's leaders quickly promised retaliation.", "#react"},
		{"He said the vote was close.", ""}, // saying is no reaction: every paragraph says something
		{"The ferry capsized because it was overloaded.", "#reason"},
		{"Since Monday, the roads have been closed.", "#date"}, // "since" tells a time as often as a reason
		{"The death toll was 17.", "#num"},                     // a number after "was" is an age only after a person
		{"She is 45 and lives in Rodenbeke.", "#num #age"},
		{"He was a commander while in his 20s.", "#num #age"},
	}
	for _, tt := range tests {
		if got := strings.Join(Markers(tt.in), " "); got != tt.want {
			t.Errorf("Markers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAgeAt is the one reading of an age that the index's marker and
// the span model share.
func TestAgeAt(t *testing.T) {
	tests := []struct {
		text, word string
		age        bool
	}{
		{"General Suleimani, who was 62, was the commander.", "62", true},
		{"Suleimani was 62 when he died.", "62", true},
		{"A 16-year-old hiker spotted a bone.", "16", true},
		{"He is 16 years old.", "16", true},
		{"It was an 8-month-old girl.", "8", true},
		{"The man, aged 40, was detained.", "40", true},
		{"He died at age 62.", "62", true},
		{"Police detained two men, ages 34 and 27, in a raid.", "34", true},
		{"Police detained two men, ages 34 and 27, in a raid.", "27", true},
		{"Her sons, ages 8 and 11, had no symptoms.", "11", true},
		{"The scores were 34 and 27.", "27", false},
		{"The skull was found by Tomás Reyes, 23, a student.", "23", true},
		{"The death toll was 17.", "17", false},
		{"Rescuers pulled 23 people from the water.", "23", false},
		{"In the end, 23, not 30, were saved.", "23", false}, // commas, but after no name
		{"Germany, 1999, was the setting.", "1999", false},
		{"It was 16 years ago.", "16", false},
	}
	for _, tt := range tests {
		toks := Tokens(tt.text)
		i := slices.IndexFunc(toks, func(t Token) bool { return t.Norm == tt.word })
		if i < 0 {
			t.Fatalf("%q: no word %q", tt.text, tt.word)
		}
		if got := AgeAt(tt.text, toks, i); got != tt.age {
			t.Errorf("AgeAt(%q, %q) = %v, want %v", tt.text, tt.word, got, tt.age)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("Mr. Trump said. “Yes.” N.C. a.m. U.S. …")
	f.Fuzz(func(t *testing.T, s string) {
		for _, sent := range Split(s) {
			if sent.Start < 0 || sent.End > len(s) || s[sent.Start:sent.End] != sent.Text || sent.Text == "" {
				t.Fatalf("bad sentence %+v of %q", sent, s)
			}
		}
		for _, tok := range Tokens(s) {
			if tok.Start < 0 || tok.End > len(s) || tok.Start >= tok.End || tok.Norm == "" {
				t.Fatalf("bad token %+v of %q", tok, s)
			}
		}
	})
}
