package report

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The picture: the story as a column of paragraphs, ¶1 at the top. Each
// row is one paragraph: its number, its first words, a bar as long and as
// dark as the number of answered questions that cited it, that number,
// and in orange the questions it could not answer for which this was the
// nearest paragraph. Only the story's own text and numbers are drawn,
// never a student's words. Fonts are the Go fonts, compiled in; nothing is
// fetched.

// Layout, in pixels.
const (
	picWidth   = 1000
	headerH    = 156 // title, numbers, legend and column heads
	margin     = 24
	numRight   = 70  // right edge of the ¶ numbers
	textLeft   = 80  // the paragraph openings
	barLeft    = 420 // the bars
	barRight   = 860 // a bar at the maximum ends here, its count after it
	missRight  = 960 // right edge of the unanswered counts
	rowMax     = 18  // row height with room for text
	rowText    = 14  // the least height that still shows a row's text
	rowMin     = 2   // the least row height at all
	columnMax  = 3000
	maxRows    = 1000 // beyond this, rows hold several paragraphs each
	legendBarW = 140
)

var (
	colBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colText       = color.RGBA{0x20, 0x20, 0x20, 0xff}
	colMuted      = color.RGBA{0x6b, 0x6b, 0x6b, 0xff}
	colTrack      = color.RGBA{0xf2, 0xf2, 0xf2, 0xff}
	colStripe     = color.RGBA{0xfa, 0xfa, 0xfa, 0xff}
	colLight      = color.RGBA{0xc6, 0xdb, 0xef, 0xff} // one citation
	colDark       = color.RGBA{0x08, 0x30, 0x6b, 0xff} // the most cited
	colMiss       = color.RGBA{0xd9, 0x5f, 0x02, 0xff} // unanswered
	colRule       = color.RGBA{0xd0, 0xd0, 0xd0, 0xff}
)

// faces are the fonts a picture is drawn with. An opentype face caches
// glyphs and is not safe for concurrent use, so each picture makes its own.
type faces struct {
	title, body, small, bold font.Face
}

func newFaces() (*faces, error) {
	reg, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("parse font: %w", err)
	}
	bld, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("parse font: %w", err)
	}
	face := func(f *opentype.Font, size float64) (font.Face, error) {
		return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	}
	var fs faces
	for _, x := range []struct {
		dst  *font.Face
		f    *opentype.Font
		size float64
	}{{&fs.title, bld, 20}, {&fs.body, reg, 14}, {&fs.small, reg, 12}, {&fs.bold, bld, 12}} {
		if *x.dst, err = face(x.f, x.size); err != nil {
			return nil, fmt.Errorf("font face: %w", err)
		}
	}
	return &fs, nil
}

// row is one bar of the picture: one paragraph, or a run of them in a
// very long story.
type row struct {
	from, to   int // paragraph numbers, inclusive
	cited      int
	unanswered int
	opening    string
}

func (r *Report) rows() []row {
	n := len(r.Paragraphs)
	per := (n + maxRows - 1) / maxRows
	var rows []row
	for i := 0; i < n; i += per {
		j := min(n, i+per)
		rw := row{from: i + 1, to: j}
		for _, p := range r.Paragraphs[i:j] {
			rw.cited += p.Cited
			rw.unanswered += p.Unanswered
		}
		if per == 1 {
			rw.opening = r.Paragraphs[i].Opening
		}
		rows = append(rows, rw)
	}
	return rows
}

