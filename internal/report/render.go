package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Format is an output format of the report.
type Format string

// Formats.
const (
	CSV      Format = "csv"
	Markdown Format = "md"
	JSON     Format = "json"
	XLSX     Format = "xlsx"
	// BulletinFormat is the supervision bulletin (see Bulletin), Markdown. It
	// compares two instants, so it is built from the stored figures by
	// BuildBulletin, not from one snapshot by Write.
	BulletinFormat Format = "bulletin"
)

// Formats lists the valid formats, for flag and query validation messages.
var Formats = []Format{CSV, Markdown, JSON, XLSX, BulletinFormat}

// ParseFormat checks a format name; the empty string means CSV.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "":
		return CSV, nil
	case CSV, Markdown, JSON, XLSX, BulletinFormat:
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown format %q: want csv, md, json, xlsx or bulletin", s)
}

// ContentType is the media type of a format, for HTTP answers.
func (f Format) ContentType() string {
	switch f {
	case Markdown, BulletinFormat:
		return "text/markdown; charset=utf-8"
	case JSON:
		return "application/json"
	case XLSX:
		return XLSXType
	}
	return "text/csv; charset=utf-8"
}

// Write renders the report of s in format f. CSV starts with a UTF-8 byte
// order mark because its readers are mostly Excel users, and Excel only
// reads Chinese UTF-8 correctly with one; its cells pass SafeCell. XLSX is
// an Excel workbook with numbers as numbers and the status cells coloured.
func Write(w io.Writer, s *plan.Snapshot, f Format, lang Lang) error {
	rows := Rows(s, lang)
	switch f {
	case CSV:
		return writeCSV(w, rows, lang, len(s.Plans) > 1)
	case Markdown:
		return writeMarkdown(w, s, rows, lang)
	case JSON:
		return writeJSON(w, s, rows)
	case XLSX:
		return writeXLSX(w, rows, lang, len(s.Plans) > 1)
	case BulletinFormat:
		return fmt.Errorf("the bulletin compares two instants of the stored figures: use BuildBulletin")
	}
	return fmt.Errorf("unknown format %q", f)
}

// BOM is the UTF-8 byte order mark Excel needs to read Chinese CSV.
const BOM = "\ufeff"

var headers = [][2]string{
	{"序号", "item"},
	{"指标", "target"},
	{"责任部门", "agency"},
	{"年度目标", "goal"},
	{"单位", "unit"},
	{"实际完成", "actual"},
	{"序时进度", "expected"},
	{"与序时进度差距", "gap to expected"},
	{"预计全年", "projection"},
	{"状态", "status"},
	{"缺报月数", "months missing"},
	{"完成情况", "summary"},
}

// planHeader heads the column that names each row's plan, which a report
// of several plans starts with.
var planHeader = [2]string{"计划", "plan"}

// Headers returns the column headers in lang.
func Headers(lang Lang) []string { return headersFor(lang, false) }

// headersFor is Headers with the plan column first when several is set.
func headersFor(lang Lang, several bool) []string {
	hs := headers
	if several {
		hs = append([][2]string{planHeader}, headers...)
	}
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h[0]
		if lang == English {
			out[i] = h[1]
		}
	}
	return out
}

// cells is a row's cells, with its plan first when several is set.
func cells(r Row, several bool) []string {
	if several {
		return append([]string{r.Plan}, cells(r, false)...)
	}
	opt := func(p *float64) string {
		if p == nil {
			return ""
		}
		return Number(*p)
	}
	gap := opt(r.Gap)
	if r.Gap != nil && *r.Gap > 0 {
		gap = "+" + gap
	}
	return []string{
		r.Item, r.Title, r.AgencyName, plan.FormatNumber(r.Goal), r.Unit,
		opt(r.Actual), Number(r.Expected), gap, opt(r.Projected),
		r.StatusText, strconv.Itoa(len(r.Missing)), r.Summary,
	}
}

func writeCSV(w io.Writer, rows []Row, lang Lang, several bool) error {
	cw, err := newCSVWriter(w)
	if err != nil {
		return err
	}
	if err := cw.Write(headersFor(lang, several)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(cells(r, several)); err != nil {
			return err
		}
	}
	return cw.Close()
}

