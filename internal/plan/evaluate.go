package plan

import (
	"math"
	"sort"
	"time"
)

// Evaluate computes where target t of plan p stands as of asOf, from revs,
// every stored revision of t's reports in any order. It is the one place the
// progress semantics live; the API, /metrics, the status page and reports
// all show what it returns. It does not retain revs.
//
// Known at asOf. Evaluate answers "what did we know at asOf": only the
// revisions received at or before asOf count (see Report.KnownAt), so a
// figure or a correction received later does not exist yet, and
// LastReport is never after asOf. A replay at a past instant (serve
// --as-of, report --as-of, backfill) therefore shows what a supervisor
// saw then, not a mix of then and now. Figures migrated from spreadsheets
// keep their original date as their received time, so they count from
// that date, not from the day they were imported.
//
// Figures. The current value of a month is its known revision with the
// highest Revision (the later one in revs on a tie). Only months from the
// plan's first month up to the target's due month count, and only months
// that have begun as of asOf.
//
// Out-of-bound figures. CheckValue refuses figures beyond MaxFigure, but a
// database written by an older version may hold any float (1e307 on a cap,
// 1.7e308 twice on a sum). Such a figure counts as ±MaxFigure, the nearest
// value a figure can have, and NaN (which SQLite cannot hold) as 0. A huge
// figure on a cap thus still reads as breached, and with every figure
// bounded, every sum, mean, trend and projection over a plan's months stays
// finite: Actual, Expected and Projected are never NaN or ±Inf for a plan
// that passes Validate.
//
// Evaluated months are the months m of the plan, up to the target's due
// month, whose report is due: p.DueAt(m) <= asOf. Progress.Evaluated is the
// last of them; k below is their number and N the number of months from the
// plan's first month to the target's due month (the plan's months for a
// target due at the plan's end).
//
// Actual, by aggregation, over the reported months:
//   - sum: the sum of the current values;
//   - last: the value of the latest reported month;
//   - mean: the mean of the reported monthly daily averages, each weighted
//     by its month's days (Period.Days);
//   - max: the largest value.
//
// A growth target (kind growth) aggregates like last: each month reports
// the cumulative year-on-year growth of the plan year so far (1–M月累计同比),
// so the latest reported month is the annual figure; it may be negative.
//
// HasActual is false when no month is reported.
//
// Expected is the trajectory's value at the end of the k-th month; for a
// growth target it is the goal itself at every evaluated month, since the
// cumulative growth must stay at the goal all year. An
// explicit Target.Trajectory is followed linearly between its points; it
// starts from 0 (a sum) or Baseline (otherwise) at the plan's start, and
// after its last point continues linearly to the goal at the end of the due
// month, because the goal is what must be met by then. Without a trajectory:
//   - milestones expect 0 until their due month is evaluated, then 1;
//   - caps (at_most) expect the cap itself, whatever the aggregation;
//   - zero_growth expects 0;
//   - at_least sum climbs in equal steps: goal·k/N;
//   - at_least last and max move linearly from Baseline to the goal:
//     Baseline + (goal−Baseline)·k/N;
//   - at_least mean is a floor on a daily rate that holds all year: the
//     goal.
//
// Projected is the figure expected at the deadline at the current pace,
// only with data. Once the due month is evaluated it is the actual itself,
// and for milestones it always is. Otherwise:
//   - sum: the run rate extended to N months, actual/s·N, where s is the
//     number of evaluated months, or up to the latest reported month if a
//     later month is already reported;
//   - last: the least-squares line through the reported levels (month
//     number, value) at the due month; the latest value when only one month
//     is reported;
//   - max: that line for the reported values, but never below the actual,
//     since a maximum cannot fall;
//   - mean: the current mean.
//
// A growth target projects its latest figure: a cumulative rate carries
// no trend worth extending.
//
// A projection of any other kind is never negative and never above 100
// for a percentage.
//
// Status (thresholds from p.Thresholds; a zero field falls back to
// DefaultThresholds):
//   - no_data when nothing is reported and no month is evaluated yet, for
//     every kind of target;
//   - milestones: achieved when the actual is 1; missed when the deadline
//     (the due month's report date) has passed; at_risk from 30 days
//     before Target.Due; otherwise on_track;
//   - at_least: achieved once the actual reaches the goal (95% of it for an
//     approximate target) — for a mean only once the deadline has passed,
//     because a yearly average reached in spring can still fall; missed
//     when the deadline has passed short of that; no_data when nothing is
//     reported for a non-sum target (a sum with nothing reported counts as
//     0); otherwise r = actual/expected gives on_track (r ≥ AtRisk),
//     at_risk (r ≥ OffTrack) or off_track, and on_track while nothing is
//     expected yet;
//   - at_most: no_data without reports (a missing report must not look like
//     a kept cap); breached above the goal; at_risk above CapWarning·goal;
//     otherwise on_track;
//   - zero_growth: no_data without reports; breached above 0; otherwise
//     on_track;
//   - growth: the figure meets the goal when it is at least the goal
//     (at_least) or at most the goal (at_most; goal −3 for 下降3%); an
//     approximate goal is loosened by 5% of its magnitude (6.5 左右 is met
//     at 6.175). The due month's figure (December's for a yearly plan)
//     decides: achieved when it meets the goal, missed when it falls
//     short, and missed too when the deadline passes without it. Before
//     that, the latest figure gives on_track when it meets the goal,
//     at_risk when it falls short by at most GrowthPoints percentage
//     points, off_track beyond; no_data before the first figure. Growth
//     targets have no ProgressRatio or ExpectedRatio (a share of a rate
//     means nothing); GapPoints, the figure minus the goal in percentage
//     points, takes their place.
//
// Threshold comparisons allow a relative rounding error of 1e-9, so a
// figure exactly at a threshold is not flipped by floating-point noise in
// the trajectory.
//
// Missing lists the evaluated months without a report, except that an
// achieved milestone owes no further reports. LastReport is the newest
// received time of the counted revisions, Corrections their number beyond
// the first of each month (the larger of the revision count and the highest
// revision number, minus one), Deadline is p.Deadline(t).
//
// Evaluate depends on asOf only through the instants listed by
// Boundaries and the received times of revs, so a progress computed at
// one moment stays valid until the next of them.
func Evaluate(p *Plan, t *Target, revs []Report, asOf time.Time) Progress {
	e := evaluation{p: p, t: t, first: p.FirstPeriod()}
	e.g = Progress{Plan: p, Target: t, Deadline: p.Deadline(t)}
	last := t.DuePeriod()
	if p.LastPeriod().Before(last) {
		last = p.LastPeriod()
	}
	e.n = last.Index(e.first) + 1
	if e.n < 1 {
		// A target due before the plan starts cannot be evaluated;
		// validation rejects it, so this only keeps the arithmetic safe.
		e.g.Status = NoData
		return e.g
	}
	asOf = asOf.In(p.Location)

	// The report for month m is due on DueDay of m+1, so the last due month
	// is the previous one once this month's DueDay has come, else the one
	// before that.
	cur := PeriodOf(asOf)
	ev := cur.Prev()
	if asOf.Before(p.DueAt(ev)) {
		ev = ev.Prev()
	}
	if last.Before(ev) {
		ev = last
	}
	e.k = max(ev.Index(e.first)+1, 0)
	if e.k > 0 {
		e.g.Evaluated = ev
	}
	e.deadlinePassed = e.k >= e.n
	e.milestone = t.Kind == Milestone || t.Direction == Complete
	e.growth = t.IsGrowth()

	upper := min(last.Index(e.first), cur.Index(e.first))
	if upper >= 0 {
		e.slots = make([]slot, upper+1)
	}
	for i := range revs {
		r := &revs[i]
		j := r.Period.Index(e.first)
		if j < 0 || j > upper || !r.KnownAt(asOf) {
			continue
		}
		s := &e.slots[j]
		s.count++
		if !s.has || r.Revision >= s.rev {
			s.has, s.value, s.rev = true, Bounded(r.Value), r.Revision
		}
		if r.Received.After(e.g.LastReport) {
			e.g.LastReport = r.Received
		}
	}

	e.actual()
	e.g.Expected = e.expected()
	if e.g.HasActual {
		e.g.HasProjected = true
		e.g.Projected = e.projected()
	}
	e.g.Status = e.status(asOf)
	if !(e.milestone && e.g.Status == Achieved) {
		for j := 0; j < e.k; j++ {
			if j >= len(e.slots) || !e.slots[j].has {
				e.g.Missing = append(e.g.Missing, e.first.add(j))
			}
		}
	}
	return e.g
}

