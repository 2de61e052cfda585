package report

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// barAt measures row i's bar: how many pixels of its middle line are
// coloured (not track, stripe or background), and the luminance of its
// first pixel (lower is darker).
func barAt(img *image.RGBA, rows, i int) (length int, luma float64) {
	rowH := max(rowMin, min(rowMax, columnMax/rows))
	y := headerH + i*rowH + rowH/2
	for x := barLeft; x < barRight; x++ {
		c := img.RGBAAt(x, y)
		if c != colTrack && c != colStripe && c != colBackground {
			length++
		}
	}
	c := img.RGBAAt(barLeft+1, y)
	return length, 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
}

func TestPicturePixelsReflectCounts(t *testing.T) {
	story := Story{Name: "three", Title: "Three paragraphs", Paragraphs: []string{"First one.", "Second one.", "Third one."}}
	var log []Question
	add := func(n, times int, abstained bool) {
		for range times {
			log = append(log, Question{Asked: day0, User: "u", Text: "q", Cited: []int{n}, Abstained: abstained})
		}
	}
	add(1, 1, false)
	add(2, 5, false)
	add(3, 4, true) // unanswered near ¶3: no bar
	img, err := Build(story, Period{}, log).Image()
	if err != nil {
		t.Fatal(err)
	}
	l1, d1 := barAt(img, 3, 0)
	l2, d2 := barAt(img, 3, 1)
	l3, _ := barAt(img, 3, 2)
	if !(l2 > l1 && l1 > 0) || l3 != 0 {
		t.Errorf("bar lengths ¶1 %d ¶2 %d ¶3 %d: want ¶2 > ¶1 > 0 = ¶3", l1, l2, l3)
	}
	if l2 != barRight-barLeft {
		t.Errorf("the most cited bar is %d px, want the full %d", l2, barRight-barLeft)
	}
	if !(d2 < d1) {
		t.Errorf("the most cited bar (luma %.0f) is not darker than the least (%.0f)", d2, d1)
	}
	// ¶3's four unanswered questions are drawn in orange beside its row.
	rowH := rowMax
	y0 := headerH + 2*rowH
	orange := 0
	for y := y0; y < y0+rowH; y++ {
		for x := barRight; x < picWidth; x++ {
			if img.RGBAAt(x, y) == colMiss {
				orange++
			}
		}
	}
	if orange == 0 {
		t.Errorf("no orange unanswered count beside ¶3")
	}
}

func TestEmptyLog(t *testing.T) {
	for _, story := range []Story{embedded(t), {Name: "empty"}} {
		r := Build(story, week(), nil)
		if r.Questions != 0 || len(r.Groups) != 0 || len(r.Top) != 0 || len(r.Days) != 0 {
			t.Errorf("%s: empty log gave %+v", story.Name, r)
		}
		md := r.Markdown()
		if !strings.Contains(md, "No questions were asked in this period.") {
			t.Errorf("%s: Markdown does not say nothing was asked:\n%s", story.Name, md)
		}
		var buf bytes.Buffer
		if err := r.PNG(&buf); err != nil {
			t.Fatalf("%s: %v", story.Name, err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("%s: %v", story.Name, err)
		}
		if img.Bounds().Dx() != picWidth || img.Bounds().Dy() < headerH {
			t.Errorf("%s: picture %v", story.Name, img.Bounds())
		}
	}
}

func TestLongStory(t *testing.T) {
	for _, n := range []int{500, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			paras := make([]string, n)
			for i := range paras {
				paras[i] = fmt.Sprintf("Paragraph %d says something.", i+1)
			}
			var log []Question
			for i := range 300 {
				log = append(log, Question{Asked: day0, User: "u", Text: "q", Cited: []int{n, n / 2, 1 + i%7}})
			}
			r := Build(Story{Name: "long", Paragraphs: paras}, Period{}, log)
			img, err := r.Image()
			if err != nil {
				t.Fatal(err)
			}
			if h := img.Bounds().Dy(); h > headerH+columnMax+100 {
				t.Errorf("picture is %d px tall", h)
			}
			rows := len(r.rows())
			if rows > maxRows {
				t.Errorf("%d rows, want at most %d", rows, maxRows)
			}
			// The last paragraph, cited by every question, has a full bar
			// (or shares the full bar with its row's neighbours).
			if l, _ := barAt(img, rows, rows-1); l != barRight-barLeft {
				t.Errorf("last row's bar is %d px, want %d", l, barRight-barLeft)
			}
			if l, _ := barAt(img, rows, rows-3); l != 0 && n == 500 {
				t.Errorf("an uncited paragraph has a %d px bar", l)
			}
		})
	}
}

