package plan

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Names of the service's own metrics, next to the target metrics in
// names.go so dashboards and rules can use them too.
const (
	MetricHTTPRequests         = "targetwatch_http_requests_total"
	MetricHTTPRequestDuration  = "targetwatch_http_request_duration_seconds"
	MetricSubmissions          = "targetwatch_submissions_total"
	MetricSubmissionsRejected  = "targetwatch_submissions_rejected_total"
	MetricPlausibilityWarnings = "targetwatch_plausibility_warnings_total"
	MetricCommitFigures        = "targetwatch_commit_figures"

	LabelResult = "result" // created, unchanged, corrected
	LabelReason = "reason" // the error kind of a rejected submission
)

// DefaultLockAfter is how long after its due date a month's figures stay
// open to agencies.
const DefaultLockAfter = 60 * 24 * time.Hour

// MaxNoteRunes bounds the reason given with a figure.
const MaxNoteRunes = 1000

// plausibleFactor: a figure more than this many times what the goal makes
// likely earns a warning.
const plausibleFactor = 3

// MaxFigure bounds the magnitude of every figure: a submitted value (PUT,
// JSON or CSV batch, and so `targetwatch submit` and `import`) above it is
// refused, and a stored one (written by a version that had no bound) counts
// as MaxFigure in Evaluate. No real plan reaches 10¹² of any unit, and the
// bound keeps every sum, mean, trend, projection and ratio over a plan's
// months finite, where 1e307 or 1.7e308 twice overflowed to +Inf.
const MaxFigure = 1e12

// CheckValue validates a submitted figure against what its target can
// hold: a finite number of at most MaxFigure in magnitude, non-negative
// except for a growth rate (which may fall), at most 100 for a percentage
// other than a growth rate, 0 or 1 for a milestone. The error is an *Error
// with Field "value".
func CheckValue(t *Target, v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return Errorf(KindMalformed, "value", "must be a finite number")
	case math.Abs(v) > MaxFigure:
		return tooLarge(FormatNumber(v))
	case t.IsGrowth():
		return nil // a growth rate may be negative or above 100
	case v < 0:
		return Errorf(KindInvalid, "value", "must not be negative (only a growth target's figure may be), got %s", FormatNumber(v))
	case t.Kind == Milestone && v != 0 && v != 1:
		return Errorf(KindInvalid, "value", "a milestone is reported as 0 (not done) or 1 (done), got %s", FormatNumber(v))
	case t.IsPercent() && v > 100:
		return Errorf(KindInvalid, "value", "a percentage must be at most 100, got %s", FormatNumber(v))
	}
	return nil
}

// tooLarge refuses a figure beyond MaxFigure, got as the user wrote it.
func tooLarge(got string) *Error {
	return Errorf(KindInvalid, "value", "must be at most %s in magnitude, got %s", FormatNumber(MaxFigure), got)
}

// CheckNote bounds the free-text reason of a figure and applies CheckText
// to it.
func CheckNote(note string) error {
	if n := utf8.RuneCountInString(note); n > MaxNoteRunes {
		return Errorf(KindInvalid, "note", "at most %d characters, got %d", MaxNoteRunes, n)
	}
	return CheckText("note", note)
}

// CheckText is the one rule for free text a user sends (a note, a token
// name): no control character except tab and newline (C0 including
// carriage return, DEL, C1), and no Unicode bidirectional control
// (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069). Such characters
// are invisible in a browser, a terminal or Excel but change what the
// text shows: an escape sequence rewrites a terminal, a right-to-left
// override reverses the text around it. The error is an *Error of
// KindInvalid naming field and the first such character.
func CheckText(field, s string) error {
	for i, r := range s {
		if forbiddenInText(r) {
			return Errorf(KindInvalid, field, "must not contain the control character U+%04X (at character %d); only tab and newline are allowed",
				r, utf8.RuneCountInString(s[:i])+1)
		}
	}
	return nil
}

// FormulaLike reports whether a spreadsheet would read s as a formula: it
// begins with '=', '+', '-', '@', tab or carriage return and is not a
// plain number such as -3 or +1.5. Exports neutralise such cells
// (report.SafeCell) and `targetwatch check` warns about plan text that
// begins so.
func FormulaLike(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '+', '-':
		return !unsignedNumber(s[1:])
	case '=', '@', '\t', '\r':
		return true
	}
	return false
}

