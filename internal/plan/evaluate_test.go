package plan

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("Asia/Shanghai", 8*3600)
	}
	return loc
}()

// evalPlan is a calendar-year 2019 plan with default thresholds and reports
// due on the 10th, like the Jiading plan.
func evalPlan() *Plan {
	return &Plan{
		ID:         "test",
		Timezone:   "Asia/Shanghai",
		Location:   shanghai,
		Start:      time.Date(2019, 1, 1, 0, 0, 0, 0, shanghai),
		End:        time.Date(2019, 12, 31, 0, 0, 0, 0, shanghai),
		Frequency:  "monthly",
		DueDay:     10,
		Thresholds: DefaultThresholds,
		Agencies:   []Agency{{ID: "water", Name: "区水务局"}},
	}
}

// day is midnight of YYYY-MM-DD in Shanghai.
func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func per(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// rep is the first revision of a month's figure.
func rep(period string, v float64) Report {
	return Report{Target: "t", Period: per(period), Value: v, Revision: 1, Received: per(period).End(shanghai).Add(24 * time.Hour)}
}

// fix is a correction: revision rev of a month's figure.
func fix(period string, v float64, rev int) Report {
	r := rep(period, v)
	r.Revision = rev
	r.Received = r.Received.Add(time.Duration(rev) * 24 * time.Hour)
	return r
}

// receivedOn is r received at midnight of day instead of after its month.
func receivedOn(r Report, d string) Report {
	r.Received = day(d)
	return r
}

// months reports v for each month from January to the given one.
func months(through int, v float64) []Report {
	var out []Report
	for m := 1; m <= through; m++ {
		out = append(out, rep(fmt.Sprintf("2019-%02d", m), v))
	}
	return out
}

func target(dir Direction, agg Aggregation, goal float64, opts ...func(*Target)) Target {
	t := Target{ID: "t", Agency: "water", Kind: Quantity, Direction: dir, Aggregation: agg, Goal: goal, Due: day("2019-12-31")}
	for _, o := range opts {
		o(&t)
	}
	return t
}

func approximate(t *Target) { t.Approximate = true }
func baseline(b float64) func(*Target) {
	return func(t *Target) { t.Baseline, t.HasBaseline = b, true }
}
func percent(t *Target)          { t.Unit = "%" }
func due(s string) func(*Target) { return func(t *Target) { t.Due = day(s) } }
func trajectory(pts ...Point) func(*Target) {
	return func(t *Target) { t.Trajectory = pts }
}

func milestone(dueDate string) Target {
	return Target{ID: "t", Agency: "water", Kind: Milestone, Direction: Complete, Aggregation: Last, Goal: 1, Due: day(dueDate)}
}

// Mid-year: as of 10 July, January to June are evaluated (k=6 of 12).
const midYear = "2019-07-10"

func TestEvaluateStatus(t *testing.T) {
	sum120 := target(AtLeast, Sum, 120) // expects 60 at mid-year
	last50 := target(AtLeast, Last, 50, baseline(20), percent)
	floor := target(AtLeast, Mean, 330)
	max100 := target(AtLeast, Max, 100)
	capMean := target(AtMost, Mean, 1743)
	capSum := target(AtMost, Sum, 100)
	capLast := target(AtMost, Last, 10)
	capMax := target(AtMost, Max, 10)
	zero := target(ZeroGrowth, Sum, 0)
	approx := target(AtLeast, Sum, 200, approximate)
	traj := target(AtLeast, Sum, 329, trajectory(Point{per("2019-06"), 150}))
	june := milestone("2019-06-30") // deadline 10 July, at risk from 31 May

	tests := []struct {
		name   string
		target Target
		revs   []Report
		asOf   string
		want   Status
	}{
		// at_least sum: expected 60 at mid-year.
		{"a sum exactly on its expected value is on track", sum120, months(6, 10), midYear, OnTrack},
		{"a sum just under its expected value is at risk", sum120, append(months(5, 10), rep("2019-06", 9.9)), midYear, AtRisk},
		{"a sum at exactly 90% of expected is still at risk", sum120, append(months(5, 10), rep("2019-06", 4)), midYear, AtRisk},
		{"a sum just under 90% of expected is off track", sum120, append(months(5, 10), rep("2019-06", 3.9)), midYear, OffTrack},
		{"a sum that reaches its goal mid-year is achieved", sum120, append(months(5, 10), rep("2019-06", 70)), midYear, Achieved},
		{"a sum just short of its goal mid-year is only on track", sum120, append(months(5, 10), rep("2019-06", 69.9)), midYear, OnTrack},
		{"a sum with nothing reported while months are evaluated counts as zero: off track", sum120, nil, midYear, OffTrack},
		{"a sum with nothing reported and nothing evaluated has no data", sum120, nil, "2019-02-09", NoData},
		{"a sum reported before its first report is due is on track, nothing being expected yet", sum120, months(1, 1), "2019-02-09", OnTrack},
		{"a sum short of its goal once the deadline's report is due is missed", sum120, months(12, 9.99), "2020-01-10", Missed},
		{"a sum at its goal once the deadline's report is due is achieved", sum120, months(12, 10), "2020-01-10", Achieved},
		{"a sum short of its goal the day before the deadline is still judged by pace", sum120, months(11, 10), "2020-01-09", OnTrack},
		{"a sum with nothing reported after the deadline is missed", sum120, nil, "2020-01-10", Missed},
		{"the day before July's report is due only five months are expected", sum120, months(5, 10),
			"2019-07-09", OnTrack},

		// Mid-year corrections change the status the moment they count.
		{"a correction downwards makes an on-track sum off track", sum120,
			append(months(6, 10), fix("2019-03", 4, 2), fix("2019-04", 0, 2)), midYear, OffTrack},
		{"a correction listed before the revision it replaces still wins", sum120,
			append([]Report{fix("2019-03", 4, 2), fix("2019-04", 0, 2)}, months(6, 10)...), midYear, OffTrack},
		{"a correction upwards makes an off-track sum on track", sum120,
			append(months(6, 5), fix("2019-06", 35, 2)), midYear, OnTrack},

		// Approximate targets count as achieved at 95% of the goal.
		{"an approximate target at 95% of its goal is achieved", approx, months(6, 190.0/6), midYear, Achieved},
		{"an approximate target just under 95% of its goal is not achieved", approx, append(months(5, 30), rep("2019-06", 39.9)), midYear, OnTrack},
		{"an approximate target at 95% after the deadline is achieved, not missed", approx, months(12, 190.0/12), "2020-01-10", Achieved},
		{"an approximate target just under 95% after the deadline is missed", approx, append(months(11, 15.8), rep("2019-12", 16)), "2020-01-10", Missed},

		// Explicit trajectory: 150 by June, then on to 329 by December.
		{"a trajectory target at its planned point is on track", traj, months(6, 25), midYear, OnTrack},
		{"a trajectory target just under its planned point is at risk", traj, append(months(5, 25), rep("2019-06", 24.9)), midYear, AtRisk},
		{"a trajectory target at 90% of its planned point is at risk", traj, append(months(5, 25), rep("2019-06", 10)), midYear, AtRisk},
		{"a trajectory target under 90% of its planned point is off track", traj, append(months(5, 25), rep("2019-06", 9.9)), midYear, OffTrack},
		{"a trajectory target behind the default path but on its own is on track", traj,
			months(3, 27), "2019-04-10", OnTrack}, // the default path would expect 82.25, the trajectory 75

		// at_least last: baseline 20 to 50, expected 35 at mid-year.
		{"a level exactly on its expected value is on track", last50, []Report{rep("2019-06", 35)}, midYear, OnTrack},
		{"a level just under its expected value is at risk", last50, []Report{rep("2019-06", 34.9)}, midYear, AtRisk},
		{"a level at exactly 90% of expected is at risk", last50, []Report{rep("2019-06", 31.5)}, midYear, AtRisk},
		{"a level just under 90% of expected is off track", last50, []Report{rep("2019-06", 31.4)}, midYear, OffTrack},
		{"a level counts its latest month, not its best", last50, []Report{rep("2019-01", 49), rep("2019-06", 30)}, midYear, OffTrack},
		{"a level that reaches its goal is achieved", last50, []Report{rep("2019-05", 50)}, midYear, Achieved},
		{"a level with nothing reported while months are evaluated has no data", last50, nil, midYear, NoData},
		{"a level short of its goal after the deadline is missed", last50, []Report{rep("2019-12", 49.9)}, "2020-01-10", Missed},

		// at_least mean: a floor on a daily rate, expected to hold all year.
		{"a floor exactly at its goal is on track, not yet achieved", floor, months(6, 330), midYear, OnTrack},
		{"a floor just under its goal is at risk", floor, months(6, 329.9), midYear, AtRisk},
		{"a floor at exactly 90% of its goal is at risk", floor, months(6, 297), midYear, AtRisk},
		{"a floor just under 90% of its goal is off track", floor, months(6, 296.9), midYear, OffTrack},
		{"a floor held all year is achieved after the deadline", floor, months(12, 330), "2020-01-10", Achieved},
		{"a floor missed on the year is missed after the deadline", floor, months(12, 329), "2020-01-10", Missed},
		{"a floor met only when weighted by days is on track", floor,
			// Unweighted 329.5; weighted (28·319+31·340)/59 = 330.03.
			[]Report{rep("2019-02", 319), rep("2019-03", 340)}, "2019-04-10", OnTrack},
		{"a floor met only unweighted is at risk", floor,
			// Unweighted 330; weighted (28·341+31·319)/59 = 329.44.
			[]Report{rep("2019-02", 341), rep("2019-03", 319)}, "2019-04-10", AtRisk},

		// at_least max: linear from 0 to 100, 50 expected at mid-year.
		{"a maximum counts the best month", max100, []Report{rep("2019-02", 60), rep("2019-06", 40)}, midYear, OnTrack},
		{"a maximum under 90% of expected is off track", max100, []Report{rep("2019-02", 44.9), rep("2019-06", 40)}, midYear, OffTrack},
		{"a maximum that reaches the goal is achieved", max100, []Report{rep("2019-02", 100), rep("2019-06", 40)}, midYear, Achieved},
		{"a maximum with nothing reported has no data", max100, nil, midYear, NoData},

		// Caps: breached above the goal, at risk above 95% of it.
		{"a mean cap exactly at the cap is at risk, not breached", capMean, months(6, 1743), midYear, AtRisk},
		{"a mean cap just above the cap is breached", capMean, months(6, 1743.01), midYear, Breached},
		{"a mean cap exactly at the warning share is on track", capMean, months(6, 1655.85), midYear, OnTrack},
		{"a mean cap just above the warning share is at risk", capMean, months(6, 1656), midYear, AtRisk},
		{"a mean cap is breached when weighted by days, though not unweighted", capMean,
			// Unweighted (1800+1686)/2 = 1743; weighted (31·1800+28·1686)/59 = 1745.9.
			[]Report{rep("2019-01", 1800), rep("2019-02", 1686)}, "2019-03-10", Breached},
		{"a mean cap with nothing reported has no data, not on track", capMean, nil, midYear, NoData},
		{"a mean cap kept all year stays on track after the deadline", capMean, months(12, 1600), "2020-01-10", OnTrack},
		{"a sum cap above the cap is breached", capSum, months(6, 17), midYear, Breached},
		{"a sum cap at the cap is at risk", capSum, append(months(5, 17), rep("2019-06", 15)), midYear, AtRisk},
		{"a sum cap at 95% is on track", capSum, append(months(5, 15), rep("2019-06", 20)), midYear, OnTrack},
		{"a sum cap above 95% is at risk", capSum, append(months(5, 15), rep("2019-06", 20.1)), midYear, AtRisk},
		{"a level cap above the cap is breached", capLast, []Report{rep("2019-01", 5), rep("2019-06", 10.5)}, midYear, Breached},
		{"a level cap back under the cap is on track", capLast, []Report{rep("2019-01", 12), rep("2019-06", 9)}, midYear, OnTrack},
		{"a maximum cap once above the cap stays breached", capMax, []Report{rep("2019-01", 12), rep("2019-06", 9)}, midYear, Breached},
		{"a maximum cap at 95% is on track", capMax, []Report{rep("2019-01", 9.5)}, midYear, OnTrack},
		{"a maximum cap above 95% is at risk", capMax, []Report{rep("2019-01", 9.6)}, midYear, AtRisk},

		// zero_growth.
		{"zero growth with nothing added is on track", zero, months(6, 0), midYear, OnTrack},
		{"zero growth with anything added is breached", zero, append(months(5, 0), rep("2019-06", 0.01)), midYear, Breached},
		{"zero growth with nothing reported has no data", zero, nil, midYear, NoData},
		{"zero growth kept all year stays on track after the deadline", zero, months(12, 0), "2020-01-10", OnTrack},
		{"zero growth corrected from 1 to 0 is on track again", zero, []Report{rep("2019-03", 1), fix("2019-03", 0, 2)}, midYear, OnTrack},

		// Milestones due 30 June: deadline 10 July, at risk from 31 May.
		{"a milestone reported done is achieved", june, []Report{rep("2019-03", 1)}, "2019-04-10", Achieved},
		{"a milestone reported done after its deadline is achieved", june, []Report{rep("2019-06", 0), fix("2019-06", 1, 2)}, "2019-08-01", Achieved},
		{"a milestone not done when its deadline's report is due is missed", june, []Report{rep("2019-06", 0)}, midYear, Missed},
		{"a milestone never reported is missed after its deadline", june, nil, midYear, Missed},
		{"a milestone not done the day before its deadline is at risk", june, []Report{rep("2019-06", 0)}, "2019-07-09", AtRisk},
		{"a milestone not done 30 days before its due date is at risk", june, months(4, 0), "2019-05-31", AtRisk},
		{"a milestone not done 31 days before its due date is on track", june, months(4, 0), "2019-05-30", OnTrack},
		{"a milestone with nothing reported while months are evaluated is on track", june, nil, "2019-03-10", OnTrack},
		{"a milestone with nothing reported and nothing evaluated has no data", june, nil, "2019-01-20", NoData},

		// Scope of figures.
		{"a figure for a month not yet begun is ignored in a replay", sum120, append(months(6, 10), rep("2019-08", 100)), midYear, OnTrack},
		{"a figure for a month after the target's due month is ignored", target(AtLeast, Sum, 60, due("2019-06-30")),
			append(months(6, 9), rep("2019-07", 100)), "2019-08-01", Missed},
	}
	p := evalPlan()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target
			got := Evaluate(p, &tg, tc.revs, day(tc.asOf))
			if got.Status != tc.want {
				t.Errorf("got %s, want %s (actual %v, expected %v)", got.Status, tc.want, got.Actual, got.Expected)
			}
		})
	}
}