func TestHostileText(t *testing.T) {
	long := strings.Repeat("ab*_`", 2000) // a 10 KB line
	hostile := []string{
		"@everyone what happened?",
		"@here <@123456789012345678> <@&42> <#99> who?",
		"**bold** __under__ ~~gone~~ `code` ||spoiler|| > quote",
		"# heading\n- list\n```\nfenced\n```",
		"[click](https://evil.example/x) https://evil.example",
		"tab\tnull\x00bell\x07esc\x1b[31mred\u202eevil\u200bzw",
		"\xff\xfe not utf-8",
		long,
	}
	story := Story{Name: "s", Title: "A *story* about @everyone", Paragraphs: []string{"One."}}
	var log []Question
	for i, s := range hostile {
		// each once unanswered and once marked 👎 with a hostile reason
		log = append(log,
			Question{Asked: day0.Add(time.Duration(i) * time.Minute), User: fmt.Sprint("u", i), Text: s, Abstained: true},
			Question{Asked: day0.Add(time.Duration(i) * time.Minute), User: fmt.Sprint("u", i), Text: s, Cited: []int{1, -5, 1 << 40}, Vote: -1, Reason: s})
	}
	r := Build(story, Period{}, log)
	md := r.Markdown()
	for _, bad := range []string{"@everyone", "@here", "<@1", "<@&", "<#", "**bold", "](http", "https://", "\x00", "\x07", "\x1b", "\u202e", "\xff", "\n# heading", "\n```\nfenced"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown contains %q", bad)
		}
	}
	if !utf8.ValidString(md) {
		t.Errorf("Markdown is not valid UTF-8")
	}
	for _, line := range strings.Split(md, "\n") {
		if n := utf8.RuneCountInString(line); n > 2*MaxText*(MaxPhrasings+1) {
			t.Errorf("a %d-character line: %.80q…", n, line)
		}
	}
	if r.Paragraphs[0].Cited != len(hostile) {
		t.Errorf("¶1 cited %d times, want %d (bad paragraph numbers ignored)", r.Paragraphs[0].Cited, len(hostile))
	}
	for _, limit := range []int{2000, 300} {
		s := r.Summary(limit)
		if utf8.RuneCountInString(s) > limit {
			t.Errorf("Summary(%d) is %d characters", limit, utf8.RuneCountInString(s))
		}
		if strings.Count(s, "```")%2 != 0 {
			t.Errorf("Summary(%d) leaves a code block open", limit)
		}
	}
	if _, err := r.Image(); err != nil {
		t.Fatal(err)
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"@everyone", "@\u200beveryone"},
		{"<@123>", `\<@` + "\u200b" + `123\>`},
		{"*a* _b_ `c` ~d~ |e| > f # g - h", `\*a\* \_b\_ \` + "`" + `c\` + "`" + ` \~d\~ \|e\| \> f \# g \- h`},
		{"[x](https://e.x)", `\[x\]\(https\://e.x\)`},
		{`back\slash`, `back\\slash`},
		{"plain words", "plain words"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPeriod(t *testing.T) {
	log := fixedLog()
	r := Build(embedded(t), Period{Since: day0.AddDate(0, 0, 4)}, log)
	if r.Questions != 9 { // Friday's 8 and the one on day 9
		t.Errorf("since Friday: %d questions, want 9", r.Questions)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data")
	}
	// 23:30 UTC on Monday is Tuesday in Paris.
	r = Build(embedded(t), Period{Zone: paris}, []Question{{Asked: day0.Add(23*time.Hour + 30*time.Minute)}})
	if got := r.Days[0].Date.Format("Mon 2 Jan"); got != "Tue 17 Nov" {
		t.Errorf("day in Paris %s, want Tue 17 Nov", got)
	}
	// A year and more of log: the per-day list keeps the last MaxDays.
	r = Build(embedded(t), Period{}, []Question{{Asked: day0.AddDate(-3, 0, 0)}, {Asked: day0}, {Asked: time.Time{}}})
	if len(r.Days) != MaxDays || r.Earlier != 2 || r.Days[len(r.Days)-1].Count != 1 {
		t.Errorf("%d days, %d earlier", len(r.Days), r.Earlier)
	}
}
