package plan

import (
	"fmt"
	"time"
)

// Period is one reporting month. The zero Period means "none".
type Period struct {
	Year  int
	Month time.Month
}

// PeriodOf returns the month containing t, read in t's own location.
func PeriodOf(t time.Time) Period { return Period{t.Year(), t.Month()} }

// ParsePeriod parses "YYYY-MM" strictly: four-digit year, two-digit month.
func ParsePeriod(s string) (Period, error) {
	if len(s) != 7 || s[4] != '-' {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM", s)
	}
	y, m := 0, 0
	for i, c := range s {
		if i == 4 {
			continue
		}
		if c < '0' || c > '9' {
			return Period{}, fmt.Errorf("period %q: want YYYY-MM", s)
		}
		if i < 4 {
			y = y*10 + int(c-'0')
		} else {
			m = m*10 + int(c-'0')
		}
	}
	if y < 1 || m < 1 || m > 12 {
		return Period{}, fmt.Errorf("period %q: month must be 01..12", s)
	}
	return Period{y, time.Month(m)}, nil
}

// String formats the period as "YYYY-MM".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.Year == 0 && p.Month == 0 }

// Next is the following month.
func (p Period) Next() Period {
	if p.Month == time.December {
		return Period{p.Year + 1, time.January}
	}
	return Period{p.Year, p.Month + 1}
}

// Prev is the preceding month.
func (p Period) Prev() Period {
	if p.Month == time.January {
		return Period{p.Year - 1, time.December}
	}
	return Period{p.Year, p.Month - 1}
}

// Before reports whether p is an earlier month than q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || (p.Year == q.Year && p.Month < q.Month)
}

// Index counts months from q to p: 0 when equal, negative when p is earlier.
func (p Period) Index(q Period) int {
	return (p.Year-q.Year)*12 + int(p.Month) - int(q.Month)
}

// Days is the number of days in the month, the weight of a Mean figure.
func (p Period) Days() int {
	return time.Date(p.Year, p.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Start is the first moment of the month in loc.
func (p Period) Start(loc *time.Location) time.Time {
	return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, loc)
}

// End is the first moment of the following month in loc.
func (p Period) End(loc *time.Location) time.Time { return p.Next().Start(loc) }

// MarshalText makes Period usable as a JSON string and map key.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses "YYYY-MM".
func (p *Period) UnmarshalText(b []byte) error {
	q, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}
