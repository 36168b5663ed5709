package alerting

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// Paths of the shipped configuration, relative to the repository root.
const (
	rulesPath        = "deploy/prometheus/rules/targetwatch.rules.yml"
	prometheusPath   = "deploy/prometheus/prometheus.yml"
	alertmanagerPath = "deploy/alertmanager/alertmanager.yml"
)

// ruleFile is the part of a Prometheus rule file these tests read.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Alert         string            `yaml:"alert"`
	Expr          string            `yaml:"expr"`
	For           string            `yaml:"for"`
	KeepFiringFor string            `yaml:"keep_firing_for"`
	Labels        map[string]string `yaml:"labels"`
	Annotations   map[string]string `yaml:"annotations"`
}

func readYAML(t *testing.T, rel string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

func loadRules(t *testing.T) map[string]rule {
	t.Helper()
	var f ruleFile
	readYAML(t, rulesPath, &f)
	rules := map[string]rule{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			if _, dup := rules[r.Alert]; dup {
				t.Errorf("alert %s is defined twice", r.Alert)
			}
			rules[r.Alert] = r
		}
	}
	return rules
}

// targetAlerts are the alerts about one target; TargetwatchDown is about the
// service.
var targetAlerts = []string{
	plan.AlertTargetAtRisk,
	plan.AlertTargetOffTrack,
	plan.AlertTargetCapBreached,
	plan.AlertTargetMissed,
	plan.AlertTargetReportOverdue,
}

