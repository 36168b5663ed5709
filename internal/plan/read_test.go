package plan

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestReadFigureReadsWhatPeopleType(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		percent bool
		want    float64
	}{
		{"a plain integer is itself", "1234", false, 1234},
		{"a thousands separator is dropped", "1,234", false, 1234},
		{"several thousands separators are dropped", "12,345,678.5", false, 12345678.5},
		{"full-width digits and comma are read", "１，２３４", false, 1234},
		{"a full-width decimal point is read", "３３．５", false, 33.5},
		{"blanks and an ideographic space around are ignored", " \u300033.5\u3000 ", false, 33.5},
		{"a trailing % on a percentage target is dropped", "86%", true, 86},
		{"a full-width ％ on a percentage target is dropped", "８６．５％", true, 86.5},
		{"a blank before the % is allowed", "86 %", true, 86},
		{"a percentage without % is read too", "86", true, 86},
		{"an exponent is read", "1.5e3", false, 1500},
		{"a negative number is read (CheckValue refuses it)", "-5", false, -5},
		{"minus zero reads as zero", "-0", false, 0},
		{"the largest figure is read", "1000000000000", false, 1e12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadFigure(c.text, c.percent)
			if err != nil || got != c.want || got == 0 && math.Signbit(got) {
				t.Errorf("ReadFigure(%q, %v): got %v, %v, want %v", c.text, c.percent, got, err, c.want)
			}
		})
	}
}

func TestReadFigureRefusesWhatIsNotAFigure(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		percent bool
		want    string // in the message
	}{
		{"a % on a target not in percent is refused", "86%", false, "a % sign is read only for a target measured in %"},
		{"a full-width ％ on a target not in percent is refused", "86％", false, "a % sign is read only"},
		{"separators in the wrong places are refused", "12,34", false, "want a number"},
		{"a comma as the decimal mark is refused", "33,5", false, "want a number"},
		{"two % signs are refused", "86%%", true, "want a number"},
		{"a word is refused", "abc", false, "want a number"},
		{"an empty text is refused", "", false, "want a number"},
		{"NaN is refused", "NaN", false, "want a number"},
		{"Inf is refused", "Inf", false, "want a number"},
		{"a number beyond float64 is refused", "1e400", false, "must be a finite number"},
		// MaxFigure is 1e12; one more unit is over it.
		{"a figure above MaxFigure is refused", "1000000000001", false, "must be at most 1000000000000 in magnitude"},
		{"a hex number is refused", "0x10", false, "want a number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadFigure(c.text, c.percent)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("ReadFigure(%q, %v): got %v, %v, want an error saying %q", c.text, c.percent, got, err, c.want)
			}
			if pe.Field != "value" || !strings.Contains(pe.Message, c.want) {
				t.Errorf("ReadFigure(%q, %v): got %s %q, want value: ...%s...", c.text, c.percent, pe.Field, pe.Message, c.want)
			}
		})
	}
}

func TestReadPeriodReadsWhatPeopleAndExcelWrite(t *testing.T) {
	cases := []struct {
		name string
		cell string
		want string
	}{
		{"the template's own form is read as is", "2019-08", "2019-08"},
		{"surrounding blanks are ignored", " 2019-08 ", "2019-08"},
		{"a text formula keeps the month through Excel", `="2019-08"`, "2019-08"},
		{"zh-CN short date on the 1st is the month", "2019/8/1", "2019-08"},
		{"zh-CN short date with zero padding is the month", "2019/08/01", "2019-08"},
		{"zh-CN year and month is the month", "2019/8", "2019-08"},
		{"a dashed date on the 1st is the month", "2019-8-1", "2019-08"},
		{"an ISO date on the 1st is the month", "2019-08-01", "2019-08"},
		{"a month without its leading zero is the month", "2019-8", "2019-08"},
		{"zh-CN long form year and month is the month", "2019年8月", "2019-08"},
		{"zh-CN long form with a zero-padded month is the month", "2019年08月", "2019-08"},
		{"zh-CN long date on the 1st is the month", "2019年8月1日", "2019-08"},
		{"zh-CN mmm-yy is the month", "8月-19", "2019-08"},
		{"zh-CN mmm-yy of December is the month", "12月-19", "2019-12"},
		{"en mmm-yy is the month", "Aug-19", "2019-08"},
		{"en mmm-yy is read in any case", "AUG-19", "2019-08"},
		{"en mmmm-yy is the month", "August-19", "2019-08"},
		{"en mmm-yyyy is the month", "Aug-2019", "2019-08"},
		{"en month and year with a blank is the month", "Sep 2019", "2019-09"},
		{"en d-mmm-yy on the 1st is the month", "1-Aug-19", "2019-08"},
		{"en dd-mmm-yyyy on the 1st is the month", "01-Aug-2019", "2019-08"},
		{"a two-digit year is of this century", "Jan-00", "2000-01"},
		{"a slashed month with its leading zero is the month", "2019/09", "2019-09"},
		{"a dashed month without its leading zero is September", "2019-9", "2019-09"},
		{"zh-CN long form of September is the month", "2019年9月", "2019-09"},
		{"full-width digits are read as digits", "２０１９年９月", "2019-09"},
		{"a full-width hyphen and digits are read", "２０１９－０９", "2019-09"},
		{"an ideographic space around the month is ignored", "\u30002019-09\u3000", "2019-09"},
		// 2019-01-01 is serial 43466; + 31+28+31+30+31+30+31 = 212 days to 1 August.
		{"an Excel serial on the 1st is that month", "43678", "2019-08"},
		// 43466 + 365 (2019) + 366 (2020) = 44197.
		{"an Excel serial of New Year 2021 is January", "44197", "2021-01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadPeriod(c.cell)
			if err != nil || got.String() != c.want {
				t.Errorf("ReadPeriod(%q): got %v, %v, want %s", c.cell, got, err, c.want)
			}
		})
	}
}

