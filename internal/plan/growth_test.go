package plan

import (
	"math"
	"testing"
)

// growth is a growth-rate target of the 2019 test plan.
func growth(dir Direction, goal float64, opts ...func(*Target)) Target {
	t := target(dir, Last, goal, percent)
	t.Kind = Growth
	for _, o := range opts {
		o(&t)
	}
	return t
}

// Growth targets are judged by the latest cumulative figure against the
// goal in percentage points (default band 1.0), and December decides.
func TestEvaluateGrowthStatus(t *testing.T) {
	gdp := growth(AtLeast, 6.5)                     // 地区生产总值增长6.5%
	gdpApprox := growth(AtLeast, 6.5, approximate)  // 6.5左右: met at 6.5−0.325 = 6.175
	energy := growth(AtMost, -3)                    // 单位GDP能耗下降3%
	energyApprox := growth(AtMost, -3, approximate) // met at −3+0.15 = −2.85
	tests := []struct {
		name   string
		target Target
		revs   []Report
		asOf   string
		want   Status
	}{
		{"a fall of 1.2% against growth of 6.5% is 7.7 points short: off track", gdp, []Report{rep("2019-06", -1.2)}, midYear, OffTrack},
		{"6.0 against 6.5 is 0.5 points short, within 1.0: at risk", gdp, []Report{rep("2019-06", 6.0)}, midYear, AtRisk},
		{"6.6 against 6.5 meets the goal: on track", gdp, []Report{rep("2019-06", 6.6)}, midYear, OnTrack},
		{"exactly the goal is on track", gdp, []Report{rep("2019-06", 6.5)}, midYear, OnTrack},
		{"exactly 1.0 point short is still at risk", gdp, []Report{rep("2019-06", 5.5)}, midYear, AtRisk},
		{"1.01 points short is off track", gdp, []Report{rep("2019-06", 5.49)}, midYear, OffTrack},
		{"the latest month counts, not the best", gdp, []Report{rep("2019-01", 9), rep("2019-06", 4)}, midYear, OffTrack},
		{"the latest month counts, not the worst", gdp, []Report{rep("2019-01", -2), rep("2019-06", 7)}, midYear, OnTrack},
		{"nothing reported before the first report is due: no data", gdp, nil, "2019-02-09", NoData},
		{"nothing reported while months are evaluated: still no data", gdp, nil, midYear, NoData},
		{"a mid-year figure above the goal is not yet achieved", gdp, []Report{rep("2019-11", 8)}, "2019-12-10", OnTrack},
		{"a December figure meeting the goal is achieved", gdp, []Report{rep("2019-06", 2), rep("2019-12", 6.5)}, "2020-01-10", Achieved},
		{"a December figure 0.1 short is missed, not at risk", gdp, []Report{rep("2019-06", 9), rep("2019-12", 6.4)}, "2020-01-10", Missed},
		{"a December figure decides as soon as it is received, before its due date", gdp, []Report{rep("2019-12", 7)}, "2020-01-05", Achieved},
		{"no December figure once it is due is missed, whatever November said", gdp, []Report{rep("2019-11", 8)}, "2020-01-10", Missed},
		{"an approximate goal is met at 95%: 6.2 against 6.5 左右 is on track", gdpApprox, []Report{rep("2019-06", 6.2)}, midYear, OnTrack},
		{"an approximate goal: 6.1 is 0.075 points short of 6.175, at risk", gdpApprox, []Report{rep("2019-06", 6.1)}, midYear, AtRisk},
		{"an approximate December figure of 6.2 is achieved", gdpApprox, []Report{rep("2019-12", 6.2)}, "2020-01-10", Achieved},

		{"a fall of 3.5% against at most −3 is on track", energy, []Report{rep("2019-06", -3.5)}, midYear, OnTrack},
		{"a fall of only 1.0% against at most −3 is 2 points short: off track", energy, []Report{rep("2019-06", -1.0)}, midYear, OffTrack},
		{"a fall of 2.5% against at most −3 is 0.5 points short: at risk", energy, []Report{rep("2019-06", -2.5)}, midYear, AtRisk},
		{"a rise of 0.5% against at most −3 is 3.5 points short: off track", energy, []Report{rep("2019-06", 0.5)}, midYear, OffTrack},
		{"a December fall of 3% exactly is achieved", energy, []Report{rep("2019-12", -3)}, "2020-01-10", Achieved},
		{"a December fall of 2.9% is missed", energy, []Report{rep("2019-12", -2.9)}, "2020-01-10", Missed},
		{"an approximate fall of 2.9% is met at −2.85", energyApprox, []Report{rep("2019-12", -2.9)}, "2020-01-10", Achieved},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			p := evalPlan()
			tg := c.target
			p.Targets = []Target{tg}
			if got := Evaluate(p, &p.Targets[0], c.revs, day(c.asOf)).Status; got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

// The growth band comes from the plan's thresholds: with 0.4 points, 6.0
// against 6.5 (0.5 short) is off track instead of at risk.
func TestEvaluateGrowthPointsFromPlan(t *testing.T) {
	p := evalPlan()
	p.Thresholds.GrowthPoints = 0.4
	p.Targets = []Target{growth(AtLeast, 6.5)}
	if got := Evaluate(p, &p.Targets[0], []Report{rep("2019-06", 6.0)}, day(midYear)).Status; got != OffTrack {
		t.Errorf("got %s, want off_track", got)
	}
	p.Thresholds.GrowthPoints = 0 // unset: the default 1.0
	if got := Evaluate(p, &p.Targets[0], []Report{rep("2019-06", 6.0)}, day(midYear)).Status; got != AtRisk {
		t.Errorf("unset: got %s, want at_risk", got)
	}
}

// The figures of a growth target: the latest month, the goal as expected
// value, no ratios, and the gap in points instead.
func TestEvaluateGrowthFigures(t *testing.T) {
	p := evalPlan()
	p.Targets = []Target{growth(AtLeast, 6.5), growth(AtMost, -3)}
	gdp, energy := &p.Targets[0], &p.Targets[1]
	g := Evaluate(p, gdp, []Report{rep("2019-01", 8), rep("2019-05", -1.2)}, day(midYear))
	if !g.HasActual || g.Actual != -1.2 {
		t.Errorf("actual: got %v (has %v), want -1.2, May's figure", g.Actual, g.HasActual)
	}
	if g.Expected != 6.5 {
		t.Errorf("expected: got %v, want the goal 6.5", g.Expected)
	}
	if !g.HasProjected || g.Projected != -1.2 {
		t.Errorf("projected: got %v, want the latest figure -1.2, negative and unclamped", g.Projected)
	}
	if r, ok := g.ProgressRatio(); ok {
		t.Errorf("progress ratio: got %v, want none", r)
	}
	if r, ok := g.ExpectedRatio(); ok {
		t.Errorf("expected ratio: got %v, want none", r)
	}
	// −1.2 − 6.5 = −7.7 points.
	if gap, ok := g.GapPoints(); !ok || math.Abs(gap-(-7.7)) > 1e-9 {
		t.Errorf("gap: got %v %v, want -7.7", gap, ok)
	}
	e := Evaluate(p, energy, []Report{rep("2019-06", -3.5)}, day(midYear))
	// At most −3: −3.5 is 0.5 points better, so the gap is +0.5.
	if gap, ok := e.GapPoints(); !ok || math.Abs(gap-0.5) > 1e-9 {
		t.Errorf("gap at most: got %v %v, want +0.5", gap, ok)
	}
	if n := Evaluate(p, gdp, nil, day(midYear)); func() bool { _, ok := n.GapPoints(); return ok }() {
		t.Errorf("gap without data: got one, want none")
	}
	// A level of 150 (percent) is fine for a growth rate: 150 − 6.5 = 143.5.
	if got := Evaluate(p, gdp, []Report{rep("2019-06", 150)}, day(midYear)); got.Projected != 150 {
		t.Errorf("projected above 100: got %v, want 150 unclamped", got.Projected)
	}
}

// Negative figures and figures above 100 are a growth target's right and
// nobody else's; the refusal names the rule.
func TestCheckValueGrowth(t *testing.T) {
	gdp := growth(AtLeast, 6.5)
	for _, v := range []float64{-1.2, -99, 0, 150, -MaxFigure} {
		if err := CheckValue(&gdp, v); err != nil {
			t.Errorf("growth figure %v: got %v, want accepted", v, err)
		}
	}
	if err := CheckValue(&gdp, -MaxFigure*1.5); KindOf(err) != KindInvalid {
		t.Errorf("growth figure beyond the bound: got %v, want invalid", err)
	}
	if err := CheckValue(&gdp, math.NaN()); KindOf(err) != KindMalformed {
		t.Errorf("growth NaN: got %v, want malformed", err)
	}
	level := target(AtLeast, Last, 50, percent)
	err := CheckValue(&level, -1.2)
	if want := "value: must not be negative (only a growth target's figure may be), got -1.2"; err == nil || err.Error() != want {
		t.Errorf("negative level: got %v, want %q", err, want)
	}
}

// A co-agency reads like everyone but writes only its own targets: the
// lead agency reports.
func TestCoAgencyCannotWrite(t *testing.T) {
	tg := Target{ID: "gdp-growth", Agency: "development", CoAgencies: []string{"economy", "statistics"}}
	cases := []struct {
		name string
		who  Principal
		want bool
	}{
		{"the lead agency writes", Principal{Role: RoleAgency, Agency: "development"}, true},
		{"a co-agency does not", Principal{Role: RoleAgency, Agency: "statistics"}, false},
		{"an administrator does", Principal{Role: RoleAdmin}, true},
	}
	for _, c := range cases {
		if got := c.who.CanWrite(&tg); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if !tg.HasCoAgency("statistics") || tg.HasCoAgency("development") {
		t.Errorf("HasCoAgency: statistics is a co-agency, the lead is not")
	}
}
