package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// XLSXType is the media type of an Excel workbook, for answers and for
// the import's Content-Type alike.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// importColumns are the column titles the import reads, by the CSV name
// each stands for: the CSV names themselves and the Chinese titles the
// .xlsx template writes (the first of each list).
var importColumns = map[string][]string{
	"target":   {"指标编号", "target"},
	"period":   {"报送月份", "period"},
	"value":    {"填报数值", "value"},
	"note":     {"备注", "note"},
	"received": {"原始报送日期", "received"},
}

// ImportColumn is the CSV column name a header cell stands for: a CSV name
// in any case, or its Chinese title in the .xlsx template. Anything else
// is returned trimmed and lower-cased, so other columns stay distinct and
// are ignored.
func ImportColumn(header string) string {
	h := strings.ToLower(strings.TrimSpace(header))
	for name, titles := range importColumns {
		for _, t := range titles {
			if h == t {
				return name
			}
		}
	}
	return h
}

// columnTitle is the header of an import column in a workbook of lang.
func columnTitle(name string, lang Lang) string {
	if lang == English {
		return name
	}
	return importColumns[name][0]
}

// Status fills of the report workbook: Excel's own "Good", "Neutral" and
// "Bad" cell styles, so the colours mean what clerks already read them as.
var statusFill = map[plan.Status][2]string{ // fill, font
	plan.OnTrack:  {"C6EFCE", "006100"},
	plan.Achieved: {"C6EFCE", "006100"},
	plan.AtRisk:   {"FFEB9C", "9C5700"},
	plan.OffTrack: {"FFC7CE", "9C0006"},
	plan.Missed:   {"FFC7CE", "9C0006"},
	plan.Breached: {"FFC7CE", "9C0006"},
}

// StatusColor is the fill colour (RRGGBB) of a status cell in the report
// workbook, "" for none.
func StatusColor(st plan.Status) string { return statusFill[st][0] }

// sheet wraps one worksheet being written: text passes SafeCell, numbers
// stay numbers.
type sheet struct {
	f    *excelize.File
	name string
	err  error
}

func newWorkbook(name string) (*sheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	return &sheet{f: f, name: name}, nil
}

func (s *sheet) cell(col, row int) string {
	c, err := excelize.CoordinatesToCellName(col, row)
	if err != nil && s.err == nil {
		s.err = err
	}
	return c
}

// text writes a text cell. It is stored as a string, which a spreadsheet
// never evaluates, and also passes SafeCell, so that editing the cell and
// confirming it does not turn it into a formula either.
func (s *sheet) text(col, row int, v string) {
	if s.err == nil && v != "" {
		s.err = s.f.SetCellStr(s.name, s.cell(col, row), SafeCell(v))
	}
}

// number writes a numeric cell; nil leaves it blank.
func (s *sheet) number(col, row int, v *float64) {
	if s.err == nil && v != nil {
		s.err = s.f.SetCellFloat(s.name, s.cell(col, row), plan.Finite(*v), -1, 64)
	}
}

func (s *sheet) style(st *excelize.Style) int {
	if s.err != nil {
		return 0
	}
	id, err := s.f.NewStyle(st)
	s.err = err
	return id
}

func (s *sheet) setStyle(col1, row1, col2, row2, id int) {
	if s.err == nil {
		s.err = s.f.SetCellStyle(s.name, s.cell(col1, row1), s.cell(col2, row2), id)
	}
}

// header writes the bold header row and freezes it, and sets the widths.
func (s *sheet) header(titles []string, widths []float64) {
	for i, h := range titles {
		s.text(i+1, 1, h)
		if s.err == nil && i < len(widths) {
			col, _ := excelize.ColumnNumberToName(i + 1)
			s.err = s.f.SetColWidth(s.name, col, col, widths[i])
		}
	}
	s.setStyle(1, 1, len(titles), 1, s.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}))
	if s.err == nil {
		s.err = s.f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
}

func (s *sheet) write(w io.Writer) error {
	defer s.f.Close()
	if s.err != nil {
		return fmt.Errorf("xlsx: %w", s.err)
	}
	_, err := s.f.WriteTo(w)
	return err
}

// writeXLSX writes the report's rows with the plan first when several
// plans are covered, like the CSV.
func writeXLSX(w io.Writer, rows []Row, lang Lang, several bool) error {
	s, err := newWorkbook(pick(lang == English, "执行情况", "report"))
	if err != nil {
		return err
	}
	widths := []float64{8, 36, 18, 12, 10, 12, 12, 14, 12, 12, 10, 50}
	o := 0 // the columns before the item's
	if several {
		o = 1
		widths = append([]float64{16}, widths...)
	}
	s.header(headersFor(lang, several), widths)
	styles := map[plan.Status]int{}
	for st, c := range statusFill {
		styles[st] = s.style(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}, Font: &excelize.Font{Color: c[1]}})
	}
	for i, r := range rows {
		row := i + 2
		if several {
			s.text(1, row, r.Plan)
		}
		goal, expected, missing := r.Goal, r.Expected, float64(len(r.Missing))
		s.text(o+1, row, r.Item)
		s.text(o+2, row, r.Title)
		s.text(o+3, row, r.AgencyName)
		s.number(o+4, row, &goal)
		s.text(o+5, row, r.Unit)
		s.number(o+6, row, r.Actual)
		s.number(o+7, row, &expected)
		s.number(o+8, row, r.Gap)
		s.number(o+9, row, r.Projected)
		s.text(o+10, row, r.StatusText)
		if id, ok := styles[r.Status]; ok {
			s.setStyle(o+10, row, o+10, row, id)
		}
		s.number(o+11, row, &missing)
		s.text(o+12, row, r.Summary)
	}
	return s.write(w)
}