// unsignedNumber reports whether s is digits with an optional fraction
// and exponent: "3", "1.5", ".5", "2.5e3".
func unsignedNumber(s string) bool {
	digits := func(i int) int {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	i := digits(0)
	n := i
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		n += j - i - 1
		i = j
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func forbiddenInText(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true
	}
	return r == 0x61c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// CheckPeriod validates the month a figure is for: inside the plan's
// reporting months and already begun as of now (a bureau cannot report a
// month that has not started). The error is an *Error with Field "period".
func (p *Plan) CheckPeriod(m Period, now time.Time) error {
	if m.Before(p.FirstPeriod()) || p.LastPeriod().Before(m) {
		return Errorf(KindInvalid, "period", "%s is outside the plan (%s to %s)", m, p.FirstPeriod(), p.LastPeriod())
	}
	if now.Before(m.Start(p.Location)) {
		return Errorf(KindInvalid, "period", "%s has not begun yet (as of %s)", m, now.In(p.Location).Format("2006-01-02"))
	}
	return nil
}

// LockedAt is the moment month m's figures lock for agencies: lockAfter
// past the report's due date. A lockAfter of zero or less never locks.
func (p *Plan) LockedAt(m Period, lockAfter time.Duration) (time.Time, bool) {
	if lockAfter <= 0 {
		return time.Time{}, false
	}
	return p.DueAt(m).Add(lockAfter), true
}

// IsLocked reports whether month m is locked for agencies as of now.
func (p *Plan) IsLocked(m Period, now time.Time, lockAfter time.Duration) bool {
	at, ok := p.LockedAt(m, lockAfter)
	return ok && !now.Before(at)
}

// PlausibilityWarning returns a warning about the value field when v is
// far outside what the target makes plausible, and nil otherwise; it is an
// *Error so that its message can be translated, not a refusal. It never blocks a figure: a
// bureau may know better, but a misplaced decimal point should be noticed.
// For a sum target the limit is three times the goal's monthly share; for
// levels (last, max, mean) it is three times the goal.
func (p *Plan) PlausibilityWarning(t *Target, v float64) *Error {
	if t.Kind == Milestone || t.Goal <= 0 {
		return nil
	}
	switch t.Aggregation {
	case Sum:
		months := t.DuePeriod().Index(p.FirstPeriod()) + 1
		if t.Due.IsZero() || months < 1 {
			months = len(p.Periods())
		}
		if months < 1 {
			return nil
		}
		share := t.Goal / float64(months)
		if v > plausibleFactor*share {
			return Errorf(KindInvalid, "value", "%s is more than %d× the goal's monthly share (%s of %s over %d months); stored, please check",
				FormatNumber(v), plausibleFactor, FormatNumber(math.Round(share*100)/100), FormatNumber(t.Goal), months)
		}
	case Last, Max, Mean:
		if v > plausibleFactor*t.Goal {
			return Errorf(KindInvalid, "value", "%s is more than %d× the goal (%s); stored, please check",
				FormatNumber(v), plausibleFactor, FormatNumber(t.Goal))
		}
	}
	return nil
}

// Problem is one located problem of a batch: Line is the CSV line, or the
// 1-based position of the report in a JSON batch.
type Problem struct {
	Line int
	Err  *Error
}

// Problems lists every bad row of a batch. A batch is all or nothing, so
// one bad row rejects it; the caller gets all of them at once.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "line %d: %s", p.Line, p.Err)
	}
	return b.String()
}

// Kind is the kind shared by every problem when they all are forbidden,
// locked or conflicting; otherwise the batch is KindInvalid.
func (ps Problems) Kind() ErrorKind {
	if len(ps) == 0 {
		return KindInvalid
	}
	k := ps[0].Err.Kind
	for _, p := range ps[1:] {
		if p.Err.Kind != k {
			return KindInvalid
		}
	}
	switch k {
	case KindForbidden, KindLocked, KindConflict:
		return k
	}
	return KindInvalid
}
