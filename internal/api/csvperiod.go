package api

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Excel reads the template's "2019-08" as the date 1 August 2019 and, when
// the clerk saves as CSV, writes that date back in the display format of
// its locale. csvPeriod reads the forms that name the month without doubt
// back into YYYY-MM:
//
//	2019-08, 2019-8, 2019/8, 2019/8/1, 2019-8-1, 2019/08/01  year first (zh-CN)
//	2019年8月, 2019年8月1日                                  zh-CN long date
//	8月-19                                                   zh-CN mmm-yy
//	Aug-19, Aug-2019, August-19, Aug 2019, 1-Aug-19          en mmm-yy, d-mmm-yy
//	="2019-08"                                               a text formula
//
// A date is a month only on the 1st: "2019/8/15" is refused rather than
// read as August. Dates with the year last and the month as a number
// ("8/1/2019") are refused too: en-US reads them month first, en-GB day
// first.

// csvPeriodHint ends every period message of the CSV import.
const csvPeriodHint = "write the month as YYYY-MM, e.g. 2019-08 (Excel's 2019/8/1, 2019年8月 and Aug-19 are read too)"

// csvPeriod returns the cell as YYYY-MM, or the cell unchanged and the
// problem with it.
func csvPeriod(cell string) (string, *plan.Error) {
	s := strings.TrimSpace(cell)
	// ="2019-08" is how a CSV keeps a cell as text through Excel.
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
		s = strings.TrimSpace(s[2 : len(s)-1])
	}
	if _, err := plan.ParsePeriod(s); err == nil {
		return s, nil
	}
	p, err := excelPeriod(s)
	if err != nil {
		return cell, plan.Errorf(plan.KindMalformed, "period", "%q %s; %s", truncate(cell, 20), err.msg, csvPeriodHint)
	}
	return p.String(), nil
}

// periodError explains why a cell is not a month.
type periodError struct{ msg string }

var (
	errNotMonth = &periodError{"is not a month"}
	errNotFirst = &periodError{"names a day other than the 1st, not a month"}
	errYearLast = &periodError{"could be month/day/year or day/month/year"}
	errBadMonth = &periodError{"has no month 1..12"}
)

// excelPeriod reads the Excel forms listed above (without the canonical
// YYYY-MM, which the caller tried first).
func excelPeriod(s string) (plan.Period, *periodError) {
	if y, rest, ok := strings.Cut(s, "年"); ok {
		// 2019年8月 or 2019年8月1日
		m, rest, ok := strings.Cut(rest, "月")
		if !ok {
			return plan.Period{}, errNotMonth
		}
		if rest != "" {
			d, ok := strings.CutSuffix(rest, "日")
			if !ok {
				return plan.Period{}, errNotMonth
			}
			if err := firstDay(d); err != nil {
				return plan.Period{}, err
			}
		}
		return period(y, 4, m)
	}
	if m, y, ok := strings.Cut(s, "月-"); ok {
		// 8月-19
		return period(y, 2, m)
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == ' ' })
	if len(parts) < 2 || len(parts) > 3 {
		return plan.Period{}, errNotMonth
	}
	if allDigits(parts[0]) && len(parts[0]) == 4 {
		// 2019/8, 2019/8/1, 2019-8-1
		if len(parts) == 3 {
			if err := firstDay(parts[2]); err != nil {
				return plan.Period{}, err
			}
		}
		return period(parts[0], 4, parts[1])
	}
	if len(parts) == 3 && allDigits(parts[0]) && allDigits(parts[1]) {
		return plan.Period{}, errYearLast
	}
	if len(parts) == 3 {
		// 1-Aug-19
		if err := firstDay(parts[0]); err != nil {
			return plan.Period{}, err
		}
		parts = parts[1:]
	}
	// Aug-19, August-2019
	m, ok := monthNames[strings.ToLower(parts[0])]
	if !ok {
		return plan.Period{}, errNotMonth
	}
	return period(parts[1], 2, strconv.Itoa(m))
}

// firstDay accepts a day of month written as 1 or 01.
func firstDay(d string) *periodError {
	if !allDigits(d) || len(d) > 2 {
		return errNotMonth
	}
	if n, _ := strconv.Atoi(d); n != 1 {
		return errNotFirst
	}
	return nil
}

// period builds a month from a year of four digits, or of two when short
// is 2 (Excel's yy: 19 is 2019), and a month of one or two digits.
func period(year string, short int, month string) (plan.Period, *periodError) {
	if !allDigits(month) || len(month) > 2 {
		return plan.Period{}, errNotMonth
	}
	m, _ := strconv.Atoi(month)
	if m < 1 || m > 12 {
		return plan.Period{}, errBadMonth
	}
	if !allDigits(year) || (len(year) != 4 && len(year) != short) {
		return plan.Period{}, errNotMonth
	}
	y, _ := strconv.Atoi(year)
	if len(year) == 2 {
		y += 2000
	}
	p, err := plan.ParsePeriod(fmt.Sprintf("%04d-%02d", y, m))
	if err != nil {
		return plan.Period{}, errNotMonth
	}
	return p, nil
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

// withPeriodError puts the CSV import's own period problem in place of
// checkFigure's, which knows only YYYY-MM. checkFigure reports no period
// problem when it stops at the target, and then neither does this.
func withPeriodError(errs []*plan.Error, pe *plan.Error) []*plan.Error {
	for i, e := range errs {
		if e.Field == "period" && e.Kind == plan.KindMalformed {
			errs[i] = pe
		}
	}
	return errs
}