func TestReadPeriodRefusesWhatIsNotOneMonth(t *testing.T) {
	cases := []struct {
		name string
		cell string
		want string // in the message
	}{
		{"a zh-CN date not on the 1st is a day", "2019/8/15", "names a day other than the 1st"},
		{"an ISO date not on the 1st is a day", "2019-08-31", "names a day other than the 1st"},
		{"a zh-CN long date not on the 1st is a day", "2019年8月2日", "names a day other than the 1st"},
		{"an en date not on the 1st is a day", "2-Aug-19", "names a day other than the 1st"},
		{"month/day/year may be day/month/year", "8/1/2019", "could be month/day/year or day/month/year"},
		{"day/month/year may be month/day/year", "1/8/2019", "could be month/day/year or day/month/year"},
		{"month 13 is no month", "2019/13/1", "has no month 1..12"},
		{"month 0 is no month", "2019年0月", "has no month 1..12"},
		{"a day without a month is not a month", "1-Aug", "is not a month"},
		{"a year alone is not a month", "2019", "is not a month"},
		{"a three-digit year is not a year", "Aug-019", "is not a month"},
		{"year 0000 is not a year", "0000/1/1", "is not a month"},
		{"an unknown month name is not a month", "Agu-19", "is not a month"},
		{"a zh-CN day without 日 is not a month", "2019年8月1", "is not a month"},
		// 43678 is 2019-08-01, so 43692 is the 15th.
		{"an Excel serial not on the 1st is a day", "43692", "is Excel's date 2019-08-15, names a day other than the 1st"},
		{"six digits are not a serial", "201908", "is not a month"},
		{"a serial with a leading zero is not a serial", "04367", "is not a month"},
		{"a time of day is not a month", "2019/8/1 0:00", "is not a month"},
		{"an empty cell is not a month", "", "is not a month"},
		{"an unclosed text formula is not a month", `="2019-08`, "is not a month"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadPeriod(c.cell)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("ReadPeriod(%q): got %v, %v, want an error saying %q", c.cell, got, err, c.want)
			}
			if pe.Field != "period" || pe.Kind != KindMalformed || !strings.Contains(pe.Message, c.want) || !strings.Contains(pe.Message, "YYYY-MM") {
				t.Errorf("ReadPeriod(%q): got %s %q, want period: ...%s... YYYY-MM", c.cell, pe.Field, pe.Message, c.want)
			}
		})
	}
}

// FuzzReadFigure: whatever ReadFigure accepts is a finite figure within
// MaxFigure whose shortest decimal reads back as the same figure, and a
// % is accepted only on a percentage target.
func FuzzReadFigure(f *testing.F) {
	for _, s := range []string{"1234", "1,234", "１，２３４", "３３．５", "86%", "８６％", "1e12", "1e400", "-0", "12,34", " 5 ", "NaN", "0x10", "1,234.5e3"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, percent bool) {
		v, err := ReadFigure(s, percent)
		if err != nil {
			if pe := (*Error)(nil); !errors.As(err, &pe) || pe.Field != "value" {
				t.Fatalf("ReadFigure(%q): error %v does not name the value", s, err)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > MaxFigure || math.Signbit(v) && v == 0 {
			t.Fatalf("ReadFigure(%q) = %v, not a finite figure within MaxFigure", s, v)
		}
		if !percent && strings.ContainsAny(s, "%％") {
			t.Fatalf("ReadFigure(%q, false) = %v, accepted a %% on a target not in percent", s, v)
		}
		back, err := ReadFigure(strconv.FormatFloat(v, 'g', -1, 64), false)
		if err != nil || back != v {
			t.Fatalf("ReadFigure(%q) = %v, which re-reads as %v, %v", s, v, back, err)
		}
	})
}

// FuzzReadPeriod: whatever ReadPeriod accepts is a real month that reads
// back as itself from YYYY-MM, and the strict ParsePeriod accepts only
// what prints back as itself.
func FuzzReadPeriod(f *testing.F) {
	for _, s := range []string{"2019-03", "2019-3", "2019-13", "0000-01", "9999-12", "201903", "2019/03", "２０１９-03", " 2019-03", "2019-03\n", "-019-03",
		"2019年9月", "2019年8月1日", "8月-19", "Aug-19", "1-Aug-2019", "8/1/2019", `="2019-08"`, "43678", "43692", "99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ParsePeriod(s); err == nil && m.String() != s {
			t.Fatalf("ParsePeriod(%q) = %v, which prints as %q", s, m, m.String())
		}
		m, err := ReadPeriod(s)
		if err != nil {
			if pe := (*Error)(nil); !errors.As(err, &pe) || pe.Field != "period" {
				t.Fatalf("ReadPeriod(%q): error %v does not name the period", s, err)
			}
			return
		}
		if m.Month < 1 || m.Month > 12 || m.Year < 1 || m.Year > 9999 {
			t.Fatalf("ReadPeriod(%q) = %+v, not a real month", s, m)
		}
		if back, err := ParsePeriod(m.String()); err != nil || back != m {
			t.Fatalf("ReadPeriod(%q) = %v, which re-reads as %v, %v", s, m, back, err)
		}
	})
}
