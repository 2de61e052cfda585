package corpus

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestValidateStory(t *testing.T) {
	news, err := os.ReadFile("../testdata/paste/news-site.txt")
	if err != nil {
		t.Fatal(err)
	}
	para := "The council met on Tuesday and voted to rebuild the park. "
	tests := []struct {
		name string
		text string
		want string // a part of the refusal; "" accepts
	}{
		{"a pasted news story", string(news), ""},
		{"the embedded story", embedded, ""},
		{"mentions are only text", "Title\n@everyone @here <@123> read this.\n", ""},
		{"a few control characters", "Title\n\x1b[31mRed\x1b[0m text.\n", ""},
		{"empty", "", "The story is empty."},
		{"blank", " \n\t\r\n\u00a0\n", "The story is empty."},
		{"10 MB", strings.Repeat("Title\n"+para+"\n", 10<<20/(len(para)+7)), "is 10.0 MB; the limit is 200 KB"},
		{"just over the size", "T\n" + strings.Repeat("a", 200<<10), "is 201 KB; the limit is 200 KB"},
		{"PDF", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "That is a PDF file, not text."},
		{"Word document", "PK\x03\x04\x14\x00\x06\x00word/document.xml", "That is a Word document or another zipped file"},
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "That is an image, not text."},
		{"NUL bytes", "Title\nSome\x00text\x00here.\n", "That is a binary file, not text."},
		{"control characters", "Title\n" + strings.Repeat("\x01\x02\x03 abc ", 50), "That is a binary file, not text."},
		{"Latin-1", "Caf\xe9 story\nThe caf\xe9 opened in 1998.\n", "not UTF-8 text"},
		{"title only", "Only a title\n", "a title but no paragraphs"},
		{"boilerplate only", "Title\nShare\nAdvertisement\nSubscribe\n", "a title but no paragraphs"},
		{"5,000 paragraphs", "Title\n" + strings.Repeat("A short paragraph.\n", 5000), "has 5,000 paragraphs; the limit is 1,000."},
		{"one giant paragraph", "Title\n" + strings.Repeat(para, 3000), "Paragraph 1 is 173,999 characters long; the limit is 20,000."},
		{"a giant paragraph among others", "Title\nFirst.\n" + strings.Repeat(para, 400) + "\nLast.\n", "Paragraph 2 is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateStory(tt.text)
			if tt.want == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			var se *StoryError
			if !errors.As(err, &se) {
				t.Fatalf("ValidateStory = %v, want a *StoryError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidateStory = %q, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestStoryLimits(t *testing.T) {
	l := StoryLimits{MaxBytes: 100, MaxParagraphs: 2, MaxParagraphChars: 20}
	if _, err := l.Parse("x", "T\n"+strings.Repeat("a", 100)); err == nil || !strings.Contains(err.Error(), "the limit is 100 bytes") {
		t.Errorf("size: %v", err)
	}
	if _, err := l.Parse("x", "T\nOne.\nTwo.\nThree.\n"); err == nil || !strings.Contains(err.Error(), "has 3 paragraphs; the limit is 2") {
		t.Errorf("paragraphs: %v", err)
	}
	if _, err := l.Parse("x", "T\nÉtés à l’île, déjà vu ok.\n"); err == nil || !strings.Contains(err.Error(), "is 25 characters long; the limit is 20") {
		t.Errorf("paragraph, counted in characters: %v", err)
	}
	st, err := l.Parse("x", "T\nOne.\nTwo.\n")
	if err != nil || st.Name != "x" || len(st.Paragraphs) != 2 {
		t.Errorf("Parse = %+v, %v", st, err)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 174000: "174,000", 1234567: "1,234,567", -5000: "-5,000"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}
