package api

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// stored is the current value of every period that has a figure, as
// "target period value".
func (h *harness) stored() []string {
	h.t.Helper()
	cur := map[string]string{}
	for _, r := range h.revisions() {
		cur[r.Target+" "+r.Period.String()] = r.Target + " " + r.Period.String() + " " + plan.FormatNumber(r.Value)
	}
	var out []string
	for _, v := range cur {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

func workbookBytes(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func setCell(t *testing.T, f *excelize.File, sheet, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

// TestXLSXRoundTrip downloads the water template as a workbook, fills its
// value cells with excelize as a clerk would in Excel, and imports it.
func TestXLSXRoundTrip(t *testing.T) {
	h := newHarness(t)
	res := h.do(request{method: "GET", path: "/agencies/water/template.xlsx", token: "water"})
	if res.status != 200 || res.header.Get("Content-Type") != report.XLSXType {
		t.Fatalf("template: got %d %s: %.300s", res.status, res.header.Get("Content-Type"), res.body)
	}
	if cd := res.header.Get("Content-Disposition"); cd != `attachment; filename="template-water-2019-04.xlsx"` {
		t.Errorf("got Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// As of 15 April, January to March are due and unreported for each of
	// water's three targets (the milestone is due in June, so its months
	// so far are owed too): 9 rows after the header, in plan order.
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0]+" "+r[1])
	}
	want := []string{
		"river-clean 2019-01", "river-clean 2019-02", "river-clean 2019-03",
		"water-quality 2019-01", "water-quality 2019-02", "water-quality 2019-03",
		"sewage-plant 2019-01", "sewage-plant 2019-02", "sewage-plant 2019-03",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("template rows: got %q, want %q", got, want)
	}
	// January is locked for agencies since 11 April: left blank, skipped.
	setCell(t, f, sheet, "C3", 12)      // river-clean 2019-02, a number
	setCell(t, f, sheet, "C4", "1,234") // river-clean 2019-03, text with a thousands separator
	setCell(t, f, sheet, "C6", 0.875)   // water-quality 2019-02, shown as 87.50%
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sheet, "C6", "C6", pct); err != nil {
		t.Fatal(err)
	}
	setCell(t, f, sheet, "C7", 88.5) // water-quality 2019-03
	setCell(t, f, sheet, "C9", 0)    // sewage-plant 2019-02: not done
	body := workbookBytes(t, f)

	post := func(path string) BatchAnswer {
		t.Helper()
		res := h.do(request{method: "POST", path: path, token: "water", contentType: report.XLSXType, body: body})
		if res.status != 200 {
			t.Fatalf("POST %s: got %d: %s", path, res.status, res.body)
		}
		var a BatchAnswer
		if err := json.Unmarshal(res.body, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	// 5 filled; 4 blank (the three Januaries and sewage-plant 2019-03).
	if a := post("/reports?dry_run=true"); !a.DryRun || a.Created != 5 || a.Skipped != 4 {
		t.Errorf("dry run: got %+v, want 5 created and 4 skipped, dry", a)
	}
	if got := h.stored(); len(got) != 0 {
		t.Fatalf("the dry run stored %q", got)
	}
	if a := post("/reports"); a.DryRun || a.Created != 5 || a.Skipped != 4 {
		t.Errorf("import: got %+v, want 5 created and 4 skipped", a)
	}
	wantStored := []string{
		"river-clean 2019-02 12", "river-clean 2019-03 1234",
		"sewage-plant 2019-02 0",
		"water-quality 2019-02 87.5", "water-quality 2019-03 88.5",
	}
	if got := h.stored(); !slices.Equal(got, wantStored) {
		t.Errorf("stored: got %q, want %q", got, wantStored)
	}
}

// badWorkbook is a sheet written by hand, not the template: English
// column names in another order, a date cell and a date serial as
// periods, and a mistake on several rows.
func badWorkbook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	const s = "Sheet1"
	for i, row := range [][]any{
		{"Value", "Note", "Target", "Period"},
		{12, "", "river-clean", time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC)}, // 2: fine, a date cell
		{13, "", "river-clean", 43539},                                       // 3: the serial of 15 March 2019
		{"abc", "", "river-clean", "2019-03"},                                // 4: not a number
		{},                                                                   // 5: blank, ignored
		{1, "", "no-such-target", "2019-03"},                                 // 6: unknown target
		{101, "", "water-quality", "2019年3月"},                                // 7: a percentage over 100
		{5, "", "road-repair", "2019-03"},                                    // 8: another agency's
	} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			setCell(t, f, s, cell, v)
		}
	}
	return workbookBytes(t, f)
}