func TestEvaluateThresholdsFromPlan(t *testing.T) {
	p := evalPlan()
	p.Thresholds = Thresholds{AtRisk: 0.8, OffTrack: 0.5, CapWarning: 0.5}
	tests := []struct {
		name   string
		target Target
		revs   []Report
		want   Status
	}{
		{"at 80% of expected with an 80% at-risk threshold is on track", target(AtLeast, Sum, 120), months(6, 8), OnTrack},
		{"just under 80% of expected is at risk", target(AtLeast, Sum, 120), append(months(5, 8), rep("2019-06", 7.9)), AtRisk},
		{"at 50% of expected with a 50% off-track threshold is at risk", target(AtLeast, Sum, 120), months(6, 5), AtRisk},
		{"just under 50% of expected is off track", target(AtLeast, Sum, 120), append(months(5, 5), rep("2019-06", 4.9)), OffTrack},
		{"a cap at half its value with a 50% warning is on track", target(AtMost, Last, 10), []Report{rep("2019-06", 5)}, OnTrack},
		{"a cap above half its value with a 50% warning is at risk", target(AtMost, Last, 10), []Report{rep("2019-06", 5.1)}, AtRisk},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target
			if got := Evaluate(p, &tg, tc.revs, day(midYear)).Status; got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}

	t.Run("a plan built in code without thresholds uses the defaults", func(t *testing.T) {
		p := evalPlan()
		p.Thresholds = Thresholds{}
		tg := target(AtLeast, Sum, 120)
		if got := Evaluate(p, &tg, append(months(5, 10), rep("2019-06", 4)), day(midYear)).Status; got != AtRisk {
			t.Errorf("got %s, want %s", got, AtRisk)
		}
	})
}

