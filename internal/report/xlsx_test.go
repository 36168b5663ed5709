package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// openXLSX reads a workbook written by the code under test with excelize
// and returns it with its only sheet's name.
func openXLSX(t *testing.T, write func(*bytes.Buffer) error) (*excelize.File, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sheets := f.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("got sheets %q, want one", sheets)
	}
	return f, sheets[0]
}

// xlsxCell is what a test reads of one cell: its stored text, whether it
// is stored as a number, and its fill.
type xlsxCell struct {
	raw     string
	numeric bool
	fill    string
}

func readCell(t *testing.T, f *excelize.File, sheet, cell string) xlsxCell {
	t.Helper()
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	c := xlsxCell{raw: raw, numeric: raw != "" && (ct == excelize.CellTypeNumber || ct == excelize.CellTypeUnset)}
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) > 0 {
		c.fill = strings.ToUpper(st.Fill.Color[0])
	}
	return c
}

func TestXLSXReportReadsBack(t *testing.T) {
	s := fixture(t)
	f, sheet := openXLSX(t, func(b *bytes.Buffer) error { return Write(b, s, XLSX, Chinese) })
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"序号", "指标", "责任部门", "年度目标", "单位", "实际完成", "序时进度", "与序时进度差距", "预计全年", "状态", "缺报月数", "完成情况"}
	if !slices.Equal(rows[0], wantHeader) {
		t.Errorf("got header %q, want %q", rows[0], wantHeader)
	}
	if len(rows) != 7 {
		t.Fatalf("got %d rows, want a header and the fixture's 6 targets", len(rows))
	}
	// The numbers are fixtureFigures' hand-worked ones.
	red, green := "FFC7CE", "C6EFCE"
	for _, c := range []struct {
		name, cell string
		want       xlsxCell
	}{
		{"a goal is a number", "D2", xlsxCell{raw: "329", numeric: true}},
		{"an actual is a number: 20+20+25+25+25+25", "F2", xlsxCell{raw: "140", numeric: true}},
		{"an expected value keeps its fraction: 329·6/12", "G2", xlsxCell{raw: "164.5", numeric: true}},
		{"a gap is negative, not text with a sign: 140−164.5", "H2", xlsxCell{raw: "-24.5", numeric: true}},
		{"a projection: 140/6·12", "I2", xlsxCell{raw: "280", numeric: true}},
		{"off track is red", "J2", xlsxCell{raw: "进度滞后", fill: red}},
		{"breached is red", "J3", xlsxCell{raw: "突破上限", fill: red}},
		{"on track is green", "J4", xlsxCell{raw: "正常推进", fill: green}},
		{"the count of missing months is a number: May", "K4", xlsxCell{raw: "1", numeric: true}},
		{"an unreported actual is blank, not zero", "F5", xlsxCell{}},
		{"an item number stays text", "A2", xlsxCell{raw: "10.2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := readCell(t, f, sheet, c.cell); got != c.want {
				t.Errorf("%s: got %+v, want %+v", c.cell, got, c.want)
			}
		})
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("got panes %+v, %v, want the header row frozen", panes, err)
	}

	en, sheet := openXLSX(t, func(b *bytes.Buffer) error { return Write(b, s, XLSX, English) })
	if got := readCell(t, en, sheet, "A1").raw; got != "item" {
		t.Errorf("English header: got %q, want item", got)
	}
	if got := readCell(t, en, sheet, "J2"); got != (xlsxCell{raw: "off track", fill: red}) {
		t.Errorf("English status: got %+v, want off track in red", got)
	}
}

