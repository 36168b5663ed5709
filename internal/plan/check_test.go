package plan

import (
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
)

func checkPlan(t *testing.T) *Plan {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2019, 12, 31, 0, 0, 0, 0, loc)
	return &Plan{
		ID: "p", Location: loc, Start: time.Date(2019, 1, 1, 0, 0, 0, 0, loc), End: end, DueDay: 10,
		Agencies: []Agency{{ID: "a"}},
		Targets: []Target{
			{ID: "sum", Agency: "a", Kind: Quantity, Direction: AtLeast, Aggregation: Sum, Goal: 120, Unit: "条", Due: end},
			{ID: "half-year", Agency: "a", Kind: Quantity, Direction: AtLeast, Aggregation: Sum, Goal: 60, Unit: "条", Due: time.Date(2019, 6, 30, 0, 0, 0, 0, loc)},
			{ID: "pct", Agency: "a", Kind: Quantity, Direction: AtLeast, Aggregation: Last, Goal: 90, Unit: "%", Due: end},
			{ID: "ms", Agency: "a", Kind: Milestone, Direction: Complete, Aggregation: Last, Goal: 1, Due: end},
			{ID: "cap", Agency: "a", Kind: Quantity, Direction: AtMost, Aggregation: Mean, Goal: 100, Unit: "吨/日", Due: end},
		},
	}
}

