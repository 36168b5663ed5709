package report

import (
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// A growth rate is summarised by its gap to the goal in percentage points,
// never as a share of the goal.
func TestGrowthSummary(t *testing.T) {
	gdp := &plan.Target{Kind: plan.Growth, Direction: plan.AtLeast, Goal: 6.5, Unit: "%"}
	energy := &plan.Target{Kind: plan.Growth, Direction: plan.AtMost, Goal: -3, Unit: "%"}
	cases := []struct {
		name   string
		target *plan.Target
		actual float64
		lang   Lang
		want   string
	}{
		// 6.5 − 6.0 = 0.5 points short.
		{"6.0 against at least 6.5 is 0.5 points short", gdp, 6.0, Chinese, "累计6%, 比目标差0.5个百分点"},
		// 6.5 − (−1.2) = 7.7 points short.
		{"a fall of 1.2 against at least 6.5 is 7.7 points short", gdp, -1.2, English, "at -1.2%, 7.7 points short of the goal"},
		{"exactly the goal", gdp, 6.5, Chinese, "累计6.5%, 与目标持平"},
		// −3 − (−3.5) = 0.5 points better for a fall.
		{"a fall of 3.5 against at most −3 is 0.5 points better", energy, -3.5, Chinese, "累计-3.5%, 好于目标0.5个百分点"},
		// −1 − (−3) = 2 points short.
		{"a fall of 1.0 against at most −3 is 2 points short", energy, -1, English, "at -1%, 2 points short of the goal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := &plan.Progress{Target: c.target, Actual: c.actual, HasActual: true, Expected: c.target.Goal}
			if got := Summary(g, c.lang); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