// Bounded is v as evaluation counts a stored figure: clamped to
// ±MaxFigure, and 0 for NaN. See Evaluate.
func Bounded(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return max(-MaxFigure, min(MaxFigure, v))
}

// slot is the current revision of one month.
type slot struct {
	has   bool
	value float64
	rev   int // highest revision number seen
	count int // revisions seen
}

// evaluation is the working state of one Evaluate call.
type evaluation struct {
	p     *Plan
	t     *Target
	g     Progress
	first Period
	// n months from the plan's first month to the target's due month; k of
	// them evaluated.
	n, k           int
	deadlinePassed bool
	milestone      bool
	growth         bool
	slots          []slot // months from first up to the last in scope
	latest         int    // index of the latest reported month, -1 if none
}

// add returns the month i months after p.
func (p Period) add(i int) Period {
	m := p.Year*12 + int(p.Month) - 1 + i
	return Period{m / 12, time.Month(m%12 + 1)}
}

func (e *evaluation) actual() {
	var sum, weighted, days, maxV float64
	e.latest = -1
	for j := range e.slots {
		s := &e.slots[j]
		if !s.has {
			continue
		}
		e.g.Corrections += max(s.count, s.rev) - 1
		v := s.value
		sum += v
		d := float64(e.first.add(j).Days())
		weighted += v * d
		days += d
		if e.latest < 0 || v > maxV {
			maxV = v
		}
		e.latest = j
	}
	if e.latest < 0 {
		return
	}
	e.g.HasActual = true
	switch {
	case e.growth || e.t.Aggregation == Last:
		e.g.Actual = e.slots[e.latest].value
	case e.t.Aggregation == Mean:
		e.g.Actual = weighted / days
	case e.t.Aggregation == Max:
		e.g.Actual = maxV
	default:
		e.g.Actual = sum
	}
}

