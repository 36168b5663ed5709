// Package plan is the domain model of targetwatch: a work plan, its
// agencies and numeric targets, the monthly reports bureaus submit, and the
// pure functions that turn reports into progress and status.
//
// It depends on the standard library only. Storage, HTTP, metrics and the
// generators adapt it; they meet each other only through the types here.
package plan

import (
	"fmt"
	"math"
	"regexp"
	"time"
)

// Plan is one government work plan: the period it covers and every numeric
// commitment in it.
type Plan struct {
	ID      string
	Title   string // Chinese title, as published
	TitleEN string

	// Source is the path of the plan document the quotes are taken from,
	// relative to the targets file.
	Source string

	// Timezone names Location; periods, due dates and deadlines are all
	// computed in it (Asia/Shanghai for a Chinese district).
	Timezone string
	Location *time.Location

	// Start and End are the first and last day of the plan, at midnight in
	// Location. Reporting months run from Start's month to End's month.
	Start, End time.Time

	// Frequency is the reporting frequency; only "monthly" exists today.
	Frequency string
	// DueDay is the day of month M+1 on which the report for month M is due.
	DueDay int

	Thresholds Thresholds

	Agencies []Agency
	Targets  []Target

	// Ignored lists numeric phrases of the source document that are
	// deliberately not targets, so the coverage audit can tell an omission
	// from a decision.
	Ignored []Ignored
}

// Thresholds decide between on_track, at_risk and off_track.
type Thresholds struct {
	// AtRisk: an at_least target whose actual/expected falls below this is
	// at risk (default 1.0).
	AtRisk float64
	// OffTrack: below this it is off track (default 0.9).
	OffTrack float64
	// CapWarning: a cap whose actual exceeds this share of the cap is at
	// risk (default 0.95).
	CapWarning float64
	// GrowthPoints: a growth target whose latest figure falls short of the
	// goal by at most this many percentage points is at risk, beyond it
	// off track (default 1.0).
	GrowthPoints float64
}

// DefaultThresholds are used where targets.yaml sets none.
var DefaultThresholds = Thresholds{AtRisk: 1.0, OffTrack: 0.9, CapWarning: 0.95, GrowthPoints: 1.0}

// DefaultDueDay is the day of the following month a monthly report is due.
const DefaultDueDay = 10

// Agency is a bureau responsible for targets. The plan document names no
// agencies, so the assignment is an assumption and says so.
type Agency struct {
	ID      string
	Name    string // Chinese name, e.g. 区水务局
	NameEN  string
	Assumed bool
}

// Ignored is a numeric phrase of the plan that is deliberately not a target.
type Ignored struct {
	Item   string
	Text   string // the phrase as the extractor reports it
	Reason string
}

// Kind separates measured quantities from dated yes/no milestones and
// year-on-year growth rates.
type Kind string

// Kinds of target.
const (
	Quantity  Kind = "quantity"
	Milestone Kind = "milestone"
	// Growth is a year-on-year growth rate in percent (地区生产总值增长6.5%):
	// each month reports the cumulative growth of the year so far, which
	// may be negative, and the goal is a rate, not an amount to accumulate.
	Growth Kind = "growth"
)

// Direction says which side of the goal is good.
type Direction string

// Directions of target.
const (
	AtLeast    Direction = "at_least"    // reach at least Goal
	AtMost     Direction = "at_most"     // stay at or under Goal (a cap)
	ZeroGrowth Direction = "zero_growth" // no increase at all; Goal is 0
	Complete   Direction = "complete"    // a milestone: done (1) by its due date
)

// Aggregation says how monthly figures make the annual figure.
type Aggregation string

// Aggregations of monthly figures.
const (
	Sum  Aggregation = "sum"  // monthly increments add up
	Last Aggregation = "last" // each month reports a level; the latest counts
	Mean Aggregation = "mean" // each month reports its daily average; day-weighted mean
	Max  Aggregation = "max"  // the largest reported value counts
)

// Kinds, Directions and Aggregations list the valid values, in a stable
// order, for validation messages and documentation.
var (
	Kinds        = []Kind{Quantity, Milestone, Growth}
	Directions   = []Direction{AtLeast, AtMost, ZeroGrowth, Complete}
	Aggregations = []Aggregation{Sum, Last, Mean, Max}
)

// Target is one numeric commitment of the plan, or one dated milestone.
type Target struct {
	ID      string // slug: label value, URL segment and dashboard uid
	Item    string // plan item number, e.g. "10.2"
	Title   string // Chinese
	TitleEN string
	Quote   string // verbatim fragment of the source document
	Agency  string // Agency.ID: the lead agency (牵头单位), the only one that writes

	// CoAgencies are the co-responsible agencies (配合单位), sorted: they
	// see the target as theirs but do not report it.
	CoAgencies []string

	Kind        Kind
	Direction   Direction
	Aggregation Aggregation

	Goal   float64
	Unit   string // Chinese unit, e.g. 条段, 吨/日, %
	UnitEN string

	// Approximate targets (左右, 约, 基本) count as achieved at 95% of Goal.
	Approximate bool

	// Due is the last day by which the goal must be met, at midnight in the
	// plan's Location; the plan's End when targets.yaml gives none.
	Due time.Time

	// Baseline is the starting level of a Last target (0 when unset).
	Baseline    float64
	HasBaseline bool

	// Trajectory, when set, overrides the default expected path: planned
	// cumulative values at the end of the given months, in month order.
	Trajectory []Point
}

// Point is a planned value at the end of a month.
type Point struct {
	Period Period
	Value  float64
}