func TestEvaluateFigures(t *testing.T) {
	type want struct {
		actual       float64
		hasActual    bool
		expected     float64
		projected    float64
		hasProjected bool
	}
	tests := []struct {
		name   string
		target Target
		revs   []Report
		asOf   string
		want   want
	}{
		{"a sum adds its months and projects its run rate to December", target(AtLeast, Sum, 120),
			[]Report{rep("2019-01", 10), rep("2019-02", 20), rep("2019-04", 30)}, midYear,
			want{60, true, 60, 120, true}},
		{"a sum reported ahead of its due months projects over the reported months", target(AtLeast, Sum, 120),
			append(months(2, 10), receivedOn(rep("2019-03", 10), "2019-03-05")), "2019-03-10", // k=2, March reported early
			want{30, true, 20, 120, true}},
		{"a sum takes the current revision of each month", target(AtLeast, Sum, 120),
			[]Report{rep("2019-01", 10), fix("2019-01", 12, 2), fix("2019-01", 11, 3)}, "2019-02-10",
			want{11, true, 10, 132, true}},
		{"a sum with no reports has no actual and no projection", target(AtLeast, Sum, 120), nil, midYear,
			want{0, false, 60, 0, false}},
		{"a sum due in June climbs to its goal by June", target(AtLeast, Sum, 60, due("2019-06-30")),
			months(3, 10), "2019-04-10", want{30, true, 30, 60, true}},
		{"a level projects the least-squares line of its reports", target(AtLeast, Last, 200),
			[]Report{rep("2019-01", 10), rep("2019-02", 20), rep("2019-03", 30)}, "2019-04-10",
			want{30, true, 50, 120, true}},
		{"a percentage projection stops at 100", target(AtLeast, Last, 90, percent),
			[]Report{rep("2019-01", 10), rep("2019-02", 20), rep("2019-03", 30)}, "2019-04-10",
			want{30, true, 22.5, 100, true}},
		{"a falling level's projection stops at 0", target(AtLeast, Last, 90),
			[]Report{rep("2019-01", 30), rep("2019-02", 20), rep("2019-03", 10)}, "2019-04-10",
			want{10, true, 22.5, 0, true}},
		{"a level with one report projects that report", target(AtLeast, Last, 50, baseline(20)),
			[]Report{rep("2019-03", 33)}, "2019-04-10", want{33, true, 27.5, 33, true}},
		{"a mean weighs months by their days and projects itself", target(AtMost, Mean, 1743),
			[]Report{rep("2019-01", 1800), rep("2019-02", 1686)}, "2019-03-10",
			want{(31*1800 + 28*1686) / 59.0, true, 1743, (31*1800 + 28*1686) / 59.0, true}},
		{"a maximum projects its trend but never below its best", target(AtLeast, Max, 100),
			[]Report{rep("2019-01", 60), rep("2019-02", 40)}, "2019-03-10", want{60, true, 100.0 * 2 / 12, 60, true}},
		{"a maximum projects a rising trend", target(AtLeast, Max, 100),
			[]Report{rep("2019-01", 4), rep("2019-02", 8)}, "2019-03-10", want{8, true, 100.0 * 2 / 12, 48, true}},
		{"after the deadline the projection is the actual", target(AtLeast, Sum, 120),
			months(12, 9), "2020-02-01", want{108, true, 120, 108, true}},
		{"a trajectory climbs from 0 to its first point", target(AtLeast, Sum, 329, trajectory(Point{per("2019-06"), 150})),
			nil, "2019-04-10", want{0, false, 75, 0, false}},
		{"a trajectory continues from its last point to the goal", target(AtLeast, Sum, 329, trajectory(Point{per("2019-06"), 150})),
			nil, "2019-10-10", want{0, false, 150 + (329-150)*3/6.0, 0, false}},
		{"a trajectory is linear between its points", target(AtLeast, Sum, 100,
			trajectory(Point{per("2019-03"), 10}, Point{per("2019-09"), 70}, Point{per("2019-12"), 100})),
			nil, "2019-07-10", want{0, false, 40, 0, false}},
		{"a level's trajectory starts from its baseline", target(AtLeast, Last, 50, baseline(20), trajectory(Point{per("2019-06"), 40})),
			nil, "2019-04-10", want{0, false, 30, 0, false}},
		{"a level without trajectory starts from its baseline", target(AtLeast, Last, 50, baseline(20)),
			nil, "2019-02-01", want{0, false, 20, 0, false}},
		{"a cap expects the cap", target(AtMost, Sum, 100), nil, midYear, want{0, false, 100, 0, false}},
		{"zero growth expects zero", target(ZeroGrowth, Sum, 0), nil, midYear, want{0, false, 0, 0, false}},
		{"a milestone expects 0 before its deadline", milestone("2019-06-30"), nil, "2019-07-09", want{0, false, 0, 0, false}},
		{"a milestone expects 1 once its deadline's report is due", milestone("2019-06-30"), []Report{rep("2019-06", 0)}, midYear, want{0, true, 1, 0, true}},
	}
	p := evalPlan()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target
			g := Evaluate(p, &tg, tc.revs, day(tc.asOf))
			got := want{g.Actual, g.HasActual, g.Expected, g.Projected, g.HasProjected}
			if !near(got.actual, tc.want.actual) || got.hasActual != tc.want.hasActual ||
				!near(got.expected, tc.want.expected) ||
				!near(got.projected, tc.want.projected) || got.hasProjected != tc.want.hasProjected {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestEvaluateBookkeeping(t *testing.T) {
	p := evalPlan()
	sum := target(AtLeast, Sum, 120)

	t.Run("missing months are the evaluated months without a report", func(t *testing.T) {
		g := Evaluate(p, &sum, []Report{rep("2019-01", 1), rep("2019-03", 1), rep("2019-07", 1)}, day(midYear))
		want := []Period{per("2019-02"), per("2019-04"), per("2019-05"), per("2019-06")}
		if !slices.Equal(g.Missing, want) {
			t.Errorf("got %v, want %v", g.Missing, want)
		}
		if g.Evaluated != per("2019-06") {
			t.Errorf("evaluated: got %v, want 2019-06", g.Evaluated)
		}
	})
	t.Run("nothing is missing or evaluated before the first report is due", func(t *testing.T) {
		g := Evaluate(p, &sum, nil, day("2019-02-09"))
		if len(g.Missing) != 0 || !g.Evaluated.IsZero() {
			t.Errorf("got missing %v, evaluated %v, want none", g.Missing, g.Evaluated)
		}
	})
	t.Run("the evaluation month turns at the due moment in the plan's zone", func(t *testing.T) {
		due := day("2019-07-10")
		before := Evaluate(p, &sum, nil, due.Add(-time.Nanosecond).UTC())
		at := Evaluate(p, &sum, nil, due.UTC())
		if before.Evaluated != per("2019-05") || at.Evaluated != per("2019-06") {
			t.Errorf("got %v then %v, want 2019-05 then 2019-06", before.Evaluated, at.Evaluated)
		}
	})
	t.Run("an achieved milestone owes no reports", func(t *testing.T) {
		m := milestone("2019-06-30")
		g := Evaluate(p, &m, []Report{rep("2019-05", 1)}, day("2019-09-10"))
		if len(g.Missing) != 0 {
			t.Errorf("got missing %v, want none", g.Missing)
		}
	})
	t.Run("an unfinished milestone owes every evaluated month up to its due month", func(t *testing.T) {
		m := milestone("2019-06-30")
		g := Evaluate(p, &m, []Report{rep("2019-05", 0)}, day("2019-09-10"))
		if len(g.Missing) != 5 {
			t.Errorf("got %d missing months %v, want 5", len(g.Missing), g.Missing)
		}
	})
	t.Run("corrections count revisions beyond the first of each month", func(t *testing.T) {
		revs := []Report{rep("2019-01", 1), fix("2019-01", 2, 2), fix("2019-01", 3, 3), rep("2019-02", 1), fix("2019-02", 5, 2)}
		g := Evaluate(p, &sum, revs, day(midYear))
		if g.Corrections != 3 {
			t.Errorf("got %d corrections, want 3", g.Corrections)
		}
		if want := revs[4].Received; !g.LastReport.Equal(want) {
			t.Errorf("last report: got %v, want %v", g.LastReport, want)
		}
	})
	t.Run("only the current revision counts toward corrections when the history is trimmed", func(t *testing.T) {
		g := Evaluate(p, &sum, []Report{fix("2019-01", 3, 3)}, day(midYear))
		if g.Corrections != 2 {
			t.Errorf("got %d corrections, want 2", g.Corrections)
		}
	})
	t.Run("a target never reported has a zero last report and its deadline", func(t *testing.T) {
		g := Evaluate(p, &sum, nil, day(midYear))
		if !g.LastReport.IsZero() {
			t.Errorf("last report: got %v, want zero", g.LastReport)
		}
		if want := day("2020-01-10"); !g.Deadline.Equal(want) {
			t.Errorf("deadline: got %v, want %v", g.Deadline, want)
		}
	})
}

func TestBoundaries(t *testing.T) {
	p := evalPlan()
	p.Targets = []Target{milestone("2019-06-30")}
	b := Boundaries(p)
	for _, want := range []time.Time{day("2019-01-01"), day("2019-02-10"), day("2019-05-31"), day("2020-01-10")} {
		if _, ok := slices.BinarySearchFunc(b, want, func(a, b time.Time) int { return a.Compare(b) }); !ok {
			t.Errorf("boundaries lack %v", want)
		}
	}
	if !slices.IsSortedFunc(b, func(a, b time.Time) int { return a.Compare(b) }) {
		t.Errorf("boundaries not sorted: %v", b)
	}
	next, ok := NextBoundary(b, day("2019-05-20"))
	if !ok || !next.Equal(day("2019-05-31")) {
		t.Errorf("next after 20 May: got %v %v, want 2019-05-31", next, ok)
	}
	next, ok = NextBoundary(b, day("2019-05-31"))
	if !ok || !next.Equal(day("2019-06-01")) {
		t.Errorf("next after 31 May: got %v %v, want 2019-06-01", next, ok)
	}
	if _, ok := NextBoundary(b, day("2020-02-01")); ok {
		t.Errorf("got a boundary after the plan, want none")
	}
}

// TestEvaluateChangesOnlyAtBoundaries checks the promise trackers rely on:
// between two boundaries, the result does not depend on the moment.
func TestEvaluateChangesOnlyAtBoundaries(t *testing.T) {
	p := evalPlan()
	p.Targets = []Target{milestone("2019-06-30"), target(AtLeast, Sum, 120), target(AtLeast, Last, 50, due("2019-09-30"))}
	revs := append(months(9, 5), rep("2019-11", 3), fix("2019-04", 7, 2))
	b := Boundaries(p)
	for _, r := range revs {
		b = append(b, r.Received)
	}
	slices.SortFunc(b, func(x, y time.Time) int { return x.Compare(y) })
	for i := 0; i+1 < len(b); i++ {
		for j := range p.Targets {
			tg := &p.Targets[j]
			a := Evaluate(p, tg, revs, b[i])
			z := Evaluate(p, tg, revs, b[i+1].Add(-time.Second))
			if fmt.Sprint(a) != fmt.Sprint(z) {
				t.Fatalf("target %d changed between %v and %v: got %+v then %+v", j, b[i], b[i+1], a, z)
			}
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p := evalPlan()
	tg := target(AtLeast, Sum, 120)
	revs := append(months(12, 10), fix("2019-03", 4, 2))
	asOf := day(midYear)
	for b.Loop() {
		Evaluate(p, &tg, revs, asOf)
	}
}

// Figures beyond MaxFigure, stored by a version that had no bound, count
// as the bound: nothing overflows, and a huge figure on a cap is still a
// breach.
func TestEvaluateOutOfBoundStoredFigures(t *testing.T) {
	asOf := day("2019-10-15") // September evaluated: k = 9, N = 12
	cases := []struct {
		name   string
		target Target
		revs   []Report
		actual float64
		status Status
	}{
		// 1e307 in October (sent early, on the 12th) counts as 1e12; the
		// daily mean of Jan..Sep at 90 and October at 1e12, weighted by
		// days: (90·273 + 1e12·31) / 304 = (24570 + 3.1e13) / 304.
		{"1e307 on a daily-mean cap is a breach", target(AtMost, Mean, 100),
			append(months(9, 90), receivedOn(rep("2019-10", 1e307), "2019-10-12")), (24570 + 3.1e13) / 304, Breached},
		// 1.7e308 in two months: 1e12 + 1e12 = 2e12 ≥ the goal of 60.
		{"1.7e308 twice on a sum is 2e12, achieved", target(AtLeast, Sum, 60),
			[]Report{rep("2019-01", 1.7e308), rep("2019-02", 1.7e308)}, 2e12, Achieved},
		{"+Inf on a sum counts as 1e12", target(AtLeast, Sum, 60),
			[]Report{rep("2019-01", math.Inf(1))}, 1e12, Achieved},
		{"the largest float on a max cap is a breach", target(AtMost, Max, 100),
			[]Report{rep("2019-01", 5), rep("2019-02", math.MaxFloat64)}, 1e12, Breached},
		// -1.7e308 counts as -1e12; NaN as 0: the last reported is NaN.
		{"NaN as the latest level counts as 0", target(AtLeast, Last, 50),
			[]Report{rep("2019-01", -1.7e308), rep("2019-02", math.NaN())}, 0, OffTrack},
		{"-Inf on a sum counts as -1e12", target(AtLeast, Sum, 60),
			[]Report{rep("2019-01", math.Inf(-1)), rep("2019-02", 3)}, -1e12 + 3, OffTrack},
		{"a correction to a sane figure replaces the huge one", target(AtMost, Mean, 100),
			[]Report{rep("2019-01", 1e307), fix("2019-01", 80, 2)}, 80, OnTrack},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := evalPlan()
			p.Targets = []Target{c.target}
			g := Evaluate(p, &p.Targets[0], c.revs, asOf)
			for name, v := range map[string]float64{"actual": g.Actual, "expected": g.Expected, "projected": g.Projected} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s: got %v, want a finite number", name, v)
				}
			}
			if r, ok := g.ProgressRatio(); ok && (math.IsNaN(r) || math.IsInf(r, 0)) {
				t.Errorf("progress ratio: got %v, want a finite number", r)
			}
			if g.Actual != c.actual || !g.HasActual {
				t.Errorf("actual: got %v (has %v), want %v", g.Actual, g.HasActual, c.actual)
			}
			if g.Status != c.status {
				t.Errorf("status: got %s, want %s", g.Status, c.status)
			}
		})
	}
}