func TestCheckValue(t *testing.T) {
	p := checkPlan(t)
	cases := []struct {
		name   string
		target string
		value  float64
		want   ErrorKind // 0: accepted
	}{
		{"zero is a figure", "sum", 0, 0},
		{"a positive figure is accepted", "sum", 12.5, 0},
		{"NaN is malformed", "sum", math.NaN(), KindMalformed},
		{"infinity is malformed", "sum", math.Inf(1), KindMalformed},
		{"a negative figure is invalid", "sum", -0.1, KindInvalid},
		{"exactly 100 percent is accepted", "pct", 100, 0},
		{"over 100 percent is invalid", "pct", 100.01, KindInvalid},
		{"a milestone of 1 is accepted", "ms", 1, 0},
		{"a milestone of 0 is accepted", "ms", 0, 0},
		{"a milestone of 2 is invalid", "ms", 2, KindInvalid},
		{"exactly the bound 1e12 is accepted", "sum", 1e12, 0},
		{"one more than the bound is invalid", "sum", 1e12 + 1, KindInvalid},
		{"1e307, which overflowed a cap's mean, is invalid", "cap", 1e307, KindInvalid},
		{"1.7e308, which overflowed a sum twice, is invalid", "sum", 1.7e308, KindInvalid},
		{"the largest float is invalid", "sum", math.MaxFloat64, KindInvalid},
		{"a huge negative figure is invalid", "sum", -1e300, KindInvalid},
	}
	for _, c := range cases {
		tg, _ := p.Target(c.target)
		err := CheckValue(tg, c.value)
		if got := KindOf(err); (err == nil) != (c.want == 0) || (err != nil && got != c.want) {
			t.Errorf("%s: got %v (kind %d), want kind %d", c.name, err, got, c.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "value: ") {
			t.Errorf("%s: got %q, want the field named", c.name, err)
		}
	}
}

// The refusal names the bound and the figure, so a clerk sees the
// misplaced exponent.
func TestCheckValueNamesTheBound(t *testing.T) {
	tg, _ := checkPlan(t).Target("sum")
	err := CheckValue(tg, 1.7e308)
	if want := "value: must be at most 1000000000000 in magnitude, got 1.7e+308"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestCheckPeriodAndLocking(t *testing.T) {
	p := checkPlan(t)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, p.Location)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	periods := []struct {
		name   string
		period Period
		now    string
		ok     bool
	}{
		{"the current month has begun", Period{2019, time.April}, "2019-04-01 00:00", true},
		{"next month has not begun a second before", Period{2019, time.May}, "2019-04-30 23:59", false},
		{"a month before the plan is outside it", Period{2018, time.December}, "2019-04-15 12:00", false},
		{"a month after the plan is outside it", Period{2020, time.January}, "2020-02-15 12:00", false},
		{"the plan's last month is inside it", Period{2019, time.December}, "2020-01-15 12:00", true},
	}
	for _, c := range periods {
		err := p.CheckPeriod(c.period, at(c.now))
		if (err == nil) != c.ok || (err != nil && KindOf(err) != KindInvalid) {
			t.Errorf("%s: got %v, want ok=%v", c.name, err, c.ok)
		}
	}
	// January is due on 10 February; 60 days later is 11 April.
	locks := []struct {
		name   string
		now    string
		after  time.Duration
		locked bool
	}{
		{"open the minute before the lock", "2019-04-10 23:59", DefaultLockAfter, false},
		{"locked from the lock moment on", "2019-04-11 00:00", DefaultLockAfter, true},
		{"a zero lock never locks", "2025-01-01 00:00", 0, false},
		{"a negative lock never locks", "2025-01-01 00:00", -1, false},
	}
	for _, c := range locks {
		if got := p.IsLocked(Period{2019, time.January}, at(c.now), c.after); got != c.locked {
			t.Errorf("%s: got locked=%v, want %v", c.name, got, c.locked)
		}
	}
}

func TestPlausibilityWarning(t *testing.T) {
	p := checkPlan(t)
	cases := []struct {
		name   string
		target string
		value  float64
		warn   bool
	}{
		{"three times the monthly share is plausible", "sum", 30, false},
		{"above three times the monthly share warns", "sum", 30.01, true},
		{"the share of a half-year target counts its own months", "half-year", 31, true},
		{"within three times a half-year share", "half-year", 30, false},
		{"a level within three times the goal is plausible", "cap", 300, false},
		{"a level above three times the goal warns", "cap", 301, true},
		{"milestones never warn", "ms", 1, false},
	}
	for _, c := range cases {
		tg, _ := p.Target(c.target)
		if got := p.PlausibilityWarning(tg, c.value); (got != nil) != c.warn {
			t.Errorf("%s: got %q, want warning=%v", c.name, got, c.warn)
		}
	}
}

func TestCheckNote(t *testing.T) {
	for _, c := range []struct {
		name string
		note string
		ok   bool
	}{
		{"Chinese text with a line break is fine", "补报：\n含嘉定新城", true},
		{"1000 characters are fine", strings.Repeat("长", MaxNoteRunes), true},
		{"1001 characters are too many", strings.Repeat("长", MaxNoteRunes+1), false},
		{"a bell character is refused", "a\x07b", false},
		{"a tab is fine", "a\tb", true},
		{"a carriage return is refused", "a\r\nb", false},
		{"DEL is refused", "a\x7fb", false},
		{"a C1 control is refused", "a\u0085b", false},
		{"a right-to-left override is refused", "a\u202eb", false},
	} {
		if err := CheckNote(c.note); (err == nil) != c.ok {
			t.Errorf("%s: got %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestCheckTextNamesFieldAndCharacter(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
	}{
		{"escape, the first character", "\x1b[2J", "U+001B (at character 1)"},
		{"DEL after two Chinese characters", "补报\x7f", "U+007F (at character 3)"},
		{"the first C1 control", "x\u0080", "U+0080 (at character 2)"},
		{"the last C1 control", "x\u009f", "U+009F (at character 2)"},
		{"left-to-right mark", "\u200e", "U+200E (at character 1)"},
		{"right-to-left mark", "\u200f", "U+200F (at character 1)"},
		{"left-to-right embedding", "\u202a", "U+202A (at character 1)"},
		{"right-to-left override", "abc\u202edef", "U+202E (at character 4)"},
		{"left-to-right isolate", "\u2066", "U+2066 (at character 1)"},
		{"pop directional isolate", "\u2069", "U+2069 (at character 1)"},
		{"Arabic letter mark", "\u061c", "U+061C (at character 1)"},
	} {
		err := CheckText("name", c.text)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindInvalid || e.Field != "name" || !strings.Contains(e.Message, c.want) {
			t.Errorf("%s: got %v, want an invalid name naming %s", c.name, err, c.want)
		}
	}
	for _, ok := range []string{"", "tab\tand\nnewline", "上月漏报, 已补", "zero width joiner 👩\u200d💻", "é (e\u0301)", "U+00A0\u00a0no-break space"} {
		if err := CheckText("note", ok); err != nil {
			t.Errorf("%q: got %v, want it allowed", ok, err)
		}
	}
}

// TestCheckTextIsControlsAndBidi compares the rule with the Unicode
// tables, an independent reader: refused are exactly the control
// characters (category Cc: C0, DEL and C1) but tab and newline, and the
// characters with the Bidi_Control property.
func TestCheckTextIsControlsAndBidi(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // surrogates are not characters a Go string can hold
		}
		want := (unicode.Is(unicode.Cc, r) && r != '\t' && r != '\n') || unicode.Is(unicode.Bidi_Control, r)
		if got := CheckText("note", string(r)) != nil; got != want {
			t.Fatalf("U+%04X: got refused=%v, want %v", r, got, want)
		}
	}
}

func TestProblemsKind(t *testing.T) {
	locked := Problem{Line: 2, Err: Errorf(KindLocked, "period", "locked")}
	bad := Problem{Line: 3, Err: Errorf(KindMalformed, "value", "bad")}
	for _, c := range []struct {
		name string
		ps   Problems
		want ErrorKind
	}{
		{"all locked rows make a locked batch", Problems{locked, locked}, KindLocked},
		{"mixed problems make an invalid batch", Problems{locked, bad}, KindInvalid},
		{"malformed rows make an invalid batch", Problems{bad}, KindInvalid},
	} {
		if got := c.ps.Kind(); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
	if got := (Problems{locked, bad}).Error(); got != "line 2: period: locked; line 3: value: bad" {
		t.Errorf("Error(): got %q", got)
	}
}

// signedNumber is an independent reader of what FormulaLike lets through:
// a sign, then a decimal number with an optional exponent.
var signedNumber = regexp.MustCompile(`^[-+](?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$`)

func formulaLikeByRegexp(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) && !signedNumber.MatchString(s)
}

// FuzzFormulaLike compares FormulaLike with the regular expression.
func FuzzFormulaLike(f *testing.F) {
	for _, s := range []string{"-3", "+1.5", "-.5", "-5.", "-1e5", "-1e", "-1e+", "-2+3", "=1", "@SUM(1)", "\t=1", "\r", "-", "+", "-Inf", "-0x1p-2", "--1", "河道", " =1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := FormulaLike(s), formulaLikeByRegexp(s); got != want {
			t.Fatalf("FormulaLike(%q) = %v, want %v", s, got, want)
		}
	})
}