// IsPercent reports whether the target is measured in percent, which bounds
// its goal and reported values to 0..100 (except for a growth rate).
func (t *Target) IsPercent() bool { return t.Unit == "%" }

// IsGrowth reports whether the target is a growth rate, whose figures may
// be negative and exceed 100 and which has no ratios.
func (t *Target) IsGrowth() bool { return t.Kind == Growth }

// HasCoAgency reports whether agency is one of the target's co-agencies.
func (t *Target) HasCoAgency(agency string) bool {
	for _, a := range t.CoAgencies {
		if a == agency {
			return true
		}
	}
	return false
}

// idPattern is deliberately narrow: ids become Prometheus label values, URL
// segments and Grafana uids (at most 40 characters).
var idPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// ValidID reports whether s may be used as a target or agency id.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Target returns the target with the given id.
func (p *Plan) Target(id string) (*Target, bool) {
	for i := range p.Targets {
		if p.Targets[i].ID == id {
			return &p.Targets[i], true
		}
	}
	return nil, false
}

// Agency returns the agency with the given id.
func (p *Plan) Agency(id string) (*Agency, bool) {
	for i := range p.Agencies {
		if p.Agencies[i].ID == id {
			return &p.Agencies[i], true
		}
	}
	return nil, false
}

// FirstPeriod and LastPeriod bound the plan's reporting months.
func (p *Plan) FirstPeriod() Period { return PeriodOf(p.Start) }

// LastPeriod is the plan's final reporting month.
func (p *Plan) LastPeriod() Period { return PeriodOf(p.End) }

// Phase is where a moment falls in the plan period.
type Phase int

// Phases of a plan period.
const (
	During   Phase = iota // from Start to the end of End's day
	NotBegun              // before Start: nothing is due yet
	Ended                 // after End's day: every status is final
)

// PhaseAt says whether now is before, in or after the plan period. A
// first run on a plan year long past shows every late target red; the
// service says why (see ReplayDay).
func (p *Plan) PhaseAt(now time.Time) Phase {
	switch {
	case now.Before(p.Start):
		return NotBegun
	case !now.Before(p.End.AddDate(0, 0, 1)):
		return Ended
	}
	return During
}

// ReplayDay is a day to pass to --as-of to see the plan in motion: the
// plan's last day when it has ended, its first when it has not begun.
func (p *Plan) ReplayDay(ph Phase) string {
	if ph == NotBegun {
		return p.Start.Format(time.DateOnly)
	}
	return p.End.Format(time.DateOnly)
}

// Periods lists every reporting month of the plan in order.
func (p *Plan) Periods() []Period {
	var out []Period
	for m := p.FirstPeriod(); !p.LastPeriod().Before(m); m = m.Next() {
		out = append(out, m)
	}
	return out
}

// DueAt is the moment the report for month m becomes due: midnight at the
// start of DueDay in month m+1, in the plan's time zone.
func (p *Plan) DueAt(m Period) time.Time {
	n := m.Next()
	return time.Date(n.Year, n.Month, p.DueDay, 0, 0, 0, 0, p.Location)
}

// DuePeriod is the reporting month that contains the target's due date.
func (t *Target) DuePeriod() Period { return PeriodOf(t.Due) }

// Deadline is when the report that proves the target met is due.
func (p *Plan) Deadline(t *Target) time.Time { return p.DueAt(t.DuePeriod()) }

// Validate checks the invariants every other package relies on. planfile
// reports problems with file positions; this is the last line of defence
// for plans built in code.
func (p *Plan) Validate() error {
	if p.Location == nil {
		return fmt.Errorf("plan %q: no time zone", p.ID)
	}
	if p.DueDay < 1 || p.DueDay > 28 {
		return fmt.Errorf("plan %q: due_day %d outside 1..28", p.ID, p.DueDay)
	}
	if !p.Start.Before(p.End) {
		return fmt.Errorf("plan %q: start is not before end", p.ID)
	}
	agencies := make(map[string]bool, len(p.Agencies))
	for _, a := range p.Agencies {
		agencies[a.ID] = true
	}
	seen := make(map[string]bool, len(p.Targets))
	for _, t := range p.Targets {
		if !ValidID(t.ID) {
			return fmt.Errorf("target %q: invalid id", t.ID)
		}
		if seen[t.ID] {
			return fmt.Errorf("target %q: duplicate id", t.ID)
		}
		seen[t.ID] = true
		if !agencies[t.Agency] {
			return fmt.Errorf("target %q: unknown agency %q", t.ID, t.Agency)
		}
		for _, a := range t.CoAgencies {
			if !agencies[a] || a == t.Agency {
				return fmt.Errorf("target %q: co-agency %q is unknown or the lead agency", t.ID, a)
			}
		}
		if err := checkFigures(&t); err != nil {
			return fmt.Errorf("target %q: %w", t.ID, err)
		}
	}
	return nil
}

// checkFigures bounds a target's own figures like reported ones, so that
// evaluation, which divides by the goal and interpolates the trajectory,
// stays finite.
func checkFigures(t *Target) error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.Abs(v) > MaxFigure }
	switch {
	case bad(t.Goal):
		return fmt.Errorf("goal %s is not a number of at most %s in magnitude", FormatNumber(t.Goal), FormatNumber(MaxFigure))
	case bad(t.Baseline):
		return fmt.Errorf("baseline %s is not a number of at most %s in magnitude", FormatNumber(t.Baseline), FormatNumber(MaxFigure))
	}
	for _, q := range t.Trajectory {
		if bad(q.Value) {
			return fmt.Errorf("trajectory %s: %s is not a number of at most %s in magnitude", q.Period, FormatNumber(q.Value), FormatNumber(MaxFigure))
		}
	}
	return nil
}