func TestXLSXTemplate(t *testing.T) {
	aug := fixtureAt(t, time.Date(2019, 8, 5, 12, 0, 0, 0, shanghai(t)))
	f, sheet := openXLSX(t, func(b *bytes.Buffer) error { return WriteTemplateXLSX(b, aug, "water", Chinese) })
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// The rows of TestTemplate's CSV, with the template's Chinese titles.
	want := [][]string{
		{"指标编号", "报送月份", "填报数值", "备注", "序号", "指标", "单位", "报送截止"},
		{"river-segments", "2019-07", "", "", "10.2", "河道整治", "条段", "2019-08-10"},
	}
	for m := 1; m <= 7; m++ {
		want = append(want, []string{"station-open", "2019-0" + string(rune('0'+m)), "", "", "8.1", "建成轨交11号线陈翔路站", "项", "2019-0" + string(rune('0'+m+1)) + "-10"})
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%q", len(rows), len(want), rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d: got %q, want %q", i+1, rows[i], want[i])
		}
	}
	for _, h := range rows[0][:4] {
		if c := ImportColumn(h); !slices.Contains(TemplateColumns, c) {
			t.Errorf("header %q: the import reads it as %q, not a template column", h, c)
		}
	}

	locked := func(cell string) bool {
		id, _ := f.GetCellStyle(sheet, cell)
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Protection == nil || st.Protection.Locked
	}
	for _, c := range []string{"A1", "C1", "A2", "B2", "D2", "H9"} {
		if !locked(c) {
			t.Errorf("%s is open, want it locked", c)
		}
	}
	for _, c := range []string{"C2", "C9"} {
		if locked(c) {
			t.Errorf("%s is locked, want the value cells open", c)
		}
	}
	sheetXML := rawPart(t, f, "xl/worksheets/sheet1.xml")
	if !strings.Contains(sheetXML, `<sheetProtection`) || strings.Contains(sheetXML, `password`) || strings.Contains(sheetXML, `hashValue`) {
		t.Errorf("want the sheet protected without a password:\n%.600s", sheetXML)
	}
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// river-segments takes up to plan.MaxFigure (10¹²), the milestone 0 or 1.
	bounds := map[string]string{}
	for _, dv := range dvs {
		if dv.Type != "decimal" || dv.Operator != "between" || dv.Formula1 != "0" {
			t.Errorf("got validation %+v, want a decimal between 0 and a bound", dv)
		}
		bounds[dv.Sqref] = dv.Formula2
	}
	wantBounds := map[string]string{"C2": "1000000000000", "C3 C4 C5 C6 C7 C8 C9": "1"}
	if len(bounds) != len(wantBounds) {
		t.Errorf("got validations %v, want %v", bounds, wantBounds)
	}
	for sq, hi := range wantBounds {
		if bounds[sq] != hi {
			t.Errorf("validation of %s: got upper bound %q, want %q (all: %v)", sq, bounds[sq], hi, bounds)
		}
	}
	if panes, err := f.GetPanes(sheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("got panes %+v, %v, want the header row frozen", panes, err)
	}

	en, sheet := openXLSX(t, func(b *bytes.Buffer) error { return WriteTemplateXLSX(b, aug, "water", English) })
	head, _ := en.GetRows(sheet)
	if got, want := head[0], []string{"target", "period", "value", "note", "item", "title", "unit", "due"}; !slices.Equal(got, want) {
		t.Errorf("English header: got %q, want %q", got, want)
	}
	if err := WriteTemplateXLSX(&bytes.Buffer{}, aug, "nope", Chinese); plan.KindOf(err) != plan.KindNotFound {
		t.Errorf("unknown agency: got %v, want a not-found error", err)
	}
}

// rawPart is one part of the workbook as excelize would save it.
func rawPart(t *testing.T, f *excelize.File, name string) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	z, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	b, ok := z.Pkg.Load(name)
	if !ok {
		t.Fatalf("no part %s", name)
	}
	return string(b.([]byte))
}

