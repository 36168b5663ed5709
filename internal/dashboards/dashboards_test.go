package dashboards

// The Grafana SDK hands out board and panel ids from unguarded package
// counters. The generator uses neither (it numbers panels itself), which
// TestGenerateConcurrently checks under -race.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/targetwatch/targetwatch/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixturePlan has one target of every kind of gauge, a milestone and two
// agencies, one of them without quantity targets.
func fixturePlan(t testing.TB) *plan.Plan {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2019, 12, 31, 0, 0, 0, 0, loc)
	p := &plan.Plan{
		ID: "fixture-2019", Title: "测试区2019年重点工作任务", Timezone: "Asia/Shanghai", Location: loc,
		Start: time.Date(2019, 1, 1, 0, 0, 0, 0, loc), End: end,
		Frequency: "monthly", DueDay: plan.DefaultDueDay, Thresholds: plan.DefaultThresholds,
		Agencies: []plan.Agency{
			{ID: "water", Name: "区水务局"},
			{ID: "landscaping", Name: "区绿化市容局"},
			{ID: "planning", Name: "区规划资源局"},
		},
		Targets: []plan.Target{
			{ID: "river-works", Item: "10.2", Title: "河道整治", Agency: "water", Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 120, Unit: "条段", Due: end},
			{ID: "sewage-coverage", Item: "10.3", Title: "污水纳管覆盖率", Agency: "water", Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Last, Goal: 100, Unit: "%", Due: end},
			{ID: "dry-waste-daily", Item: "11.1", Title: "干垃圾日均总量", Agency: "landscaping", Kind: plan.Quantity, Direction: plan.AtMost, Aggregation: plan.Mean, Goal: 1743, Unit: "吨/日", Due: end},
			{ID: "illegal-land", Item: "6.3", Title: "新增违法用地", Agency: "planning", Kind: plan.Quantity, Direction: plan.ZeroGrowth, Aggregation: plan.Sum, Goal: 0, Unit: "亩", Due: end},
			{ID: "planning-reform", Item: "6.1", Title: "完成规划体制改革", Agency: "planning", Kind: plan.Milestone, Direction: plan.Complete, Aggregation: plan.Last, Goal: 1, Due: end},
		},
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGenerateGolden(t *testing.T) {
	ds, err := Generate(fixturePlan(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ds), 3; got != want {
		t.Fatalf("got %d dashboards, want %d", got, want)
	}
	for _, d := range ds {
		golden := filepath.Join("testdata", d.File+".golden")
		if *update {
			if err := os.WriteFile(golden, d.JSON, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/dashboards -update to create it)", err)
		}
		if !bytes.Equal(d.JSON, want) {
			t.Errorf("%s differs from %s (run go test ./internal/dashboards -update and review the diff)", d.File, golden)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	first, err := Generate(fixturePlan(t))
	if err != nil {
		t.Fatal(err)
	}
	// The sdk's counters have moved on by now; the output must not.
	for range 3 {
		again, err := Generate(fixturePlan(t))
		if err != nil {
			t.Fatal(err)
		}
		for i := range first {
			if !bytes.Equal(first[i].JSON, again[i].JSON) {
				t.Fatalf("%s: got different bytes on a second run", first[i].File)
			}
		}
	}
}

func TestGenerateConcurrently(t *testing.T) {
	want, err := Generate(fixturePlan(t))
	if err != nil {
		t.Fatal(err)
	}
	p := fixturePlan(t)
	const n = 4
	got := make([][]Dashboard, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = Generate(p) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for j := range want {
			if !bytes.Equal(got[i][j].JSON, want[j].JSON) {
				t.Errorf("run %d: %s differs from a sequential run", i, want[j].File)
			}
		}
	}
}

// board is the part of a dashboard model the tests read.
type board struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	GridPos struct{ X, Y, W, H int } `json:"gridPos"`
}

func decodeBoard(t testing.TB, js []byte) board {
	t.Helper()
	var b board
	if err := json.Unmarshal(js, &b); err != nil {
		t.Fatalf("dashboard JSON does not parse: %v", err)
	}
	return b
}

func TestGeneratedModels(t *testing.T) {
	ds, err := Generate(fixturePlan(t))
	if err != nil {
		t.Fatal(err)
	}
	wantUID := []string{plan.DashboardOverviewUID, plan.DashboardAgencyUID, plan.DashboardTargetUID}
	wantVar := []string{"", VarAgency, VarTargetID}
	for i, d := range ds {
		b := decodeBoard(t, d.JSON)
		if b.UID != wantUID[i] || d.UID != wantUID[i] {
			t.Errorf("dashboard %d: got uid %q, want %q", i, b.UID, wantUID[i])
		}
		if !utf8.Valid(d.JSON) {
			t.Errorf("%s: not valid UTF-8", d.File)
		}
		if len(b.Templating.List) == 0 || b.Templating.List[0].Name != VarDatasource || b.Templating.List[0].Type != "datasource" {
			t.Errorf("%s: got first variable %+v, want the datasource variable", d.File, b.Templating.List)
		}
		if len(b.Templating.List) < 2 || b.Templating.List[1].Name != VarPlan || b.Templating.List[1].Query != `label_values(targetwatch_plan_info, plan)` {
			t.Errorf("%s: got variables %+v, want the plan variable second", d.File, b.Templating.List)
		}
		if wantVar[i] != "" && (len(b.Templating.List) != 3 || b.Templating.List[2].Name != wantVar[i]) {
			t.Errorf("%s: got variables %+v, want datasource, plan and %s", d.File, b.Templating.List, wantVar[i])
		}
		ids := map[int]bool{}
		cells := map[[2]int]string{}
		for _, p := range b.Panels {
			for x := p.GridPos.X; x < p.GridPos.X+p.GridPos.W; x++ {
				for y := p.GridPos.Y; y < p.GridPos.Y+p.GridPos.H; y++ {
					if other, ok := cells[[2]int{x, y}]; ok {
						t.Errorf("%s: panels %q and %q overlap at %d,%d", d.File, other, p.Title, x, y)
					}
					cells[[2]int{x, y}] = p.Title
				}
			}
			if ids[p.ID] {
				t.Errorf("%s: panel id %d used twice", d.File, p.ID)
			}
			ids[p.ID] = true
			if p.GridPos.X+p.GridPos.W > gridWidth {
				t.Errorf("%s: panel %q overflows the grid: x=%d w=%d", d.File, p.Title, p.GridPos.X, p.GridPos.W)
			}
			if p.Type == "row" {
				continue
			}
			if p.Datasource.UID != "${datasource}" {
				t.Errorf("%s: panel %q: got datasource %q, want ${datasource}", d.File, p.Title, p.Datasource.UID)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no queries", d.File, p.Title)
			}
			for _, q := range p.Targets {
				if !strings.Contains(q.Expr, plan.MetricPrefix) {
					t.Errorf("%s: panel %q query %s reads no targetwatch metric: %s", d.File, p.Title, q.RefID, q.Expr)
				}
				if m := unscoped(q.Expr); m != "" {
					t.Errorf("%s: panel %q query %s reads %s of every plan, not $plan's: %s", d.File, p.Title, q.RefID, m, q.Expr)
				}
			}
		}
	}
}

// metricName finds metric names in PromQL; scopedName finds them followed
// by the $plan matcher the dashboards put first in every selector.
var (
	metricName = regexp.MustCompile(`targetwatch_[a-z_]+`)
	scopedName = regexp.MustCompile(`targetwatch_[a-z_]+\{plan="\$plan"`)
)

// unscoped returns the first metric of expr read without the $plan
// matcher, other than agency_info (which has no plan label), or "".
func unscoped(expr string) string {
	all, scoped := metricName.FindAllString(expr, -1), len(scopedName.FindAllString(expr, -1))
	n := 0
	for _, m := range all {
		if m != plan.MetricAgencyInfo {
			n++
		}
	}
	if n == scoped {
		return ""
	}
	for _, m := range all {
		if m != plan.MetricAgencyInfo && !strings.Contains(expr, m+`{plan="$plan"`) {
			return m
		}
	}
	return "a metric"
}

func TestGaugeThresholdsFollowDirection(t *testing.T) {
	ds, err := Generate(fixturePlan(t))
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		Panels []struct {
			Type        string `json:"type"`
			FieldConfig struct {
				Defaults struct {
					Thresholds struct {
						Steps []struct {
							Color string   `json:"color"`
							Value *float64 `json:"value"`
						} `json:"steps"`
					} `json:"thresholds"`
				} `json:"defaults"`
				Overrides []struct {
					Matcher struct {
						Options string `json:"options"`
					} `json:"matcher"`
					Properties []struct {
						ID    string          `json:"id"`
						Value json.RawMessage `json:"value"`
					} `json:"properties"`
				} `json:"overrides"`
			} `json:"fieldConfig"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(ds[0].JSON, &model); err != nil {
		t.Fatal(err)
	}
	colours := func(steps string) string {
		var th struct {
			Steps []struct{ Color string } `json:"steps"`
		}
		if err := json.Unmarshal([]byte(steps), &th); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range th.Steps {
			out = append(out, s.Color)
		}
		return strings.Join(out, ",")
	}
	found := false
	for _, p := range model.Panels {
		if p.Type != "gauge" {
			continue
		}
		found = true
		var def []string
		for _, s := range p.FieldConfig.Defaults.Thresholds.Steps {
			def = append(def, s.Color)
		}
		if got, want := strings.Join(def, ","), "red,yellow,green"; got != want {
			t.Errorf("at_least gauges: got colours %s, want %s (below expected is bad)", got, want)
		}
		got := map[string]string{}
		for _, o := range p.FieldConfig.Overrides {
			for _, pr := range o.Properties {
				if pr.ID == "thresholds" {
					got[o.Matcher.Options] = colours(string(pr.Value))
				}
			}
		}
		tests := []struct {
			name, title, want string
		}{
			{"a cap gets worse nearer the cap", "干垃圾日均总量", "green,yellow,red"},
			{"zero growth is breached by any increase", "新增违法用地", "green,red"},
			{"an at_least target keeps the default", "河道整治", ""},
		}
		for _, tc := range tests {
			if got[tc.title] != tc.want {
				t.Errorf("%s: got colours %q for %s, want %q", tc.name, got[tc.title], tc.title, tc.want)
			}
		}
	}
	if !found {
		t.Fatal("overview has no gauge panel")
	}
}

func TestDuplicateTitlesGetDistinctGaugeNames(t *testing.T) {
	p := fixturePlan(t)
	p.Targets[1].Title = p.Targets[0].Title
	ds, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(ds[0].JSON, []byte(`"legendFormat": "{{title}}（{{target_id}}）"`)) {
		t.Errorf("got no target id in the gauge legend although two titles are equal")
	}
	if !bytes.Contains(ds[0].JSON, []byte(`"options": "干垃圾日均总量（dry-waste-daily）"`)) {
		t.Errorf("got cap override not keyed by the disambiguated name")
	}
}

func TestGenerateRejectsInvalidPlan(t *testing.T) {
	p := fixturePlan(t)
	p.Targets[0].Agency = "nobody"
	if _, err := Generate(p); err == nil || !strings.Contains(err.Error(), "unknown agency") {
		t.Errorf("got error %v, want one naming the unknown agency", err)
	}
}

func TestWrite(t *testing.T) {
	ds, err := Generate(fixturePlan(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "dashboards")
	if err := Write(context.Background(), dir, ds); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, " "), "targetwatch-agency.json targetwatch-overview.json targetwatch-target.json"; got != want {
		t.Errorf("got files %s, want %s (and no temporary files)", got, want)
	}
	for _, d := range ds {
		got, err := os.ReadFile(filepath.Join(dir, d.File))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, d.JSON) {
			t.Errorf("%s: written bytes differ from the generated ones", d.File)
		}
	}

	// A canceled context writes nothing more.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	other := filepath.Join(t.TempDir(), "x")
	if err := Write(ctx, other, ds); err == nil {
		t.Error("got no error with a canceled context, want one")
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Errorf("got %d files after a canceled write, want 0", len(entries))
	}
}

func TestEveryStatusHasANameAndACode(t *testing.T) {
	codes := map[int]plan.Status{}
	for _, st := range plan.Statuses {
		if name := statusName(st); name == "" || name == string(st) || statusColors[st] == "" {
			t.Errorf("status %s: got name %q and colour %q, want a Chinese name and a colour", st, name, statusColors[st])
		}
		c, ok := statusCode[st]
		if !ok || c <= 0 {
			t.Errorf("status %s: got code %d, want a positive one", st, c)
		}
		if other, dup := codes[c]; dup {
			t.Errorf("statuses %s and %s share code %d", other, st, c)
		}
		codes[c] = st
	}
	if len(statusColors) != len(plan.Statuses) || len(statusCode) != len(plan.Statuses) {
		t.Errorf("got %d colours and %d codes, want %d each", len(statusColors), len(statusCode), len(plan.Statuses))
	}
}

// Dashboards of two plans: the titles name both, the gauges cover the
// targets of both (each query still reads $plan's series only), and a
// cap of the second plan takes that plan's cap warning, not the first's.
func TestGenerateSeveralPlans(t *testing.T) {
	first := fixturePlan(t)
	city := fixturePlan(t)
	city.ID, city.Title = "city-2019", "市下达任务"
	city.Thresholds.CapWarning = 0.8
	city.Thresholds.OffTrack = 0.7
	for i := range city.Targets {
		city.Targets[i].ID = "city-" + city.Targets[i].ID
	}
	ds, err := Generate(first, city)
	if err != nil {
		t.Fatal(err)
	}
	if want := "总览：" + first.Title + "；" + city.Title; ds[0].Title != want {
		t.Errorf("got title %q, want %q", ds[0].Title, want)
	}
	js := string(ds[0].JSON)
	for i := range city.Targets {
		if city.Targets[i].Kind == plan.Quantity && !strings.Contains(js, city.Targets[i].ID) {
			t.Errorf("the overview has no gauge for %s", city.Targets[i].ID)
		}
	}
	// A cap's share gauge turns yellow at the plan's cap warning: 0.95
	// for the fixture's own caps, 0.8 for the city's.
	if !strings.Contains(js, `"value": 0.8`) || !strings.Contains(js, `"value": 0.95`) {
		t.Error("the city's caps do not use the city's cap warning 0.8 beside the fixture's 0.95")
	}
	// A pace gauge turns red below the plan's off-track share: 0.9 for
	// the fixture (the panel's default), 0.7 for the city's targets.
	if !strings.Contains(js, `"value": 0.7`) || !strings.Contains(js, `"value": 0.9`) {
		t.Error("the city's pace gauges do not use the city's off-track threshold 0.7 beside the fixture's 0.9")
	}
	for _, d := range ds {
		for _, p := range decodeBoard(t, d.JSON).Panels {
			for _, q := range p.Targets {
				if m := unscoped(q.Expr); m != "" {
					t.Errorf("%s: panel %q reads %s of every plan", d.File, p.Title, m)
				}
			}
		}
	}
	if _, err := Generate(); err == nil {
		t.Error("Generate with no plan: got no error")
	}
}
