package web

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// shotsEnv names a directory where TestBrowserPrintsBulletin leaves the
// PDF and a screenshot of the print layout, for a person to look at.
const shotsEnv = "TARGETWATCH_SHOTS"

// TestBrowserPrintsBulletin prints the bulletin of the real binary on the
// demo year to PDF in headless Chromium, as "Save as PDF" does, and reads
// the PDF's own structure (Chromium writes a tagged PDF: every table row
// and cell is a structure element whose content is marked on the page it
// was drawn on):
//   - every page is A4 (210 × 297 mm = 595.28 × 841.89 pt; Chromium rounds
//     to 1/100 of a CSS pixel), so @page size A4 is honoured;
//   - no body row has content on two pages: rows are never cut;
//   - the header row is drawn on every page a body row is on: thead repeats.
//
// The demo's six rows fit on one page, so the test first repeats them
// eleven times in the page (66 rows, several pages), with titles up to
// four times as long: rows of several lines, which a page break would cut
// without the stylesheet's break-inside: avoid (checked by removing it).
func TestBrowserPrintsBulletin(t *testing.T) {
	f := newFixture(t)
	proc := testenv.Serve(t, "--db", f.path, "--as-of", "2019-10-15")
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(proc.URL+"/report/bulletin"), chromedp.WaitVisible(chromedp.CSS("table"))); err != nil {
		t.Fatal(err)
	}
	// The print layout as a person sees it (print media, the demo's rows),
	// for looking at: see shotsEnv.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	const repeat = `(() => {
		const tb = document.querySelector("tbody"), rows = [...tb.rows];
		for (let i = 0; i < 10; i++) for (const r of rows) {
			const c = r.cloneNode(true);
			c.cells[1].textContent = c.cells[1].textContent.repeat(1 + i % 4);
			tb.appendChild(c);
		}
		return tb.rows.length;
	})()`
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](repeat))
	if err != nil || n != 66 {
		t.Fatalf("repeating the rows: got %d rows (%v), want 6·11 = 66", n, err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFOutlineAndTagged()))
	if err != nil {
		t.Fatal(err)
	}
	doc := parsePDF(t, pdf)

	pages := doc.pages()
	if len(pages) < 2 {
		t.Fatalf("got %d pages, want the 66 rows to span several", len(pages))
	}
	for i, box := range pages {
		// 210 mm and 297 mm at 72/25.4 points per mm.
		if math.Abs(box[0]-210*72/25.4) > 1 || math.Abs(box[1]-297*72/25.4) > 1 {
			t.Errorf("page %d: got %.2f × %.2f pt, want A4 (595.28 × 841.89)", i+1, box[0], box[1])
		}
	}
	rows := doc.rows()
	var header []string
	bodyPages := map[string]bool{}
	body := 0
	for _, r := range rows {
		if r.header {
			header = r.pages
			continue
		}
		body++
		if len(r.pages) != 1 {
			t.Errorf("row %d is drawn on pages %v: a row is cut across pages", body, r.pages)
		}
		for _, p := range r.pages {
			bodyPages[p] = true
		}
	}
	if body != 66 {
		t.Errorf("got %d body rows in the PDF, want 66", body)
	}
	if len(bodyPages) < 2 {
		t.Errorf("body rows on %d pages, want the table to cross a page break", len(bodyPages))
	}
	for p := range bodyPages {
		if !slices.Contains(header, p) {
			t.Errorf("page object %s has rows but no header row: thead is not repeated (header on %v)", p, header)
		}
	}

	if dir := os.Getenv(shotsEnv); dir != "" {
		for name, b := range map[string][]byte{"bulletin.pdf": pdf, "bulletin-print.png": shot} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, e := range consoleErrors() {
		t.Errorf("browser logged: %s", e)
	}
}

// pdfDoc is the uncompressed part of a PDF as Chromium writes it: objects
// by number. Page and structure-tree objects are plain dictionaries there;
// only content streams are compressed, and they are not read.
type pdfDoc map[string]string

var pdfObject = regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)\s*endobj`)

func parsePDF(t *testing.T, b []byte) pdfDoc {
	t.Helper()
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("not a PDF: %.20q", b)
	}
	d := pdfDoc{}
	for _, m := range pdfObject.FindAllSubmatch(b, -1) {
		d[string(m[1])] = string(m[2])
	}
	return d
}

var (
	mediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]`)
	pageType = regexp.MustCompile(`/Type\s*/Page\b`)
	structS  = regexp.MustCompile(`/S\s*/(\w+)`)
	ref      = regexp.MustCompile(`(\d+) 0 R`)
	pgRef    = regexp.MustCompile(`/Pg\s+(\d+) 0 R`)
	kArray   = regexp.MustCompile(`/K\s*(\[[^\]]*\]|\d+ 0 R|\d+)`)
	mcr      = regexp.MustCompile(`(?s)<<\s*/Type\s*/MCR.*?>>`)
)

// pages returns the width and height in points of each page object.
func (d pdfDoc) pages() [][2]float64 {
	var out [][2]float64
	for _, body := range d {
		if !pageType.MatchString(body) {
			continue
		}
		m := mediaBox.FindStringSubmatch(body)
		if m == nil {
			continue
		}
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		out = append(out, [2]float64{v[2] - v[0], v[3] - v[1]})
	}
	return out
}

type pdfRow struct {
	header bool
	pages  []string // page object numbers the row's content is marked on
}

// rows returns every TR structure element with the pages its content is on.
func (d pdfDoc) rows() []pdfRow {
	var out []pdfRow
	for _, body := range d {
		if m := structS.FindStringSubmatch(body); m == nil || m[1] != "TR" {
			continue
		}
		r := pdfRow{}
		seen := map[string]bool{}
		d.walk(body, &r, seen)
		slices.Sort(r.pages)
		out = append(out, r)
	}
	return out
}

// walk collects the pages of an element's marked content: its own /Pg for
// bare MCIDs in /K, the /Pg of each marked-content reference, and those of
// its child elements.
func (d pdfDoc) walk(body string, r *pdfRow, seen map[string]bool) {
	if m := structS.FindStringSubmatch(body); m != nil && m[1] == "TH" {
		r.header = true
	}
	k := kArray.FindStringSubmatch(body)
	if k == nil {
		return
	}
	kids := k[1]
	for _, m := range mcr.FindAllString(kids, -1) {
		if p := pgRef.FindStringSubmatch(m); p != nil {
			r.add(p[1])
		}
	}
	rest := mcr.ReplaceAllString(kids, " ")
	for _, c := range ref.FindAllStringSubmatch(rest, -1) {
		if !seen[c[1]] {
			seen[c[1]] = true
			d.walk(d[c[1]], r, seen)
		}
	}
	// A bare integer left over is an MCID on the element's own page.
	if strings.TrimSpace(strings.Trim(ref.ReplaceAllString(rest, " "), "[] \n")) != "" {
		if p := pgRef.FindStringSubmatch(mcr.ReplaceAllString(body, " ")); p != nil {
			r.add(p[1])
		}
	}
}

func (r *pdfRow) add(page string) {
	if !slices.Contains(r.pages, page) {
		r.pages = append(r.pages, page)
	}
}
