package dashboards

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/demo"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// TestDashboardsAgainstPrometheus is the end-to-end check of the
// dashboards: the real binary serves the demo year, a real Prometheus
// scrapes it, and every query of every panel of the committed targets.yaml's
// dashboards must parse and return data.
func TestDashboardsAgainstPrometheus(t *testing.T) {
	testenv.SkipIfShort(t, "end-to-end test")
	testenv.LookPath(t, "prometheus")
	root := testenv.RepoRoot()
	targets := filepath.Join(root, "targets.yaml")
	p, err := planfile.Load(targets)
	if err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(t.TempDir(), "targetwatch.db")
	out := testenv.Run(t, "demo", "--db", db, "--targets", targets)
	// The demo reads best as of the date it suggests; without one, serve
	// evaluates as of now, which works too.
	args := []string{"--db", db, "--targets", targets}
	if m := regexp.MustCompile(`--as-of (\d{4}-\d{2}-\d{2})`).FindStringSubmatch(out); m != nil {
		args = append(args, "--as-of", m[1])
	}
	tw := testenv.Serve(t, args...)
	checkHealthchecks(t, tw.URL)

	prom := startPrometheus(t, tw.Addr)
	prom.waitFor(t, `up{job="`+plan.PrometheusJob+`"} == 1`, time.Minute)
	prom.waitFor(t, "count("+plan.MetricTargetInfo+") > 0", time.Minute)
	// increase() in the detail dashboard needs two samples of a series.
	prom.waitFor(t, `count_over_time(up{job="`+plan.PrometheusJob+`"}[1m]) > 2`, time.Minute)

	ds, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}

	agencies, err := prom.labelValues(plan.LabelAgency, plan.MetricTargetInfo)
	if err != nil || len(agencies) == 0 {
		t.Fatalf("the agency variable lists %v (%v), want the plan's agencies", agencies, err)
	}
	ids, err := prom.labelValues(plan.LabelTargetID, plan.MetricTargetInfo)
	if err != nil || len(ids) != len(p.Targets) {
		t.Fatalf("the target_id variable lists %d values (%v), want %d", len(ids), err, len(p.Targets))
	}

	// The values a supervisor would look at first: the agency with the most
	// quantity targets that have figures, and a quantity target with
	// figures, a projection and a goal to compare against.
	thisPlan := map[string]string{VarPlan: p.ID}
	vars := map[string]string{
		VarPlan: p.ID,
		VarAgency: pick(t, prom, substitute(fmt.Sprintf("count by (%s) (%s * on (%s) group_left (%s) %s)",
			plan.LabelAgency, plan.MetricTargetActual, plan.LabelTargetID, plan.LabelAgency,
			sel(plan.MetricTargetInfo, eq(plan.LabelKind, string(plan.Quantity)))), thisPlan), plan.LabelAgency),
		VarTargetID: pick(t, prom, plan.MetricTargetProjected+` and `+plan.MetricTargetProgressRatio+` and `+plan.MetricTargetLastReport+` > 0`, plan.LabelTargetID),
	}
	checkEveryPanel(t, prom, ds, vars, map[string][]string{VarAgency: agencies, VarTargetID: ids})

	// Every agency's dashboard shows progress of some kind: gauges for its
	// quantity targets or the table of its milestones.
	g := &generator{plan: p}
	s := scope{agencyVar: true}
	for _, a := range agencies {
		n := 0
		for _, expr := range []string{g.gauges(s, 1).queries[0].expr, g.milestones(s).queries[0].expr} {
			got, err := prom.query(substitute(expr, map[string]string{VarAgency: a, VarPlan: p.ID}))
			if err != nil {
				t.Fatal(err)
			}
			n += len(got)
		}
		if n == 0 {
			t.Errorf("agency %s: its dashboard shows neither gauges nor milestones", a)
		}
	}

	checkDemoStory(t, prom, p)
}