func (e *evaluation) expected() float64 {
	t := e.t
	if e.growth {
		return t.Goal
	}
	if len(t.Trajectory) > 0 {
		return e.trajectoryAt(e.k)
	}
	switch {
	case e.milestone:
		if e.deadlinePassed {
			return 1
		}
		return 0
	case t.Direction == AtMost:
		return t.Goal
	case t.Direction == ZeroGrowth:
		return 0
	}
	switch t.Aggregation {
	case Sum:
		return t.Goal * float64(e.k) / float64(e.n)
	case Mean:
		return t.Goal
	default:
		return t.Baseline + (t.Goal-t.Baseline)*float64(e.k)/float64(e.n)
	}
}

// trajectoryAt interpolates the explicit trajectory at the end of the k-th
// month. x counts months from the plan's start, so a point for month m
// sits at m's index + 1.
func (e *evaluation) trajectoryAt(k int) float64 {
	type pt struct{ x, y float64 }
	start := e.t.Baseline
	if e.t.Aggregation == Sum {
		start = 0
	}
	pts := make([]pt, 0, len(e.t.Trajectory)+2)
	pts = append(pts, pt{0, start})
	for _, q := range e.t.Trajectory {
		pts = append(pts, pt{float64(q.Period.Index(e.first) + 1), q.Value})
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
	if pts[len(pts)-1].x < float64(e.n) {
		pts = append(pts, pt{float64(e.n), e.t.Goal})
	}
	x := float64(k)
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if x <= b.x {
			if b.x == a.x {
				return b.y
			}
			return a.y + (b.y-a.y)*(x-a.x)/(b.x-a.x)
		}
	}
	return pts[len(pts)-1].y
}

