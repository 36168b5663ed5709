package planfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
)

func TestGrowthFixture(t *testing.T) {
	p, err := Load(filepath.Join("testdata", "growth.yaml"))
	if err != nil {
		t.Fatalf("Load(growth.yaml): %v", err)
	}
	if p.Thresholds.GrowthPoints != 0.5 {
		t.Errorf("got growth_points %v, want 0.5", p.Thresholds.GrowthPoints)
	}
	if p.Thresholds.AtRisk != plan.DefaultThresholds.AtRisk {
		t.Errorf("got at_risk %v, want the default", p.Thresholds.AtRisk)
	}
	gdp, energy := p.Targets[0], p.Targets[1]
	// The unit "%" and aggregation last are a growth target's defaults;
	// co-agencies come out sorted.
	if gdp.Kind != plan.Growth || gdp.Unit != "%" || gdp.Aggregation != plan.Last || gdp.Goal != 6.5 || !gdp.Approximate {
		t.Errorf("gdp: got %+v", gdp)
	}
	if want := []string{"economy", "statistics"}; !reflect.DeepEqual(gdp.CoAgencies, want) {
		t.Errorf("co-agencies: got %q, want %q", gdp.CoAgencies, want)
	}
	if energy.Goal != -3 || energy.Direction != plan.AtMost || energy.CoAgencies != nil {
		t.Errorf("energy: got %+v", energy)
	}
}

// Each case changes one line of the growth fixture, like TestRules.
func TestGrowthRules(t *testing.T) {
	cases := []lineCase{
		{"growth_points must be above 0", 10, "  growth_points: -1",
			[]string{`growth.yaml:10:18: growth_points must be a number of percentage points above 0, got -1`}},
		{"growth_points must be finite", 10, "  growth_points: .inf",
			[]string{`growth.yaml:10:18: growth_points must be a number of percentage points above 0, got +Inf`}},
		{"a growth target grows at least or falls at most, nothing else", 23, "    direction: zero_growth",
			[]string{`growth.yaml:23:16: a growth target's direction must be at_least (grow by at least the goal) or at_most (a fall: goal -3 for 下降3%), got zero_growth`}},
		{"a growth target needs a direction", 23, "",
			[]string{`growth.yaml:16:5: missing direction`}},
		{"a growth target needs a goal", 24, "",
			[]string{`growth.yaml:16:5: missing goal`}},
		{"a growth target's unit is a percentage", 34, "    unit: 亿元",
			[]string{`growth.yaml:34:11: a growth target's unit must be "%" (a year-on-year rate), got "亿元"`}},
		{"a growth target takes no aggregation", 34, "    aggregation: last",
			[]string{`growth.yaml:34:18: a growth target takes no aggregation: each month reports the cumulative growth so far and the latest counts`}},
		{"a growth target takes no baseline", 34, "    baseline: 2",
			[]string{`growth.yaml:34:15: a growth target takes no baseline: its goal is the rate expected every month`}},
		{"a growth target takes no trajectory", 34, "    trajectory: {2019-06: -1}",
			[]string{`growth.yaml:34:17: a growth target takes no trajectory: its goal is the rate expected every month`}},
		{"a growth goal may exceed 100 but not the figure bound", 33, "    goal: 2e12",
			[]string{`growth.yaml:33:11: goal must be at most 1000000000000, got 2000000000000`}},
		{"a negative goal is still refused for a quantity (one line becomes two, so the goal moves to 34)", 31, "    kind: quantity\n    aggregation: last",
			[]string{`growth.yaml:34:11: goal must not be negative, got -3`}},
		{"a co-agency must be in agencies", 21, "    co_agencies: [statistics, finance]",
			[]string{`growth.yaml:21:31: unknown co-agency "finance": not in agencies`}},
		{"the lead agency is not its own co-agency", 21, "    co_agencies: [development]",
			[]string{`growth.yaml:21:19: co-agency "development" is the lead agency: list it once, as agency`}},
		{"a co-agency is listed once", 21, "    co_agencies: [economy, economy]",
			[]string{`growth.yaml:21:28: co-agency "economy" is listed twice`}},
		{"co_agencies is a list", 21, "    co_agencies: economy",
			[]string{`growth.yaml:21:18: co_agencies: want a list, got "economy"`}},
	}
	data, err := os.ReadFile(filepath.Join("testdata", "growth.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checkLineCases(t, "growth.yaml", strings.Split(string(data), "\n"), cases)
}

// The example plan of main economic indicators loads beside the
// repository's plan: five growth targets, one rate held under a level
// (a cap, not growth), co-agencies sorted.
func TestGrowthExample(t *testing.T) {
	paths := []string{filepath.Join("..", "..", "targets.yaml"), filepath.Join("..", "..", "examples", "growth-2019.yaml")}
	var plans []*plan.Plan
	for _, path := range paths {
		p, err := Load(path)
		if err != nil {
			t.Fatalf("Load(%s):\n%v", path, err)
		}
		plans = append(plans, p)
	}
	if err := Together(paths, plans); err != nil {
		t.Fatalf("together: %v", err)
	}
	growth := 0
	for _, tg := range plans[1].Targets {
		if tg.IsGrowth() {
			growth++
		}
	}
	if growth != 5 {
		t.Errorf("got %d growth targets, want 5", growth)
	}
	cap, _ := plans[1].Target("registered-unemployment-rate")
	if cap.Kind != plan.Quantity || cap.Direction != plan.AtMost || cap.Goal != 3.5 {
		t.Errorf("控制在3.5%%以内: got %s %s %v, want a quantity capped at 3.5", cap.Kind, cap.Direction, cap.Goal)
	}
	gdp, _ := plans[1].Target("gdp-growth")
	if want := []string{"economy", "statistics"}; !reflect.DeepEqual(gdp.CoAgencies, want) {
		t.Errorf("co-agencies: got %q, want %q", gdp.CoAgencies, want)
	}
}
