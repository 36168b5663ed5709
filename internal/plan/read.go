package plan

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// People type figures and months the way their keyboard, input method and
// spreadsheet write them. ReadFigure and ReadPeriod are the one reading of
// such text, shared by `submit`, the CSV and .xlsx imports and every other
// command that takes a figure or a month from a person. JSON's value and
// the period in URLs stay strict (a JSON number, ParsePeriod's YYYY-MM):
// programs write those.

// halfWidth maps the full-width forms a Chinese input method types
// (１２３４，５６．７％, U+FF01..U+FF5E) to their ASCII twins and the
// ideographic space to a blank.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// figureRE is a decimal number as bureaus write it: optional thousands
// separators in groups of three, an optional exponent.
var figureRE = regexp.MustCompile(`^-?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?(?:[eE][-+]?\d+)?$`)

// ReadFigure reads a figure typed by a person: 1234, 1,234, １，２３４,
// ３３．５, and for a percentage target also 33.5% or 33.5％. It refuses
// anything that is not a finite number of at most MaxFigure in magnitude.
func ReadFigure(s string, percent bool) (float64, error) {
	t := strings.TrimSpace(halfWidth(s))
	if rest, ok := strings.CutSuffix(t, "%"); ok {
		if !percent {
			return 0, Errorf(KindMalformed, "value", "%q: a %% sign is read only for a target measured in %%; write the number alone", Clip(s, 40))
		}
		t = strings.TrimSpace(rest)
	}
	if !figureRE.MatchString(t) {
		return 0, Errorf(KindMalformed, "value", "want a number, got %q", Clip(s, 40))
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(t, ",", ""), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, Errorf(KindMalformed, "value", "must be a finite number, got %q", Clip(s, 40))
	}
	if math.Abs(v) > MaxFigure {
		return 0, tooLarge(strconv.Quote(Clip(s, 40)))
	}
	return v + 0, nil // +0 turns -0 into 0
}

// Clip shortens s to n characters for a message, marking the cut with "…".
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// PeriodHint ends every message about a month a person typed.
const PeriodHint = "write the month as YYYY-MM, e.g. 2019-08 (2019-8, 2019/8/1, 2019年8月 and Aug-19 are read too)"

// ReadPeriod reads a month as a person or a spreadsheet writes it. Excel
// reads the template's "2019-08" as the date 1 August 2019 and, when the
// clerk saves as CSV, writes that date back in the display format of its
// locale; an .xlsx keeps it as a date serial. ReadPeriod reads the forms
// that name the month without doubt:
//
//	2019-08, 2019-8, 2019/8, 2019/08, 2019/8/1, 2019-8-1    year first (zh-CN)
//	2019年8月, 2019年8月1日, ２０１９年８月                 zh-CN long date, full width
//	8月-19                                                  zh-CN mmm-yy
//	Aug-19, Aug-2019, August-19, Aug 2019, 1-Aug-19         en mmm-yy, d-mmm-yy
//	="2019-08"                                              a CSV text formula
//	43678                                                   an Excel date serial
//
// A date is a month only on the 1st: "2019/8/15" and the serial 43692 are
// refused rather than read as August. Dates with the year last and the
// month as a number ("8/1/2019") are refused too: en-US reads them month
// first, en-GB day first.
func ReadPeriod(s string) (Period, error) {
	t := strings.TrimSpace(halfWidth(s))
	// ="2019-08" is how a CSV keeps a cell as text through Excel.
	if strings.HasPrefix(t, `="`) && strings.HasSuffix(t, `"`) && len(t) >= 3 {
		t = strings.TrimSpace(t[2 : len(t)-1])
	}
	if p, err := ParsePeriod(t); err == nil {
		return p, nil
	}
	p, why := readPeriod(t)
	c := Clip(s, 20)
	// One literal per reason: each is a message id with its translation.
	switch why {
	case "":
		return p, nil
	case notMonth:
		return Period{}, Errorf(KindMalformed, "period", "%q "+notMonth+"; "+PeriodHint, c)
	case notFirst:
		return Period{}, Errorf(KindMalformed, "period", "%q "+notFirst+"; "+PeriodHint, c)
	case yearLast:
		return Period{}, Errorf(KindMalformed, "period", "%q "+yearLast+"; "+PeriodHint, c)
	case badMonth:
		return Period{}, Errorf(KindMalformed, "period", "%q "+badMonth+"; "+PeriodHint, c)
	}
	return Period{}, Errorf(KindMalformed, "period", "%q %s; "+PeriodHint, c, why)
}