func TestXLSXBadRowsStoreNothing(t *testing.T) {
	h := newHarness(t)
	body := badWorkbook(t)
	res := h.mustRefuse(t, request{method: "POST", path: "/reports", token: "water", contentType: report.XLSXType, body: body}, 422, "period", 3)
	var p Problem
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, e := range p.Errors {
		got[e.Line] += e.Field + ":" + e.Message + ";"
	}
	for _, c := range []struct {
		line    int
		contain string
	}{
		{3, `period:"2019/3/15" names a day other than the 1st`},
		{4, `value:want a number, got "abc"`},
		{6, `target:unknown target "no-such-target"`},
		{7, "value:a percentage must be at most 100"},
		{8, "target:road-repair belongs to agency"},
	} {
		if !strings.Contains(got[c.line], c.contain) {
			t.Errorf("sheet row %d: got %q, want it to contain %q", c.line, got[c.line], c.contain)
		}
	}
	if len(got) != 5 {
		t.Errorf("got problems on rows %v, want rows 3, 4, 6, 7 and 8 only", got)
	}
}

func TestXLSXRefusals(t *testing.T) {
	h := newHarness(t)
	noColumns := excelize.NewFile()
	setCell(t, noColumns, "Sheet1", "A1", "指标编号")
	setCell(t, noColumns, "Sheet1", "B1", "数值")
	for _, c := range []struct {
		name   string
		body   []byte
		status int
		field  string
		line   int
	}{
		{"a body that is not a workbook is malformed", []byte("target,period,value\n"), 400, "", 0},
		{"a sheet without the period and value columns names the first missing", workbookBytes(t, noColumns), 422, "period", 1},
		{"a workbook that unpacks beyond the limit is too large", zipBomb(t), 413, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.mustRefuse(t, request{method: "POST", path: "/reports", token: "water", contentType: report.XLSXType, body: c.body}, c.status, c.field, c.line)
		})
	}
}

// zipBomb is a valid workbook with one more part of 40 MiB of zeros,
// which deflates to about 40 KiB: within the 1 MiB body limit, beyond
// the 32 MiB the import unpacks.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	setCell(t, f, "Sheet1", "A1", "target")
	src := workbookBytes(t, f)
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, e := range zr.File {
		if err := zw.Copy(e); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create("xl/media/zeros.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, io.LimitReader(zeros{}, 40<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if out.Len() > DefaultMaxBody {
		t.Fatalf("the bomb is %d bytes, over the body limit", out.Len())
	}
	return out.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestXLSXFromLibreOffice imports a sheet LibreOffice saved (see
// testdata/libreoffice-filled.txt): date cells and a percentage cell as
// another writer stores them.
func TestXLSXFromLibreOffice(t *testing.T) {
	h := newHarness(t)
	body, err := os.ReadFile("testdata/libreoffice-filled.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	res := h.do(request{method: "POST", path: "/reports", token: "water", contentType: report.XLSXType, body: body})
	if res.status != 200 {
		t.Fatalf("got %d: %s", res.status, res.body)
	}
	var a BatchAnswer
	if err := json.Unmarshal(res.body, &a); err != nil {
		t.Fatal(err)
	}
	// Rows 3-6 filled, row 2 (January) blank.
	if a.Created != 4 || a.Skipped != 1 {
		t.Errorf("got %+v, want 4 created, 1 skipped", a)
	}
	want := []string{
		"river-clean 2019-02 7",      // B3: the date 2019/2/1 (serial 43497)
		"river-clean 2019-03 9.25",   // B4: 2019/3/1 (43525), with a note
		"sewage-plant 2019-02 1",     // B6: the text 2019-02
		"water-quality 2019-03 86.5", // C5: 0.865 shown as 86.5%
	}
	if got := h.stored(); !slices.Equal(got, want) {
		t.Errorf("stored: got %q, want %q", got, want)
	}
	for _, r := range h.revisions() {
		if r.Target == "river-clean" && r.Period.Month == 3 && r.Note != "含支流" {
			t.Errorf("river-clean 2019-03: got note %q, want 含支流", r.Note)
		}
	}
}

// The workbook template's Chinese column titles are import columns in a
// CSV too: a clerk may save the filled workbook as CSV.
func TestCSVWithTheWorkbookTitles(t *testing.T) {
	h := newHarness(t)
	body := "指标编号,报送月份,填报数值,备注,序号\nriver-clean,2019-02,4,,1.1\n"
	res := h.do(request{method: "POST", path: "/reports", token: "water", contentType: "text/csv", body: []byte(body)})
	if res.status != 200 {
		t.Fatalf("got %d: %s", res.status, res.body)
	}
	if got, want := h.stored(), []string{"river-clean 2019-02 4"}; !slices.Equal(got, want) {
		t.Errorf("stored: got %q, want %q", got, want)
	}
}