func TestRulesDefineExactlyThePlanAlerts(t *testing.T) {
	rules := loadRules(t)
	want := append(slices.Clone(targetAlerts), plan.AlertTargetwatchDown, plan.AlertPlanReloadFailed)
	var got []string
	for name := range rules {
		got = append(got, name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("alerts in %s: got %v, want %v", rulesPath, got, want)
	}
}

func TestRuleSeverities(t *testing.T) {
	rules := loadRules(t)
	for _, tc := range []struct {
		alert, severity string
	}{
		{plan.AlertTargetAtRisk, "warning"},
		{plan.AlertTargetOffTrack, "critical"},
		{plan.AlertTargetCapBreached, "critical"},
		{plan.AlertTargetMissed, "critical"},
		{plan.AlertTargetReportOverdue, "warning"},
		{plan.AlertTargetwatchDown, "critical"},
		{plan.AlertPlanReloadFailed, "warning"},
	} {
		if got := rules[tc.alert].Labels["severity"]; got != tc.severity {
			t.Errorf("%s severity: got %q, want %q", tc.alert, got, tc.severity)
		}
	}
}

// planMetrics are the metric names of internal/plan/names.go.
var planMetrics = []string{
	plan.MetricTargetInfo, plan.MetricAgencyInfo, plan.MetricTargetGoal,
	plan.MetricTargetActual, plan.MetricTargetExpected, plan.MetricTargetProjected,
	plan.MetricTargetProgressRatio, plan.MetricTargetExpectedRatio,
	plan.MetricTargetStatus, plan.MetricTargetDeadline, plan.MetricTargetLastReport,
	plan.MetricTargetMissing, plan.MetricTargetRevisions, plan.MetricPlanInfo,
	plan.MetricPlanLastReloadSuccessful, plan.MetricPlanLastReloadSuccess,
}

var metricName = regexp.MustCompile(`\b` + plan.MetricPrefix + `[a-z0-9_]+`)

func TestRulesUseOnlyPlanMetricNames(t *testing.T) {
	for name, r := range loadRules(t) {
		texts := []string{r.Expr}
		for _, a := range r.Annotations {
			texts = append(texts, a)
		}
		for _, text := range texts {
			for _, m := range metricName.FindAllString(text, -1) {
				if !slices.Contains(planMetrics, m) {
					t.Errorf("%s uses %s, which internal/plan/names.go does not define", name, m)
				}
			}
		}
	}
}

// statusOf maps each status alert to the state it watches.
var statusOf = map[string]plan.Status{
	plan.AlertTargetAtRisk:      plan.AtRisk,
	plan.AlertTargetOffTrack:    plan.OffTrack,
	plan.AlertTargetCapBreached: plan.Breached,
	plan.AlertTargetMissed:      plan.Missed,
}

// The labels Alertmanager routes on and the annotations people read must
// come from targetwatch_target_info, whatever else changes in the rules.
func TestTargetAlertsCarryAgencyTitleAndDashboardLink(t *testing.T) {
	rules := loadRules(t)
	dashboard := "/d/" + plan.DashboardTargetUID + "?var-" + plan.LabelPlan + "={{ $labels." + plan.LabelPlan + " }}&var-" + plan.LabelTargetID + "={{ $labels." + plan.LabelTargetID + " }}"
	for _, name := range targetAlerts {
		r := rules[name]
		expr := strings.Join(strings.Fields(r.Expr), " ")
		desc := r.Annotations["description"]
		type check struct {
			what, in string
			ok       bool
		}
		checks := []check{
			{"expr joins " + plan.MetricTargetInfo, expr, strings.Contains(expr, plan.MetricTargetInfo)},
			{"expr matches on " + plan.LabelTargetID, expr, regexp.MustCompile(`on \([^)]*\b` + plan.LabelTargetID + `\b[^)]*\) group_left`).MatchString(expr)},
			{"expr matches on " + plan.LabelPlan, expr, regexp.MustCompile(`on \([^)]*\b` + plan.LabelPlan + `\b[^)]*\) group_left`).MatchString(expr)},
			{"description reads the figures of the alert's plan", desc, strings.Count(desc, plan.LabelPlan+`="%s"`) >= 3 &&
				strings.Count(desc, plan.LabelPlan+`="%s"`) == strings.Count(desc, plan.LabelTargetID+`="%s"`)},
			{"group_left brings agency, title and unit", expr, regexp.MustCompile(`group_left \([^)]*\b` + plan.LabelAgency + `\b[^)]*\b` + plan.LabelTitle + `\b[^)]*\b` + plan.LabelUnit + `\b`).MatchString(expr)},
			{"summary is the title", r.Annotations["summary"], r.Annotations["summary"] == "{{ $labels."+plan.LabelTitle+" }}"},
			{"description links the target dashboard", desc, strings.Contains(desc, dashboard)},
			{"dashboard annotation links the target dashboard", r.Annotations["dashboard"], strings.Contains(r.Annotations["dashboard"], dashboard)},
			{"description shows the goal", desc, strings.Contains(desc, plan.MetricTargetGoal+"{")},
			{"description shows the expected value", desc, strings.Contains(desc, plan.MetricTargetExpected+"{")},
			{"description shows the actual value", desc, strings.Contains(desc, plan.MetricTargetActual+"{")},
			{"description copes with a missing actual", desc, strings.Contains(desc, "未报送")},
		}
		if s, ok := statusOf[name]; ok {
			checks = append(checks, check{"expr selects status " + string(s), expr, strings.Contains(expr, plan.MetricTargetStatus+`{`+plan.LabelStatus+`="`+string(s)+`"} == 1`)})
		}
		for _, c := range checks {
			if !c.ok {
				t.Errorf("%s: %s: not so in\n%s", name, c.what, c.in)
			}
		}
	}
	if !strings.Contains(rules[plan.AlertTargetReportOverdue].Expr, plan.MetricTargetMissing+" > 0") {
		t.Errorf("%s: got expr %q, want it to test %s > 0", plan.AlertTargetReportOverdue, rules[plan.AlertTargetReportOverdue].Expr, plan.MetricTargetMissing)
	}
	down := rules[plan.AlertTargetwatchDown].Expr
	for _, want := range []string{`up{job="` + plan.PrometheusJob + `"} == 0`, `absent(up{job="` + plan.PrometheusJob + `"})`} {
		if !strings.Contains(down, want) {
			t.Errorf("%s: got expr %q, want it to contain %s", plan.AlertTargetwatchDown, down, want)
		}
	}
}

// The repo's rules must never ship with the end-to-end test's for: 0: a
// restart or one late scrape would then notify.
func TestRulesWaitBeforeNotifying(t *testing.T) {
	rules := loadRules(t)
	for _, tc := range []struct {
		alert             string
		minFor, minKeep   time.Duration
		keepFiringForNone bool
	}{
		{alert: plan.AlertTargetAtRisk, minFor: 15 * time.Minute, minKeep: 10 * time.Minute},
		{alert: plan.AlertTargetOffTrack, minFor: 10 * time.Minute, minKeep: 10 * time.Minute},
		{alert: plan.AlertTargetCapBreached, minFor: 10 * time.Minute, minKeep: 10 * time.Minute},
		{alert: plan.AlertTargetMissed, minFor: 10 * time.Minute, minKeep: 10 * time.Minute},
		{alert: plan.AlertTargetReportOverdue, minFor: 15 * time.Minute, minKeep: 10 * time.Minute},
		{alert: plan.AlertTargetwatchDown, minFor: 2 * time.Minute, keepFiringForNone: true},
	} {
		r := rules[tc.alert]
		if d, err := time.ParseDuration(r.For); err != nil || d < tc.minFor {
			t.Errorf("%s: got for %q, want at least %v", tc.alert, r.For, tc.minFor)
		}
		if tc.keepFiringForNone {
			continue
		}
		if d, err := time.ParseDuration(r.KeepFiringFor); err != nil || d < tc.minKeep {
			t.Errorf("%s: got keep_firing_for %q, want at least %v", tc.alert, r.KeepFiringFor, tc.minKeep)
		}
	}
}

// docker-compose runs Prometheus next to services named targetwatch and
// alertmanager; the job name is what the rules and dashboards select.
func TestPrometheusConfigScrapesTargetwatchAndLoadsTheRules(t *testing.T) {
	var c testenv.PrometheusConfig
	readYAML(t, prometheusPath, &c)

	var jobTargets []string
	for _, sc := range c.ScrapeConfigs {
		if sc.JobName != plan.PrometheusJob {
			continue
		}
		if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
			t.Errorf("job %s: got metrics_path %q, want /metrics", sc.JobName, sc.MetricsPath)
		}
		for _, s := range sc.StaticConfigs {
			jobTargets = append(jobTargets, s.Targets...)
		}
	}
	if !slices.Equal(jobTargets, []string{"targetwatch:8080"}) {
		t.Errorf("job %q targets: got %v, want [targetwatch:8080]", plan.PrometheusJob, jobTargets)
	}

	var ams []string
	for _, am := range c.Alerting.Alertmanagers {
		for _, s := range am.StaticConfigs {
			ams = append(ams, s.Targets...)
		}
	}
	if !slices.Equal(ams, []string{"alertmanager:9093"}) {
		t.Errorf("alertmanagers: got %v, want [alertmanager:9093]", ams)
	}

	// The globs resolve relative to prometheus.yml; they must pick up the
	// rules and not their promtool test file.
	dir := filepath.Join(testenv.RepoRoot(), filepath.Dir(prometheusPath))
	var loaded []string
	for _, g := range c.RuleFiles {
		m, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			rel, _ := filepath.Rel(testenv.RepoRoot(), f)
			loaded = append(loaded, filepath.ToSlash(rel))
		}
	}
	if !slices.Equal(loaded, []string{rulesPath}) {
		t.Errorf("rule files loaded: got %v, want [%s]", loaded, rulesPath)
	}
}