func (e *evaluation) projected() float64 {
	t, actual := e.t, e.g.Actual
	if e.deadlinePassed || e.milestone || e.growth {
		return actual
	}
	var v float64
	switch t.Aggregation {
	case Mean:
		v = actual
	case Last:
		v = e.trend()
	case Max:
		v = max(actual, e.trend())
	default:
		span := max(e.k, e.latest+1)
		v = actual / float64(span) * float64(e.n)
	}
	if v < 0 {
		v = 0
	}
	if t.IsPercent() && v > 100 {
		v = 100
	}
	return v
}

// trend is the least-squares line through the reported values, at the end
// of the due month; the latest value when only one month is reported.
func (e *evaluation) trend() float64 {
	var sx, sy, sxx, sxy, cnt float64
	for j := range e.slots {
		if !e.slots[j].has {
			continue
		}
		x, y := float64(j+1), e.slots[j].value
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
		cnt++
	}
	den := cnt*sxx - sx*sx
	if cnt < 2 || den == 0 {
		return e.slots[e.latest].value
	}
	slope := (cnt*sxy - sx*sy) / den
	icept := (sy - slope*sx) / cnt
	return icept + slope*float64(e.n)
}

// atLeast reports a >= b, tolerating relative rounding noise of 1e-9.
func atLeast(a, b float64) bool {
	return a >= b || b-a <= 1e-9*math.Abs(b)
}

// above reports a > b beyond relative rounding noise of 1e-9.
func above(a, b float64) bool { return !atLeast(b, a) }

func (e *evaluation) status(asOf time.Time) Status {
	t, g := e.t, &e.g
	th := e.p.Thresholds
	d := DefaultThresholds
	if th.AtRisk <= 0 {
		th.AtRisk = d.AtRisk
	}
	if th.OffTrack <= 0 {
		th.OffTrack = d.OffTrack
	}
	if th.CapWarning <= 0 {
		th.CapWarning = d.CapWarning
	}
	if th.GrowthPoints <= 0 {
		th.GrowthPoints = d.GrowthPoints
	}
	if !g.HasActual && e.k == 0 {
		return NoData
	}
	switch {
	case e.growth:
		return e.growthStatus(th.GrowthPoints)
	case e.milestone:
		switch {
		case g.HasActual && atLeast(g.Actual, 1):
			return Achieved
		case e.deadlinePassed:
			return Missed
		case !asOf.Before(MilestoneAtRiskFrom(t)):
			return AtRisk
		}
		return OnTrack
	case t.Direction == AtMost:
		switch {
		case !g.HasActual:
			return NoData
		case above(g.Actual, t.Goal):
			return Breached
		case above(g.Actual, th.CapWarning*t.Goal):
			return AtRisk
		}
		return OnTrack
	case t.Direction == ZeroGrowth:
		switch {
		case !g.HasActual:
			return NoData
		case g.Actual > 0:
			return Breached // any increase at all, however small
		}
		return OnTrack
	}
	need := t.Goal
	if t.Approximate {
		need = t.Goal * ApproximateShare
	}
	reached := g.HasActual && atLeast(g.Actual, need)
	if reached && (t.Aggregation != Mean || e.deadlinePassed) {
		return Achieved
	}
	if e.deadlinePassed {
		return Missed
	}
	if !g.HasActual && t.Aggregation != Sum {
		return NoData
	}
	if g.Expected <= 0 {
		return OnTrack
	}
	r := g.Actual / g.Expected
	switch {
	case atLeast(r, th.AtRisk):
		return OnTrack
	case atLeast(r, th.OffTrack):
		return AtRisk
	}
	return OffTrack
}

// growthStatus is the status of a growth target; see Evaluate.
func (e *evaluation) growthStatus(points float64) Status {
	t, g := e.t, &e.g
	if due := e.n - 1; due < len(e.slots) && e.slots[due].has {
		if GrowthShortfall(t, e.slots[due].value) > 0 {
			return Missed
		}
		return Achieved
	}
	switch {
	case e.deadlinePassed:
		return Missed
	case !g.HasActual:
		return NoData
	}
	short := GrowthShortfall(t, g.Actual)
	switch {
	case short <= 0:
		return OnTrack
	case short <= points*(1+1e-9):
		return AtRisk
	}
	return OffTrack
}