// Why a text is not a month.
const (
	notMonth = "is not a month"
	notFirst = "names a day other than the 1st, not a month"
	yearLast = "could be month/day/year or day/month/year"
	badMonth = "has no month 1..12"
)

// readPeriod reads the forms listed at ReadPeriod other than YYYY-MM,
// returning why it cannot.
func readPeriod(s string) (Period, string) {
	if y, rest, ok := strings.Cut(s, "年"); ok {
		// 2019年8月 or 2019年8月1日
		m, rest, ok := strings.Cut(rest, "月")
		if !ok {
			return Period{}, notMonth
		}
		if rest != "" {
			d, ok := strings.CutSuffix(rest, "日")
			if !ok {
				return Period{}, notMonth
			}
			if why := firstDay(d); why != "" {
				return Period{}, why
			}
		}
		return monthOf(y, 4, m)
	}
	if m, y, ok := strings.Cut(s, "月-"); ok {
		// 8月-19
		return monthOf(y, 2, m)
	}
	if allDigits(s) {
		return serialPeriod(s)
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == ' ' })
	if len(parts) < 2 || len(parts) > 3 {
		return Period{}, notMonth
	}
	if allDigits(parts[0]) && len(parts[0]) == 4 {
		// 2019/8, 2019/8/1, 2019-8-1
		if len(parts) == 3 {
			if why := firstDay(parts[2]); why != "" {
				return Period{}, why
			}
		}
		return monthOf(parts[0], 4, parts[1])
	}
	if len(parts) == 3 && allDigits(parts[0]) && allDigits(parts[1]) {
		return Period{}, yearLast
	}
	if len(parts) == 3 {
		// 1-Aug-19
		if why := firstDay(parts[0]); why != "" {
			return Period{}, why
		}
		parts = parts[1:]
	}
	// Aug-19, August-2019
	m, ok := monthNames[strings.ToLower(parts[0])]
	if !ok {
		return Period{}, notMonth
	}
	return monthOf(parts[1], 2, strconv.Itoa(m))
}

// Excel's date serials count days from 1899-12-30 (after its 29 February
// 1900 that never was). Only five digits are read as a serial, 10000
// (1927-05-18) to 99999 (2173-10-14): a four-digit number is a year, and
// six digits look like 201908.
const serialDigits = 5

var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// serialPeriod reads an Excel date serial that falls on the 1st of a month.
func serialPeriod(s string) (Period, string) {
	n, err := strconv.Atoi(s)
	if err != nil || len(s) != serialDigits || s[0] == '0' {
		return Period{}, notMonth
	}
	d := excelEpoch.AddDate(0, 0, n)
	if d.Day() != 1 {
		return Period{}, fmt.Sprintf("is Excel's date %s, %s", d.Format("2006-01-02"), notFirst)
	}
	return PeriodOf(d), ""
}

// firstDay accepts a day of month written as 1 or 01.
func firstDay(d string) string {
	if !allDigits(d) || len(d) > 2 {
		return notMonth
	}
	if n, _ := strconv.Atoi(d); n != 1 {
		return notFirst
	}
	return ""
}

// monthOf builds a month from a year of four digits, or of two when short
// is 2 (Excel's yy: 19 is 2019), and a month of one or two digits.
func monthOf(year string, short int, month string) (Period, string) {
	if !allDigits(month) || len(month) > 2 {
		return Period{}, notMonth
	}
	m, _ := strconv.Atoi(month)
	if m < 1 || m > 12 {
		return Period{}, badMonth
	}
	if !allDigits(year) || (len(year) != 4 && len(year) != short) {
		return Period{}, notMonth
	}
	y, _ := strconv.Atoi(year)
	if len(year) == 2 {
		y += 2000
	}
	if y < 1 {
		return Period{}, notMonth
	}
	return Period{y, time.Month(m)}, ""
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// monthNames are the English month names Excel writes for mmm and mmmm.
var monthNames = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "june": 6,
	"july": 7, "august": 8, "september": 9, "sept": 9, "october": 10, "november": 11, "december": 12,
}
