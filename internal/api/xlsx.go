package api

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// xlsxInflation bounds what a workbook may unpack to, as a multiple of
// the body limit: a filled template's XML compresses about tenfold, while
// a zip bomb of a megabyte unpacks to gigabytes. excelize checks the
// sizes the zip declares and archive/zip refuses an entry that inflates
// beyond its declared size, so this bounds the memory an import uses.
const xlsxInflation = 32

// parseXLSX reads an Excel workbook as a batch: the first sheet whose
// first non-blank row names target, period and value (by the CSV names or
// the template's Chinese titles) is read like a CSV, each row located by
// its sheet row number. Cells are read as stored, not as shown: a number
// is its full value, a date is its serial (see xlsxPeriod), and a value
// cell formatted as a percentage (0.335 shown as 33.5%) is read as 33.5%.
func parseXLSX(body []byte, maxBody int64) ([]batchRow, int, error) {
	limit := maxBody * xlsxInflation
	f, err := excelize.OpenReader(bytes.NewReader(body), excelize.Options{UnzipSizeLimit: limit, UnzipXMLSizeLimit: limit})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			// excelize's size error has no exported type.
			return nil, 0, plan.Errorf(plan.KindTooLarge, "", "the workbook unpacks to more than %d bytes; split the batch", limit)
		}
		return nil, 0, plan.Errorf(plan.KindMalformed, "", "not an Excel .xlsx workbook: %v", err)
	}
	defer f.Close()
	wb := xlsxBook{f: f}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		wb.date1904 = *props.Date1904
	}
	var firstMissing error
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, 0, plan.Errorf(plan.KindMalformed, "", "sheet %q: %v", name, err)
		}
		wb.sheet = name
		out, skipped, err := wb.read(rows)
		if err == nil {
			return out, skipped, nil
		}
		var missing *missingColumns
		if !errors.As(err, &missing) {
			return nil, 0, err
		}
		if firstMissing == nil {
			firstMissing = missing.err
		}
	}
	if firstMissing == nil {
		firstMissing = plan.Errorf(plan.KindInvalid, "", "the workbook has no sheet with a header row %s", strings.Join(CSVColumns, ","))
	}
	return nil, 0, firstMissing
}

// missingColumns is a sheet without the columns of a batch: the next
// sheet may have them.
type missingColumns struct{ err error }

func (m *missingColumns) Error() string { return m.err.Error() }

type xlsxBook struct {
	f        *excelize.File
	sheet    string
	date1904 bool
}

func (wb xlsxBook) read(rows [][]string) ([]batchRow, int, error) {
	head := 0
	for head < len(rows) && strings.TrimSpace(strings.Join(rows[head], "")) == "" {
		head++
	}
	if head == len(rows) {
		return nil, 0, &missingColumns{plan.Errorf(plan.KindInvalid, "", "sheet %q is empty; want a header row %s", wb.sheet, strings.Join(CSVColumns, ","))}
	}
	col := map[string]int{}
	for i, h := range rows[head] {
		h = report.ImportColumn(h)
		if _, dup := col[h]; dup && h != "" {
			return nil, 0, plan.Problems{{Line: head + 1, Err: plan.Errorf(plan.KindInvalid, h, "column %q appears twice", h)}}
		}
		col[h] = i
	}
	var missing []string
	for _, c := range CSVColumns[:3] {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, 0, &missingColumns{plan.Problems{{Line: head + 1, Err: plan.Errorf(plan.KindInvalid, missing[0], "sheet %q: the header row lacks %s (want %s)", wb.sheet, strings.Join(missing, ", "), strings.Join(CSVColumns, ","))}}}
	}
	var out []batchRow
	skipped := 0
	for i := head + 1; i < len(rows); i++ {
		rec, line := rows[i], i+1
		cell := func(name string) string {
			j, ok := col[name]
			if !ok || j >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[j])
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		value, note := cell("value"), cell("note")
		if value == "" && note == "" {
			skipped++
			continue
		}
		if value != "" && wb.percentCell(col["value"], line) {
			value = percentText(value)
		}
		period, periodErr := readPeriod(wb.periodText(cell("period"), col["period"], line))
		out = append(out, batchRow{
			line: line, target: cell("target"), period: period, periodErr: periodErr, note: note,
			received: cell("received"),
			value: func(t *plan.Target) (float64, error) {
				if value == "" {
					return 0, plan.Errorf(plan.KindMalformed, "value", "required")
				}
				return plan.ReadFigure(value, t != nil && t.IsPercent())
			},
		})
	}
	return out, skipped, nil
}

// periodText turns a period cell holding a number, a date cell or a bare
// serial alike, into the date it stands for (2019/8/1), which plan.ReadPeriod
// then reads as a month only on the 1st; text is returned as it is.
func (wb xlsxBook) periodText(raw string, col, line int) string {
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil || !wb.numeric(col, line) {
		// The ISO date of a t="d" cell: 2019-08-01T00:00:00.
		if d, rest, ok := strings.Cut(raw, "T"); ok && strings.Trim(rest, "0:.Z") == "" {
			return d
		}
		return raw
	}
	t, err := excelize.ExcelDateToTime(serial, wb.date1904)
	if err != nil {
		return raw
	}
	if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 {
		return t.Format("2006/1/2 15:04")
	}
	return t.Format("2006/1/2")
}

// numeric reports whether a cell holds a number (a date cell is one).
func (wb xlsxBook) numeric(col, line int) bool {
	name, err := excelize.CoordinatesToCellName(col+1, line)
	if err != nil {
		return false
	}
	ct, err := wb.f.GetCellType(wb.sheet, name)
	return err == nil && (ct == excelize.CellTypeNumber || ct == excelize.CellTypeUnset)
}

// percentCell reports whether a numeric cell is shown as a percentage.
func (wb xlsxBook) percentCell(col, line int) bool {
	if !wb.numeric(col, line) {
		return false
	}
	name, _ := excelize.CoordinatesToCellName(col+1, line)
	id, err := wb.f.GetCellStyle(wb.sheet, name)
	if err != nil || id == 0 {
		return false
	}
	st, err := wb.f.GetStyle(id)
	if err != nil {
		return false
	}
	// Built-in formats 9 and 10 are 0% and 0.00%.
	return st.NumFmt == 9 || st.NumFmt == 10 || (st.CustomNumFmt != nil && strings.Contains(*st.CustomNumFmt, "%"))
}

// percentText writes the stored fraction of a percentage cell as the
// percentage it shows, 0.335 as "33.5%", rounded to 12 significant digits
// so that 0.335*100 does not read as 33.500000000000004.
func percentText(raw string) string {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw
	}
	return strconv.FormatFloat(v*100, 'g', 12, 64) + "%"
}
