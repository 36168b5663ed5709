package web

import (
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

func TestAgo(t *testing.T) {
	now := time.Date(2019, 10, 15, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		d    time.Duration
		lang report.Lang
		want string
	}{
		{"seconds read as just now", 20 * time.Second, report.Chinese, "刚刚"},
		{"minutes", 5 * time.Minute, report.Chinese, "5分钟前"},
		{"hours", 3 * time.Hour, report.English, "3 h ago"},
		{"one day is singular in English", 30 * time.Hour, report.English, "1 day ago"},
		{"days up to two months", 40 * 24 * time.Hour, report.Chinese, "40天前"},
		{"months after that", 100 * 24 * time.Hour, report.English, "3 months ago"},
		{"a time after now is just now", -time.Hour, report.Chinese, "刚刚"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ago(now, now.Add(-tc.d), tc.lang); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBar(t *testing.T) {
	capped := &plan.Target{Direction: plan.AtMost, Goal: 100}
	floor := &plan.Target{Direction: plan.AtLeast, Goal: 100}
	for _, tc := range []struct {
		name string
		g    plan.Progress
		want bar
	}{
		{"a count halfway with the schedule at 75%", plan.Progress{Target: floor, Actual: 50, HasActual: true, Expected: 75}, bar{Show: true, Fill: 50, Expected: 75}},
		{"a floor exceeded is full, not alarming", plan.Progress{Target: floor, Actual: 120, HasActual: true, Expected: 100}, bar{Show: true, Fill: 100, Expected: 100}},
		{"a cap exceeded is marked over", plan.Progress{Target: capped, Actual: 120, HasActual: true, Expected: 100}, bar{Show: true, Fill: 100, Expected: 100, Over: true}},
		{"nothing reported shows an empty bar", plan.Progress{Target: floor, Expected: 30}, bar{Show: true, Expected: 30}},
		{"a zero goal has no bar", plan.Progress{Target: &plan.Target{Direction: plan.ZeroGrowth}}, bar{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := newBar(&tc.g); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCompareItems(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2.9", "2.10", -1},
		{"10.2", "9.2", 1},
		{"8.4", "8.4", 0},
		{"8", "8.1", -1},
	} {
		if got := compareItems(tc.a, tc.b); got != tc.want {
			t.Errorf("compareItems(%q, %q): got %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestUrgency(t *testing.T) {
	tg := &plan.Target{}
	order := []plan.Progress{
		{Target: tg, Status: plan.Breached},
		{Target: tg, Status: plan.OffTrack},
		{Target: tg, Status: plan.Missed},
		{Target: tg, Status: plan.AtRisk},
		{Target: tg, Status: plan.OnTrack, Missing: []plan.Period{{Year: 2019, Month: 9}}},
		{Target: tg, Status: plan.OnTrack},
		{Target: tg, Status: plan.Achieved},
		{Target: tg, Status: plan.NoData},
	}
	for i := 1; i < len(order); i++ {
		if a, b := urgency(&order[i-1]), urgency(&order[i]); a >= b {
			t.Errorf("got %s (missing %d) at %d and %s at %d, want strictly more urgent first", order[i-1].Status, len(order[i-1].Missing), a, order[i].Status, b)
		}
	}
}

// Figures as typed (a goal, a stored revision) show exactly; computed ones
// (actual, expected) to two decimals; neither with float noise.
func TestFiguresShowInShortestForm(t *testing.T) {
	v := &view{Lang: report.Chinese, T: map[string]string{}}
	km := &plan.Target{Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 16, Unit: "公里"}
	rate := &plan.Target{Kind: plan.Quantity, Direction: plan.AtMost, Aggregation: plan.Mean, Goal: 1743.5, Unit: "吨/日"}
	pct := &plan.Target{Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Last, Goal: 90, Unit: "%"}
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"a revision of 14 tenths is 1.4", valueText(v, km, 1.4000000000000001), "1.4 公里"}, // 14·0.1 at run time
		{"a revision typed with three decimals keeps them", valueText(v, rate, 0.125), "0.125 吨/日"},
		{"a percentage revision", valueText(v, pct, 33.3), "33.3%"},
		{"a whole revision has no decimals", valueText(v, km, 2), "2 公里"},
		{"a revision of 1e12 has no exponent", valueText(v, km, 1e12), "1000000000000 公里"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}

	s := plan.NewSnapshot(&plan.Plan{}, time.Time{}, 1, nil)
	// Actual 0.30000000000000004 (0.1+0.2 at run time); expected 16·7/12 = 9.333…
	c := newCard(v, s, &plan.Progress{Target: km, Actual: 0.30000000000000004, HasActual: true, Expected: 16.0 * 7 / 12})
	if c.Goal != "16 公里" || c.Actual != "0.3 公里" || c.Expected != "9.33 公里" {
		t.Errorf("card: got goal %q actual %q expected %q, want 16 公里, 0.3 公里, 9.33 公里", c.Goal, c.Actual, c.Expected)
	}
	c = newCard(v, s, &plan.Progress{Target: rate, Actual: 1743.5, HasActual: true, Expected: 1743.5})
	if c.Goal != "1743.5 吨/日" {
		t.Errorf("card: got goal %q, want 1743.5 吨/日", c.Goal)
	}
}