// Image draws the report's picture.
func (r *Report) Image() (*image.RGBA, error) {
	fs, err := newFaces()
	if err != nil {
		return nil, err
	}
	rows := r.rows()
	rowH := rowMax
	if len(rows) > 0 {
		rowH = max(rowMin, min(rowMax, columnMax/len(rows)))
	}
	// Label every paragraph when rows are tall enough, else every 2nd,
	// 5th, 10th… so labels never overlap.
	every := 1
	for k := 0; every*rowH < rowText; k++ {
		every = []int{1, 2, 5}[k%3] * pow10(k/3)
	}

	height := headerH + len(rows)*rowH + 44
	img := image.NewRGBA(image.Rect(0, 0, picWidth, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(colBackground), image.Point{}, draw.Src)

	// Header: title, period, numbers, legend.
	title := r.Story.Title
	if title == "" {
		title = r.Story.Name
	}
	text(img, fs.title, colText, margin, 34, fit(fs.title, clean(title, 300), picWidth-2*margin))
	text(img, fs.body, colMuted, margin, 58, fit(fs.body, r.periodLine(), picWidth-2*margin))
	stats := fmt.Sprintf("%s from %s · %d answered · ", count(r.Questions, "question", "questions"),
		count(r.Askers, "student", "students"), r.Answered)
	x := text(img, fs.body, colText, margin, 82, stats)
	text(img, fs.body, colMiss, x, 82, fmt.Sprintf("%d it could not answer", r.Unanswered))

	peak, peakMiss := 0, 0
	for _, rw := range rows {
		peak = max(peak, rw.cited)
		peakMiss = max(peakMiss, rw.unanswered)
	}
	// Legend: the colour scale and the orange count.
	ly := 108
	x = text(img, fs.small, colMuted, margin, ly, "questions answered from the paragraph:  1 ")
	for i := 0; i < legendBarW; i++ {
		fill(img, x+i, ly-10, x+i+1, ly+2, shade(float64(i)/float64(legendBarW-1)))
	}
	x = text(img, fs.small, colMuted, x+legendBarW+4, ly, strconv.Itoa(max(peak, 1))+" (most cited)")
	x = text(img, fs.bold, colMiss, x+24, ly, "?N")
	text(img, fs.small, colMuted, x+6, ly, "could not answer; this was the nearest ¶")
	fill(img, margin, 120, picWidth-margin, 121, colRule)
	text(img, fs.small, colMuted, textLeft, 142, "paragraph")
	text(img, fs.small, colMuted, barLeft, 142, "answered questions that cited it")
	textRight(img, fs.small, colMiss, missRight, 142, "not answered")

	// The column of paragraphs.
	top := headerH
	if len(rows) == 0 {
		text(img, fs.body, colMuted, margin, top+24, "This story has no paragraphs.")
	}
	for i, rw := range rows {
		y0 := top + i*rowH
		if i%2 == 1 && rowH >= rowText {
			fill(img, margin, y0, picWidth-margin, y0+rowH, colStripe)
		}
		barH := max(1, rowH*2/3)
		by := y0 + (rowH-barH)/2
		fill(img, barLeft, by, barRight, by+barH, colTrack)
		if rw.cited > 0 {
			w := max(2, rw.cited*(barRight-barLeft)/peak)
			fill(img, barLeft, by, barLeft+w, by+barH, shade(float64(rw.cited-1)/float64(max(1, peak-1))))
		}
		base := y0 + rowH/2 + 4 // text baseline, centred on the row
		if rowH >= rowText {
			if rw.cited > 0 {
				w := max(2, rw.cited*(barRight-barLeft)/peak)
				text(img, fs.bold, colText, barLeft+w+4, base, strconv.Itoa(rw.cited))
			}
			if rw.opening != "" {
				text(img, fs.small, colMuted, textLeft, base, fit(fs.small, rw.opening, barLeft-textLeft-10))
			}
			if rw.unanswered > 0 {
				s := "?" + strconv.Itoa(rw.unanswered)
				textRight(img, fs.bold, colMiss, missRight, base, s)
			}
		} else if rw.unanswered > 0 {
			// too thin for text: an orange tick, as long as the count
			// is large, says where
			w := max(3, rw.unanswered*40/peakMiss)
			fill(img, missRight-w, y0, missRight, y0+max(1, rowH-1), colMiss)
		}
		if i%every == 0 {
			label := "¶" + strconv.Itoa(rw.from)
			if rw.to > rw.from {
				label = "¶" + strconv.Itoa(rw.from) + "–" + strconv.Itoa(rw.to)
			}
			textRight(img, fs.small, colText, numRight, base, label)
			if rowH < rowText {
				fill(img, numRight+4, y0+rowH/2, numRight+10, y0+rowH/2+1, colMuted)
			}
		}
	}
	foot := top + len(rows)*rowH + 28
	fill(img, margin, foot-20, picWidth-margin, foot-19, colRule)
	text(img, fs.small, colMuted, margin, foot, fit(fs.small, fmt.Sprintf("%s · %s · ¶ numbers as in the story",
		clean(r.Story.Name, 80), count(len(r.Paragraphs), "paragraph", "paragraphs")), picWidth-2*margin))
	return img, nil
}

// pow10 is 10 to the k.
func pow10(k int) int {
	n := 1
	for range k {
		n *= 10
	}
	return n
}

// PNG writes the report's picture as a PNG.
func (r *Report) PNG(w io.Writer) error {
	img, err := r.Image()
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("encode report picture: %w", err)
	}
	return nil
}

// shade is the bar colour at t in [0, 1]: light for one citation, dark for
// the most.
func shade(t float64) color.RGBA {
	t = max(0, min(1, t))
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t + 0.5) }
	return color.RGBA{mix(colLight.R, colDark.R), mix(colLight.G, colDark.G), mix(colLight.B, colDark.B), 0xff}
}

func fill(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	draw.Draw(img, image.Rect(x0, y0, x1, y1), image.NewUniform(c), image.Point{}, draw.Src)
}

// text draws s with its baseline at y from x and returns where it ends.
func text(img *image.RGBA, f font.Face, c color.RGBA, x, y int, s string) int {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: f, Dot: fixed.P(x, y)}
	d.DrawString(s)
	return d.Dot.X.Round()
}

// textRight draws s ending at x.
func textRight(img *image.RGBA, f font.Face, c color.RGBA, x, y int, s string) {
	w := font.MeasureString(f, s).Round()
	text(img, f, c, x-w, y, s)
}

// fit cuts s to at most width pixels, with "…" when cut.
func fit(f font.Face, s string, width int) string {
	if font.MeasureString(f, s).Round() <= width {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs)
	for lo < hi { // the longest prefix that fits with the ellipsis
		mid := (lo + hi + 1) / 2
		if font.MeasureString(f, string(rs[:mid])+"…").Round() <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(rs[:lo]) + "…"
}