// checkHealthchecks asks the running binary for the URLs the Dockerfile
// and docker-compose.yml use as healthchecks: a path the service does not
// serve would leave the container unhealthy and Prometheus never started.
func checkHealthchecks(t *testing.T, base string) {
	t.Helper()
	_, c := loadCompose(t)
	df, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	if hc := service(t, c, "targetwatch").Healthcheck; hc != nil {
		urls["docker-compose.yml"] = strings.Join(hc.Test, " ")
	}
	if m := regexp.MustCompile(`(?m)^HEALTHCHECK .*$\n?.*`).Find(df); m != nil {
		urls["Dockerfile"] = string(m)
	}
	for file, cmd := range urls {
		u := regexp.MustCompile(`http://localhost:8080(/\S*)`).FindStringSubmatch(cmd)
		if u == nil {
			t.Errorf("%s: healthcheck %q asks no http://localhost:8080 URL", file, cmd)
			continue
		}
		resp, err := http.Get(base + u[1])
		if err != nil {
			t.Errorf("%s: healthcheck %s: %v", file, u[1], err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: healthcheck %s: got status %d, want 200", file, u[1], resp.StatusCode)
		}
	}
	if len(urls) != 2 {
		t.Errorf("got healthchecks in %v, want both the Dockerfile and docker-compose.yml", urls)
	}
}

// pick runs expr and returns label of the series with the highest value,
// the smallest label value among equals.
func pick(t *testing.T, prom *prometheus, expr, label string) string {
	t.Helper()
	got, err := prom.query(expr)
	if err != nil || len(got) == 0 {
		t.Fatalf("%s: got %d series (%v), want some", expr, len(got), err)
	}
	sort.Slice(got, func(i, j int) bool {
		vi, vj := value(t, got[i]), value(t, got[j])
		if vi != vj {
			return vi > vj
		}
		return got[i].Metric[label] < got[j].Metric[label]
	})
	return got[0].Metric[label]
}

func value(t *testing.T, s series) float64 {
	t.Helper()
	str, _ := s.Value[1].(string)
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		t.Fatalf("value %v: %v", s.Value, err)
	}
	return v
}

// checkDemoStory checks that what the demo year was built to show is what
// the panels show: the gauge colours agree with the statuses, the overdue
// agency tops the overdue table, and the troubled targets lead the risk
// list.
func checkDemoStory(t *testing.T, prom *prometheus, p *plan.Plan) {
	t.Helper()
	_, story := demo.Year(p, demo.DefaultThrough)
	g := &generator{plan: p}
	gauge := g.gauges(scope{}, 1).queries[0].expr
	got, err := prom.query(substitute(gauge, map[string]string{VarPlan: p.ID}))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]float64{}
	for _, s := range got {
		byID[s.Metric[plan.LabelTargetID]] = value(t, s)
	}
	th := p.Thresholds
	tests := []struct {
		name, id string
		ok       func(v float64) bool
		want     string
	}{
		{"the off-track target's gauge is red", story.OffTrack, func(v float64) bool { return v < th.OffTrack }, "below the off_track threshold"},
		{"the at-risk target's gauge is yellow", story.AtRisk, func(v float64) bool { return v >= th.OffTrack && v < th.AtRisk }, "between the thresholds"},
		{"the breached cap's gauge is red", story.Breached, func(v float64) bool { return v >= 1 }, "at least 1 (the cap)"},
	}
	for _, tc := range tests {
		if tc.id == "" {
			continue
		}
		v, ok := byID[tc.id]
		if !ok {
			t.Errorf("%s: no gauge for %s", tc.name, tc.id)
			continue
		}
		if !tc.ok(v) {
			t.Errorf("%s: got %s = %.3f, want %s", tc.name, tc.id, v, tc.want)
		}
	}

	// The status stat shows the code of the current status.
	for id, want := range map[string]plan.Status{story.OffTrack: plan.OffTrack, story.AtRisk: plan.AtRisk, story.Breached: plan.Breached} {
		if id == "" {
			continue
		}
		got, err := prom.query(substitute(statusCodeExpr(eq(plan.LabelTargetID, id)), map[string]string{VarPlan: p.ID}))
		if err != nil || len(got) != 1 {
			t.Fatalf("status of %s: got %d series (%v), want 1", id, len(got), err)
		}
		if v := value(t, got[0]); v != float64(statusCode[want]) {
			t.Errorf("status of %s: got code %v, want %d (%s)", id, v, statusCode[want], statusName(want))
		}
	}

	if story.OverdueAgency != "" {
		top := pick(t, prom, substitute(g.overdueByAgency().queries[0].expr, map[string]string{VarPlan: p.ID}), plan.LabelAgency)
		if top != story.OverdueAgency {
			t.Errorf("overdue table: got %s on top, want %s, the agency that stopped reporting", top, story.OverdueAgency)
		}
	}

	risky, err := prom.query(substitute(g.mostAtRisk(scope{}).queries[0].expr, map[string]string{VarPlan: p.ID}))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, s := range risky {
		listed[s.Metric[plan.LabelTargetID]] = true
	}
	for _, id := range []string{story.OffTrack, story.Breached} {
		if id != "" && !listed[id] {
			t.Errorf("risk list: %s is missing from the ten most at risk", id)
		}
	}
}