// TestXLSXExportsAreSafeToOpen: no cell the service writes is a formula,
// and every text beginning like one carries SafeCell's apostrophe.
func TestXLSXExportsAreSafeToOpen(t *testing.T) {
	s := formulaSnapshot(t)
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer) error
		title int // the column holding the title
	}{
		{"the report", func(b *bytes.Buffer) error { return Write(b, s, XLSX, English) }, 1},
		{"the template", func(b *bytes.Buffer) error { return WriteTemplateXLSX(b, s, "water", English) }, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, sheet := openXLSX(t, c.write)
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for i, rec := range rows {
				for j := range rec {
					cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
					if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
						t.Errorf("%s holds the formula %q", cell, fm)
					}
				}
				if i > 0 {
					if n := len(titles); n == 0 || titles[n-1] != rec[c.title] {
						titles = append(titles, rec[c.title])
					}
				}
			}
			want := []string{`'=HYPERLINK("http://x","y")`, "'@SUM(1+1)", "'-2+3", "'+cmd", "'\t=1", "-3"}
			if strings.Join(titles, "|") != strings.Join(want, "|") {
				t.Errorf("got titles %q, want %q", titles, want)
			}
		})
	}
}

// Workbooks of several plans name each row's plan as the CSV files do:
// first in the report, last in the template.
func TestXLSXOfSeveralPlans(t *testing.T) {
	s := severalPlans(t)
	f, sheet := openXLSX(t, func(b *bytes.Buffer) error { return Write(b, s, XLSX, English) })
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 || rows[0][0] != "plan" || rows[0][1] != "item" {
		t.Fatalf("report: got %d rows headed %q, want 8 headed plan, item", len(rows), rows[0])
	}
	// The city's target: goal 40 in E8 as a number, its status (no data)
	// in K8 without a fill.
	if got := strings.Join(rows[7][:6], ","); got != "city-2019,3.1,新建污水管道,区水务局,40,公里" {
		t.Errorf("report: got the city row %s", got)
	}
	if c := readCell(t, f, sheet, "E8"); c != (xlsxCell{raw: "40", numeric: true}) {
		t.Errorf("report: the city's goal: got %+v, want the number 40", c)
	}
	if c := readCell(t, f, sheet, "K2"); c.fill != "FFC7CE" {
		t.Errorf("report: the river's status off track: got %+v, want red", c)
	}

	tf, tsheet := openXLSX(t, func(b *bytes.Buffer) error { return WriteTemplateXLSX(b, s, "water", English) })
	trows, err := tf.GetRows(tsheet)
	if err != nil {
		t.Fatal(err)
	}
	if h := strings.Join(trows[0], ","); h != "target,period,value,note,item,title,unit,due,plan" {
		t.Fatalf("template: got header %s", h)
	}
	last := trows[len(trows)-1]
	if got := strings.Join([]string{last[0], last[1], last[7], last[8]}, ","); got != "city-pipes,2019-06,2019-07-20,city-2019" {
		t.Errorf("template: got the city's row %q", last)
	}
}

// The template's validation lets each value cell take what
// plan.CheckValue accepts and nothing it refuses.
func TestValueBounds(t *testing.T) {
	for _, c := range []struct {
		name   string
		target plan.Target
		want   [2]float64
	}{
		{"a quantity is 0 to 10¹²", plan.Target{Kind: plan.Quantity, Unit: "km"}, [2]float64{0, 1e12}},
		{"a percentage is 0 to 100", plan.Target{Kind: plan.Quantity, Unit: "%"}, [2]float64{0, 100}},
		{"a milestone is 0 or 1", plan.Target{Kind: plan.Milestone, Unit: "项"}, [2]float64{0, 1}},
		{"a growth rate may fall", plan.Target{Kind: plan.Growth, Unit: "%"}, [2]float64{-1e12, 1e12}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := valueBounds(&c.target)
			if got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for _, v := range []float64{got[0], got[1]} {
				if err := plan.CheckValue(&c.target, v); err != nil {
					t.Errorf("CheckValue refuses the bound %v: %v", v, err)
				}
			}
			for _, v := range []float64{got[0] - 0.5, got[1] + 0.5} {
				if c.target.Kind != plan.Growth && plan.CheckValue(&c.target, v) == nil {
					t.Errorf("CheckValue accepts %v, beyond the bounds", v)
				}
			}
		})
	}
}