func writeMarkdown(w io.Writer, s *plan.Snapshot, rows []Row, lang Lang) error {
	en := lang == English
	several := len(s.Plans) > 1
	var b strings.Builder
	titles := make([]string, len(s.Plans))
	for i, p := range s.Plans {
		titles[i] = p.Title
		if en && p.TitleEN != "" {
			titles[i] = p.TitleEN
		}
	}
	title := strings.Join(titles, pick(en, "；", "; "))
	asOf := s.AsOf
	if s.Plan.Location != nil {
		asOf = asOf.In(s.Plan.Location)
	}
	fmt.Fprintf(&b, pick(en, "# %s 执行情况报告\n\n截至 %s。\n\n", "# %s: execution report\n\nAs of %s.\n\n"), title, asOf.Format("2006-01-02"))

	counts := map[plan.Status]int{}
	for _, r := range rows {
		counts[r.Status]++
	}
	var parts []string
	for _, st := range plan.Statuses {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", StatusText(st, lang), counts[st]))
		}
	}
	fmt.Fprintf(&b, pick(en, "共 %d 项指标: %s。\n\n", "%d targets: %s.\n\n"), len(rows), strings.Join(parts, pick(en, ", ", ", ")))

	h := headersFor(lang, several)
	b.WriteString("| " + strings.Join(h, " | ") + " |\n|")
	for range h {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range rows {
		c := cells(r, several)
		for i := range c {
			c[i] = mdEscape(c[i])
		}
		b.WriteString("| " + strings.Join(c, " | ") + " |\n")
	}

	// Overdue reports by agency: the part of the report a supervisor acts on.
	type overdue struct {
		name  string
		items []string
	}
	var order []string
	by := map[string]*overdue{}
	for _, r := range rows {
		if len(r.Missing) == 0 {
			continue
		}
		o, ok := by[r.AgencyID]
		if !ok {
			o = &overdue{name: r.AgencyName}
			by[r.AgencyID] = o
			order = append(order, r.AgencyID)
		}
		o.items = append(o.items, fmt.Sprintf("%s %s (%s)", r.Item, r.Title, strings.Join(r.Missing, ", ")))
	}
	if len(order) > 0 {
		b.WriteString(pick(en, "\n## 逾期未报\n\n", "\n## Overdue reports\n\n"))
		for _, id := range order {
			o := by[id]
			fmt.Fprintf(&b, "- %s: %s\n", mdEscape(o.name), mdEscape(strings.Join(o.items, pick(en, "; ", "; "))))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps a cell from breaking the table.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// Document is the JSON form of the report. Plan and Title are those of
// the plan the report covers, or with several plans empty and their
// titles joined; Plans lists the ids of every plan covered, and each row
// names its own.
type Document struct {
	Plan    string         `json:"plan"`
	Plans   []string       `json:"plans"`
	Title   string         `json:"title"`
	AsOf    string         `json:"as_of"`
	Version uint64         `json:"version"`
	Counts  map[string]int `json:"counts"`
	Targets []Row          `json:"targets"`
}

func writeJSON(w io.Writer, s *plan.Snapshot, rows []Row) error {
	asOf := s.AsOf
	if s.Plan.Location != nil {
		asOf = asOf.In(s.Plan.Location)
	}
	d := Document{Plan: s.Plan.ID, Title: s.Plan.Title, AsOf: asOf.Format("2006-01-02T15:04:05-07:00"), Version: s.Version, Counts: map[string]int{}, Targets: rows}
	titles := make([]string, len(s.Plans))
	for i, p := range s.Plans {
		d.Plans = append(d.Plans, p.ID)
		titles[i] = p.Title
	}
	if len(s.Plans) > 1 {
		d.Plan, d.Title = "", strings.Join(titles, "；")
	}
	for _, st := range plan.Statuses {
		d.Counts[string(st)] = 0
	}
	for _, r := range rows {
		d.Counts[string(r.Status)]++
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}