// amConfig is the part of alertmanager.yml these tests read.
type amConfig struct {
	Route struct {
		Receiver string   `yaml:"receiver"`
		GroupBy  []string `yaml:"group_by"`
		Routes   []struct {
			Matchers []string `yaml:"matchers"`
			Receiver string   `yaml:"receiver"`
		} `yaml:"routes"`
	} `yaml:"route"`
	Receivers []struct {
		Name           string `yaml:"name"`
		WebhookConfigs []struct {
			URL string `yaml:"url"`
		} `yaml:"webhook_configs"`
	} `yaml:"receivers"`
	InhibitRules []struct {
		SourceMatchers []string `yaml:"source_matchers"`
		TargetMatchers []string `yaml:"target_matchers"`
		Equal          []string `yaml:"equal"`
	} `yaml:"inhibit_rules"`
}

// Every bureau of targets.yaml must hear about its own targets: ask amtool
// (Alertmanager's own routing code) where an alert of each agency goes.
func TestAlertmanagerRoutesEachAgencyToItsOwnReceiver(t *testing.T) {
	amtool := testenv.LookPath(t, "amtool")
	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatalf("load targets.yaml: %v", err)
	}
	cfg := filepath.Join(testenv.RepoRoot(), alertmanagerPath)

	type routeCase struct {
		name   string
		labels []string
		want   string
	}
	var cases []routeCase
	for _, a := range p.Agencies {
		cases = append(cases, routeCase{
			name:   "an alert of " + a.ID + " (" + a.Name + ") reaches that agency",
			labels: []string{"alertname=" + plan.AlertTargetOffTrack, plan.LabelAgency + "=" + a.ID, "severity=critical"},
			want:   "agency-" + a.ID,
		})
	}
	cases = append(cases,
		routeCase{"TargetwatchDown, which has no agency, reaches the supervision office", []string{"alertname=" + plan.AlertTargetwatchDown, "severity=critical"}, "supervision"},
		routeCase{"a failed reload of the plans reaches the supervision office, which edits them", []string{"alertname=" + plan.AlertPlanReloadFailed, "severity=warning"}, "supervision"},
		routeCase{"an agency the plan does not know reaches the supervision office", []string{"alertname=" + plan.AlertTargetAtRisk, plan.LabelAgency + "=no-such-bureau"}, "supervision"},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"config", "routes", "test", "--config.file=" + cfg}, tc.labels...)
			out, err := exec.Command(amtool, args...).Output()
			if err != nil {
				t.Fatalf("amtool %v: %v", args, err)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("receiver: got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAlertmanagerConfigShape(t *testing.T) {
	var c amConfig
	readYAML(t, alertmanagerPath, &c)
	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatalf("load targets.yaml: %v", err)
	}

	// One notification per bureau and plan.
	if want := []string{plan.LabelAgency, plan.LabelPlan}; !slices.Equal(c.Route.GroupBy, want) {
		t.Errorf("group_by: got %v, want %v", c.Route.GroupBy, want)
	}

	// No route for an agency the plan no longer has: it would hide a
	// renamed agency behind a receiver nobody reads.
	matcher := regexp.MustCompile(`^` + plan.LabelAgency + `="([^"]+)"$`)
	for _, r := range c.Route.Routes {
		for _, m := range r.Matchers {
			sub := matcher.FindStringSubmatch(m)
			if sub == nil {
				continue
			}
			if _, ok := p.Agency(sub[1]); !ok {
				t.Errorf("route %s -> %s: no agency %q in targets.yaml", m, r.Receiver, sub[1])
			}
		}
	}

	// Every receiver has somewhere to send to.
	for _, r := range c.Receivers {
		if len(r.WebhookConfigs) == 0 || r.WebhookConfigs[0].URL == "" {
			t.Errorf("receiver %s: no webhook url", r.Name)
		}
	}

	found := false
	for _, ir := range c.InhibitRules {
		if slices.Equal(ir.SourceMatchers, []string{`alertname="` + plan.AlertTargetOffTrack + `"`}) &&
			slices.Equal(ir.TargetMatchers, []string{`alertname="` + plan.AlertTargetAtRisk + `"`}) &&
			slices.Equal(ir.Equal, []string{plan.LabelPlan, plan.LabelTargetID}) {
			found = true
		}
	}
	if !found {
		t.Errorf("inhibit_rules: got %+v, want %s to inhibit %s for the same %s and %s", c.InhibitRules, plan.AlertTargetOffTrack, plan.AlertTargetAtRisk, plan.LabelPlan, plan.LabelTargetID)
	}
}
