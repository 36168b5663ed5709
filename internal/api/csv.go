package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// CSVColumns are the columns a CSV batch needs, in the order the template
// writes them (named so, or by the Chinese titles of the .xlsx template:
// see report.ImportColumn); note may be absent, other columns are ignored (so a template
// may carry titles and units for the clerk's benefit), except received:
// an administrator migrating a year from spreadsheets may give each
// figure its original date there.
var CSVColumns = []string{"target", "period", "value", "note"}

// decodeText returns body as UTF-8. charset is the Content-Type parameter;
// without one, a UTF-8 BOM or valid UTF-8 means UTF-8, and anything else is
// read as GB18030 (a superset of GBK and GB2312, which is what Excel on a
// Chinese Windows saves as "CSV").
func decodeText(body []byte, charset string) (string, error) {
	switch charset {
	case "":
	case "utf-8", "utf8":
		body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(body) {
			return "", plan.Errorf(plan.KindMalformed, "Content-Type", "the body is not valid UTF-8 although charset=%s says so", charset)
		}
		return string(body), nil
	case "gb18030", "gbk", "gb2312", "cp936", "x-gbk":
		return decodeGB18030(body)
	default:
		return "", plan.Errorf(plan.KindUnsupported, "Content-Type", "unsupported charset %q (want utf-8 or gb18030)", charset)
	}
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		body = body[3:]
		if !utf8.Valid(body) {
			return "", plan.Errorf(plan.KindMalformed, "", "the body starts with a UTF-8 byte order mark but is not valid UTF-8")
		}
		return string(body), nil
	}
	if bytes.HasPrefix(body, []byte("\xff\xfe")) || bytes.HasPrefix(body, []byte("\xfe\xff")) {
		return "", plan.Errorf(plan.KindUnsupported, "Content-Type", "UTF-16 text is not supported; in Excel save as \"CSV UTF-8\" or \"CSV\"")
	}
	if utf8.Valid(body) {
		return string(body), nil
	}
	return decodeGB18030(body)
}

func decodeGB18030(body []byte) (string, error) {
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(body)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", plan.Errorf(plan.KindMalformed, "", "the body is neither UTF-8 nor GB18030 text")
	}
	return string(out), nil
}

// parseCSV reads a CSV batch: a header row naming at least target, period
// and value, then one figure per row. Blank rows, and rows whose value is
// blank (a template line not filled in), are skipped and counted. Periods
// and values are read as people and spreadsheets write them
// (plan.ReadPeriod, plan.ReadFigure).
func parseCSV(body []byte, charset string) ([]batchRow, int, error) {
	text, err := decodeText(body, charset)
	if err != nil {
		return nil, 0, err
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, plan.Errorf(plan.KindInvalid, "", "empty CSV; want a header row %s", strings.Join(CSVColumns, ","))
	}
	if err != nil {
		return nil, 0, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = report.ImportColumn(h)
		if _, dup := col[h]; dup && h != "" {
			return nil, 0, plan.Errorf(plan.KindInvalid, h, "line 1: column %q appears twice", h)
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
		return nil, 0, plan.Errorf(plan.KindInvalid, missing[0], "line 1: the header row lacks %s (want %s)", strings.Join(missing, ", "), strings.Join(CSVColumns, ","))
	}
	cell := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var rows []batchRow
	skipped := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		value := cell(rec, "value")
		if value == "" && cell(rec, "note") == "" {
			skipped++
			continue
		}
		period, periodErr := readPeriod(cell(rec, "period"))
		rows = append(rows, batchRow{
			line: line, target: cell(rec, "target"), period: period, periodErr: periodErr, note: cell(rec, "note"),
			received: cell(rec, "received"),
			value: func(t *plan.Target) (float64, error) {
				if value == "" {
					return 0, plan.Errorf(plan.KindMalformed, "value", "required")
				}
				return plan.ReadFigure(value, t != nil && t.IsPercent())
			},
		})
	}
	return rows, skipped, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return plan.Problems{{Line: pe.Line, Err: plan.Errorf(plan.KindMalformed, "", "CSV: %v", pe.Err)}}
	}
	return plan.Errorf(plan.KindMalformed, "", "CSV: %v", err)
}