func TestBounded(t *testing.T) {
	for _, c := range []struct {
		name    string
		in, out float64
	}{
		{"a figure within the bound is itself", 123.45, 123.45},
		{"the bound is itself", MaxFigure, MaxFigure},
		{"above the bound is the bound", 1e307, MaxFigure},
		{"+Inf is the bound", math.Inf(1), MaxFigure},
		{"below the negative bound is the negative bound", -1.7e308, -MaxFigure},
		{"NaN is 0", math.NaN(), 0},
		{"a subnormal is itself", 5e-324, 5e-324},
	} {
		if got := Bounded(c.in); got != c.out {
			t.Errorf("%s: Bounded(%v): got %v, want %v", c.name, c.in, got, c.out)
		}
	}
}

// TestEvaluateKnownAt checks that an evaluation as of an instant counts
// only what had been received by then.
func TestEvaluateKnownAt(t *testing.T) {
	sum := target(AtLeast, Sum, 120)
	// rep("2019-0M") is received on the 2nd of the next month at midnight;
	// fix(.., 2) two days after that.
	jan, feb, mar := rep("2019-01", 10), rep("2019-02", 20), rep("2019-03", 30)
	febFix := fix("2019-02", 25, 2) // received 2019-03-04
	tests := []struct {
		name        string
		revs        []Report
		asOf        time.Time
		actual      float64
		corrections int
		lastReport  time.Time
	}{
		{"a figure received after the instant does not exist yet",
			[]Report{jan, feb, mar}, day("2019-03-10"), 10 + 20, 0, day("2019-03-02")},
		{"a figure received exactly at the instant counts",
			[]Report{jan, feb, mar}, day("2019-04-02"), 10 + 20 + 30, 0, day("2019-04-02")},
		{"before a correction is received the figure it corrects counts",
			[]Report{jan, feb, febFix}, day("2019-03-03"), 10 + 20, 0, day("2019-03-02")},
		{"once the correction is received it replaces the figure",
			[]Report{jan, feb, febFix}, day("2019-03-04"), 10 + 25, 1, day("2019-03-04")},
		{"nothing received yet: no actual and no last report",
			[]Report{jan, feb}, day("2019-02-01"), 0, 0, time.Time{}},
		{"a revision without a received time always counts",
			[]Report{{Target: "t", Period: per("2019-01"), Value: 4, Revision: 1}}, day("2019-01-20"), 4, 0, time.Time{}},
	}
	p := evalPlan()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := Evaluate(p, &sum, tc.revs, tc.asOf)
			if g.Actual != tc.actual || g.Corrections != tc.corrections || !g.LastReport.Equal(tc.lastReport) {
				t.Errorf("got actual %v, %d corrections, last report %v; want %v, %d, %v",
					g.Actual, g.Corrections, g.LastReport, tc.actual, tc.corrections, tc.lastReport)
			}
			if g.LastReport.After(tc.asOf) {
				t.Errorf("last report %v is after the instant %v", g.LastReport, tc.asOf)
			}
		})
	}
}