// WriteTemplateXLSX writes the workbook an agency fills in and imports:
// the rows of WriteTemplate on one sheet, with the import's column titles
// (Chinese, or the CSV names in English) in a frozen header row. Only the
// value cells can be edited: the sheet is protected without a password
// (Review > Unprotect Sheet lifts it), and each value cell only takes a
// number within what its target can hold (plan.CheckValue, valueBounds). An unknown
// agency is a plan.KindNotFound error. A template of several plans has a
// last column naming each row's plan.
func WriteTemplateXLSX(w io.Writer, s *plan.Snapshot, agency string, lang Lang) error {
	if _, ok := s.Agency(agency); !ok {
		return plan.Errorf(plan.KindNotFound, "agency", "unknown agency %q", agency)
	}
	sh, err := newWorkbook(pick(lang == English, "报送", "figures"))
	if err != nil {
		return err
	}
	var titles []string
	for _, c := range TemplateColumns {
		titles = append(titles, columnTitle(c, lang))
	}
	help := templateHelp
	several := len(s.Plans) > 1
	if several {
		help = append(help, planHeader)
	}
	for _, h := range help {
		titles = append(titles, pick(lang == English, h[0], h[1]))
	}
	sh.header(titles, []float64{28, 12, 14, 24, 8, 40, 10, 12, 16})
	months := TemplateMonths(s, agency)
	bounds := map[[2]float64][]string{} // the bounds of a value -> its cells
	row := 1
	for _, g := range s.Targets {
		t, p := g.Target, g.Plan
		loc := p.Location
		if loc == nil {
			loc = time.UTC
		}
		for _, m := range months[t.ID] {
			row++
			sh.text(1, row, t.ID)
			sh.text(2, row, m.String())
			sh.text(5, row, t.Item)
			sh.text(6, row, Title(t, lang))
			sh.text(7, row, Unit(t, lang))
			sh.text(8, row, p.DueAt(m).In(loc).Format("2006-01-02"))
			if several {
				sh.text(9, row, p.ID)
			}
			b := valueBounds(t)
			bounds[b] = append(bounds[b], sh.cell(3, row))
		}
	}
	if row > 1 {
		open := sh.style(&excelize.Style{Protection: &excelize.Protection{Locked: false}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}})
		sh.setStyle(3, 2, 3, row, open)
	}
	for b, cells := range bounds {
		sh.validate(cells, b[0], b[1], lang)
	}
	if sh.err == nil {
		sh.err = sh.f.ProtectSheet(sh.name, &excelize.SheetProtectionOptions{
			SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true,
		})
	}
	return sh.write(w)
}

// valueBounds are the least and greatest figure plan.CheckValue lets t
// take.
func valueBounds(t *plan.Target) [2]float64 {
	switch {
	case t.IsGrowth():
		return [2]float64{-plan.MaxFigure, plan.MaxFigure}
	case t.Kind == plan.Milestone:
		return [2]float64{0, 1}
	case t.IsPercent():
		return [2]float64{0, 100}
	}
	return [2]float64{0, plan.MaxFigure}
}

// validate lets cells take only a decimal in lo..hi.
func (s *sheet) validate(cells []string, lo, hi float64, lang Lang) {
	if s.err != nil {
		return
	}
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(strings.Join(cells, " "))
	if s.err = dv.SetRange(lo, hi, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); s.err != nil {
		return
	}
	msg := fmt.Sprintf(pick(lang == English, "请填写%s到%s之间的数字", "Enter a number from %s to %s"), plan.FormatNumber(lo), plan.FormatNumber(hi))
	dv.SetError(excelize.DataValidationErrorStyleStop, pick(lang == English, "数值无效", "Invalid value"), msg)
	s.err = s.f.AddDataValidation(s.name, dv)
}

// TemplateXLSXFile renders an agency's import workbook (see
// WriteTemplateXLSX), named like TemplateFile's CSV
// (template-water-2019-04.xlsx).
func TemplateXLSXFile(s *plan.Snapshot, agency string, lang Lang) (File, error) {
	var b bytes.Buffer
	if err := WriteTemplateXLSX(&b, s, agency, lang); err != nil {
		return File{}, err
	}
	name := "template-" + agency + "-" + s.AsOf.In(s.Plan.Location).Format("2006-01") + ".xlsx"
	return File{Name: name, ContentType: XLSXType, Body: b.Bytes()}, nil
}
