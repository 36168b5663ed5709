package report

import (
	"encoding/csv"
	"io"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// SafeCell is the one place that makes a cell the service writes safe to
// open in a spreadsheet. A cell that begins with '=', '+', '-', '@', tab
// or carriage return is read as a formula by Excel, LibreOffice and
// Google Sheets (=HYPERLINK(...) sends the reader's data away, a DDE
// formula runs a program), so unless it is a plain number such as -3 or
// +1.5 (plan.FormulaLike) it gets a leading apostrophe, as OWASP
// recommends ("CSV Injection"): the spreadsheet shows the text and
// stores it as text. Every exporter (CSV today, any other spreadsheet
// format later) passes each cell through it.
func SafeCell(s string) string {
	if plan.FormulaLike(s) {
		return "'" + s
	}
	return s
}

// csvWriter writes CSV for spreadsheet users: a UTF-8 byte order mark
// first (Excel reads Chinese UTF-8 only with one), CRLF line ends (what
// Excel on Windows expects) and every cell through SafeCell.
type csvWriter struct {
	w   *csv.Writer
	rec []string
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	if _, err := io.WriteString(w, BOM); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &csvWriter{w: cw}, nil
}

func (c *csvWriter) Write(cells []string) error {
	c.rec = c.rec[:0]
	for _, s := range cells {
		c.rec = append(c.rec, SafeCell(s))
	}
	return c.w.Write(c.rec)
}

// Close flushes what is buffered and returns the first write error.
func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}