// EvaluateEach gives, at every instant, exactly what Evaluate gives: at
// hourly instants over a year with corrections and late figures, and at
// the boundaries and received times themselves.
func TestEvaluateEachMatchesEvaluate(t *testing.T) {
	p := evalPlan()
	p.Targets = []Target{milestone("2019-06-30"), target(AtLeast, Sum, 120), target(AtMost, Mean, 100), target(AtLeast, Last, 50, due("2019-09-30"))}
	revs := append(months(9, 5), fix("2019-04", 7, 2), receivedOn(rep("2019-10", 3), "2019-10-20"), rep("2019-06", 1))
	var instants []time.Time
	for at := day("2018-12-31"); at.Before(day("2020-02-01")); at = at.Add(time.Hour) {
		instants = append(instants, at)
	}
	for _, r := range revs {
		instants = append(instants, r.Received.Add(-time.Nanosecond), r.Received)
	}
	instants = append(instants, Boundaries(p)...)
	slices.SortFunc(instants, func(a, b time.Time) int { return a.Compare(b) })
	bounds := Boundaries(p)
	evaluations := 0
	for j := range p.Targets {
		tg := &p.Targets[j]
		EvaluateEach(p, tg, revs, instants, bounds, func(k int, g *Progress) {
			evaluations++
			if want := Evaluate(p, tg, revs, instants[k]); fmt.Sprint(*g) != fmt.Sprint(want) {
				t.Fatalf("target %d at %v: got %+v, want %+v", j, instants[k], *g, want)
			}
		})
	}
	if want := 4 * len(instants); evaluations != want {
		t.Errorf("at was called %d times, want %d", evaluations, want)
	}
}