// GrowthShortfall is how many percentage points figure v of growth target
// t falls short of the goal (loosened by 5% of its magnitude when
// approximate); zero or less when v meets it. Differences below 1e-9
// points are rounding noise and count as meeting the goal.
func GrowthShortfall(t *Target, v float64) float64 {
	need := t.Goal
	if t.Approximate {
		need -= (1 - ApproximateShare) * math.Abs(t.Goal) * growthSign(t)
	}
	short := (need - v) * growthSign(t)
	if short <= 1e-9 {
		return 0
	}
	return short
}

// growthSign is +1 when more growth is better (at_least), −1 for a fall
// (at_most).
func growthSign(t *Target) float64 {
	if t.Direction == AtMost {
		return -1
	}
	return 1
}

// ApproximateShare is the share of the goal at which an approximate target
// (左右, 约, 基本) counts as achieved.
const ApproximateShare = 0.95

// MilestoneAtRiskFrom is the moment an unfinished milestone becomes at risk:
// 30 days (calendar days in the plan's zone) before its due date.
func MilestoneAtRiskFrom(t *Target) time.Time { return t.Due.AddDate(0, 0, -30) }

// Boundaries lists, in order and without duplicates, every instant at
// which Evaluate may give a different result for some target
// of p with the same revisions: the due moments of the plan's months, the
// first moment of each month (figures of months not yet begun are ignored)
// and the moments milestones become at risk. The received times of the
// revisions are the only other such instants (a revision counts from the
// moment it was received); a tracker rebuilds at these and nowhere else.
func Boundaries(p *Plan) []time.Time {
	var out []time.Time
	for m := p.FirstPeriod(); !p.LastPeriod().Before(m); m = m.Next() {
		out = append(out, m.Start(p.Location), p.DueAt(m))
	}
	for i := range p.Targets {
		t := &p.Targets[i]
		if t.Kind == Milestone || t.Direction == Complete {
			out = append(out, MilestoneAtRiskFrom(t))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	uniq := out[:0]
	for i, b := range out {
		if i == 0 || !b.Equal(uniq[len(uniq)-1]) {
			uniq = append(uniq, b)
		}
	}
	return uniq
}

// NextBoundary returns the first of bounds (as from Boundaries) after
// asOf, and false when there is none.
func NextBoundary(bounds []time.Time, asOf time.Time) (time.Time, bool) {
	i := sort.Search(len(bounds), func(i int) bool { return bounds[i].After(asOf) })
	if i == len(bounds) {
		return time.Time{}, false
	}
	return bounds[i], true
}

// EvaluateEach calls at with Evaluate(p, t, revs, instants[k]) for every
// instant, in order; instants must be ascending and bounds must be
// Boundaries(p). Since Evaluate changes only at those boundaries and at
// the received times of revs, it evaluates once per stretch between them
// and hands the same Progress to the instants inside: a year of hourly
// samples of one target costs a few dozen evaluations, not 8,760. The
// Progress passed to at is valid only during the call.
func EvaluateEach(p *Plan, t *Target, revs []Report, instants, bounds []time.Time, at func(k int, g *Progress)) {
	recv := make([]time.Time, 0, len(revs))
	for i := range revs {
		if !revs[i].Received.IsZero() {
			recv = append(recv, revs[i].Received)
		}
	}
	sort.Slice(recv, func(i, j int) bool { return recv[i].Before(recv[j]) })
	var g Progress
	bi, ri := -1, -1 // how many bounds and received times were <= the last evaluated instant
	for k, asOf := range instants {
		nb := sort.Search(len(bounds), func(i int) bool { return bounds[i].After(asOf) })
		nr := sort.Search(len(recv), func(i int) bool { return recv[i].After(asOf) })
		if nb != bi || nr != ri {
			g = Evaluate(p, t, revs, asOf)
			bi, ri = nb, nr
		}
		at(k, &g)
	}
}
