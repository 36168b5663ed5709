package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/store"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// wantAlert is a notification the receiver must get: which alert about
// which target, and a fragment of its description with actual, expected and
// goal as the fixture makes them.
type wantAlert struct {
	alert, target, agency, severity string
	figures                         string
}

func (w wantAlert) key() string { return w.alert + "/" + w.target }

// After fixtureFigures: every slipping target of the fixture, each to its
// own agency's receiver.
var wantFirst = []wantAlert{
	{plan.AlertTargetOffTrack, "sewer-pipes-built", water, "critical", "实际完成 3公里，截至本期应达 8公里，目标 16公里。"},
	{plan.AlertTargetMissed, "sludge-project-started", water, "critical", "实际完成 0项，应达 1项，目标 1项。"},
	{plan.AlertTargetCapBreached, "dry-waste-daily", landscaping, "critical", "实际 1800吨/日，截至本期应不超过 1743吨/日，目标上限 1743吨/日。"},
	{plan.AlertTargetReportOverdue, "sorting-compliance-share", landscaping, "warning", "已有 3 个月的月报逾期未报送。当前实际完成 58%，截至本期应达 55%，目标 70%。"},
	{plan.AlertTargetAtRisk, "recycling-points-built", landscaping, "warning", "实际完成 174个，截至本期应达 183个，目标 366个。"},
}

// After fixtureCorrection: recycling-points-built is off track. Prometheus
// keeps TargetAtRisk firing (keep_firing_for), and Alertmanager must hide it.
var wantAfterCorrection = []wantAlert{
	wantFirst[0], wantFirst[1], wantFirst[2], wantFirst[3],
	{plan.AlertTargetOffTrack, "recycling-points-built", landscaping, "critical", "实际完成 150个，截至本期应达 183个，目标 366个。"},
}

// TestAlertsReachEachAgencyEndToEnd runs targetwatch on the fixture plan, a
// real Prometheus scraping it every second with the repo's rules, and a real
// Alertmanager with the repo's routing whose receivers all point at a
// webhook inside this test. It checks, in three steps, what the bureaus
// would be told:
//  1. each slipping target's alert reaches its own agency's receiver, in one
//     notification per agency, with the labels and annotations of the rules,
//     and the healthy targets raise nothing;
//  2. a correction turns an at-risk target off track: TargetOffTrack
//     arrives, and TargetAtRisk, which Prometheus still fires, is inhibited;
//  3. targetwatch stops: TargetwatchDown reaches the supervision receiver.
//
// Departures from the shipped configuration, all in temporary copies: the
// rules' for: is 0 so alerts fire at the first evaluation (TargetwatchDown
// keeps 15s, so the seconds before Prometheus's first scrape do not count as
// an outage); Prometheus scrapes and evaluates every second and reaches
// targetwatch and Alertmanager on 127.0.0.1; Alertmanager waits one second
// before and between notifications, and its webhook URLs point here.
func TestAlertsReachEachAgencyEndToEnd(t *testing.T) {
	testenv.SkipIfShort(t, "starts targetwatch, Prometheus and Alertmanager")
	testenv.LookPath(t, "prometheus") // skip or fail before starting anything
	amBin := testenv.LookPath(t, "prometheus-alertmanager", "alertmanager")
	fixture := loadFixture(t)
	testenv.Targetwatch(t) // build it before the clock starts

	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Second)
	defer cancel()
	dir := t.TempDir()
	db := filepath.Join(dir, "targetwatch.db")
	token := issueAdminToken(t, db)
	tw := testenv.Serve(t,
		"--targets", filepath.Join(testenv.RepoRoot(), fixturePath),
		"--db", db,
		"--as-of", fixtureAsOf)
	for _, f := range fixtureFigures {
		if code := putFigure(ctx, t, tw.URL, token, f, ""); code != http.StatusCreated {
			t.Fatalf("PUT %s %s: got status %d, want %d", f.target, f.period, code, http.StatusCreated)
		}
	}
	t.Logf("targetwatch serving the fixture after %v", time.Since(start).Round(time.Millisecond))

	hook := newWebhook(t)
	amAddr := testenv.FreeAddr(t)
	amConfig := filepath.Join(dir, "alertmanager.yml")
	writeFile(t, amConfig, alertmanagerCopy(t, hook.URL))
	am := testenv.StartProcess(t, "alertmanager", amBin,
		"--config.file="+amConfig,
		"--storage.path="+filepath.Join(dir, "alertmanager"),
		"--web.listen-address="+amAddr,
		"--cluster.listen-address=")
	am.WaitReady(ctx, t, "http://"+amAddr+"/-/ready")

	rules := filepath.Join(dir, "targetwatch.rules.yml")
	writeFile(t, rules, rulesCopy(t))
	prom := testenv.StartPrometheus(t, prometheusCopy(t, tw.Addr, amAddr, rules))
	promAddr := prom.Addr
	t.Cleanup(func() {
		if t.Failed() {
			logPrometheusView(t, promAddr)
		}
	})

	// 1. The first notifications, one per agency.
	waitFor(ctx, t, hook, "each agency's slipping targets", func() error {
		return hook.firingMatches(wantFirst)
	})
	t.Logf("first notifications after %v", time.Since(start).Round(time.Millisecond))
	hook.checkAll(t, fixture, wantFirst)

	// 2. The correction: TargetAtRisk must be inhibited, not resolved.
	if code := putFigure(ctx, t, tw.URL, token, fixtureCorrection, "更正：6月数字误报"); code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("PUT correction: got status %d, want 200 or 201", code)
	}
	waitFor(ctx, t, hook, "TargetOffTrack replacing TargetAtRisk", func() error {
		return hook.firingMatches(wantAfterCorrection)
	})
	t.Logf("notifications after the correction at %v", time.Since(start).Round(time.Millisecond))
	hook.checkAll(t, fixture, wantAfterCorrection)
	if state := promAlertState(ctx, t, promAddr, plan.AlertTargetAtRisk, "recycling-points-built"); state != "firing" {
		t.Errorf("Prometheus %s for recycling-points-built: got state %q, want firing (kept firing after the change, for Alertmanager to inhibit)", plan.AlertTargetAtRisk, state)
	}
	if by := amInhibitedBy(ctx, t, amAddr, plan.AlertTargetAtRisk, "recycling-points-built"); len(by) == 0 {
		t.Errorf("Alertmanager %s for recycling-points-built: got inhibitedBy %v, want the fingerprint of TargetOffTrack", plan.AlertTargetAtRisk, by)
	}

	// 3. The service goes away.
	tw.Stop()
	waitFor(ctx, t, hook, "TargetwatchDown at the supervision receiver", func() error {
		n, ok := hook.latest("supervision")
		if !ok {
			return fmt.Errorf("no notification to supervision yet")
		}
		for _, a := range n.Alerts {
			if a.Status == "firing" && a.Labels["alertname"] == plan.AlertTargetwatchDown {
				return nil
			}
		}
		return fmt.Errorf("supervision got %v", n.keys())
	})
	t.Logf("TargetwatchDown at %v", time.Since(start).Round(time.Millisecond))
	n, _ := hook.latest("supervision")
	if len(n.GroupLabels) != 0 {
		t.Errorf("supervision group labels: got %v, want none (TargetwatchDown has no agency)", n.GroupLabels)
	}
	for _, a := range n.Alerts {
		if a.Labels["alertname"] != plan.AlertTargetwatchDown {
			t.Errorf("supervision got %s, want only %s", a.Labels["alertname"], plan.AlertTargetwatchDown)
			continue
		}
		if a.Labels["job"] != plan.PrometheusJob || a.Labels["severity"] != "critical" || a.Labels["instance"] != tw.Addr {
			t.Errorf("%s labels: got %v, want job=%s severity=critical instance=%s", plan.AlertTargetwatchDown, a.Labels, plan.PrometheusJob, tw.Addr)
		}
	}
}

// issueAdminToken runs `targetwatch token issue` on the test's database and
// returns the secret it prints.
func issueAdminToken(t *testing.T, db string) string {
	t.Helper()
	out := testenv.Run(t, "token", "issue",
		"--db", db, "--agency", water, "--role", string(plan.RoleAdmin), "--name", "alerting-e2e")
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, store.TokenPrefix) {
			return f
		}
	}
	t.Fatalf("targetwatch token issue printed no %s... secret:\n%s", store.TokenPrefix, out)
	return ""
}

// putFigure submits one figure through the API and returns the status.
func putFigure(ctx context.Context, t *testing.T, base, token string, f figure, note string) int {
	t.Helper()
	body, err := json.Marshal(map[string]any{"value": f.value, "note": note})
	if err != nil {
		t.Fatal(err)
	}
	u := base + "/api/v1/targets/" + url.PathEscape(f.target) + "/reports/" + f.period
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", u, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Logf("PUT %s: %d %s", u, resp.StatusCode, msg)
	}
	return resp.StatusCode
}

// notification is the part of Alertmanager's webhook payload (version 4)
// the test reads.
type notification struct {
	Receiver    string            `json:"receiver"`
	Status      string            `json:"status"`
	GroupKey    string            `json:"groupKey"`
	GroupLabels map[string]string `json:"groupLabels"`
	Alerts      []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"alerts"`

	path string // the URL path it was posted to: /<receiver name>
}

// keys lists the firing alerts as alertname/target_id, sorted.
func (n notification) keys() []string {
	var out []string
	for _, a := range n.Alerts {
		if a.Status == "firing" {
			out = append(out, a.Labels["alertname"]+"/"+a.Labels[plan.LabelTargetID])
		}
	}
	slices.Sort(out)
	return out
}

// webhook records every notification Alertmanager posts. Safe for
// concurrent use.
type webhook struct {
	URL string
	mu  sync.Mutex
	got []notification
}

func newWebhook(t *testing.T) *webhook {
	h := &webhook{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n notification
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n.path = r.URL.Path
		h.mu.Lock()
		h.got = append(h.got, n)
		h.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

func (h *webhook) all() []notification {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// latest is the most recent notification to receiver. Each notification
// lists every alert of its group, so the latest one is the group's state.
func (h *webhook) latest(receiver string) (notification, bool) {
	all := h.all()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Receiver == receiver {
			return all[i], true
		}
	}
	return notification{}, false
}

// firingMatches reports how the latest notification of each fixture agency
// differs from want.
func (h *webhook) firingMatches(want []wantAlert) error {
	var diffs []string
	for _, agency := range []string{water, landscaping} {
		var keys []string
		for _, w := range want {
			if w.agency == agency {
				keys = append(keys, w.key())
			}
		}
		slices.Sort(keys)
		n, _ := h.latest("agency-" + agency)
		if got := n.keys(); !slices.Equal(got, keys) {
			diffs = append(diffs, fmt.Sprintf("agency-%s: got %v, want %v", agency, got, keys))
		}
	}
	if diffs != nil {
		return fmt.Errorf("%s", strings.Join(diffs, "; "))
	}
	return nil
}

// checkAll checks every notification received so far: grouped by agency,
// sent to that agency's receiver, nothing about a healthy target; and the
// labels and annotations of the alerts in want, as the latest notifications
// show them.
func (h *webhook) checkAll(t *testing.T, p *plan.Plan, want []wantAlert) {
	t.Helper()
	for _, n := range h.all() {
		if n.Receiver == "supervision" {
			continue
		}
		agency := strings.TrimPrefix(n.Receiver, "agency-")
		if n.path != "/"+n.Receiver {
			t.Errorf("notification for %s posted to %s", n.Receiver, n.path)
		}
		if len(n.GroupLabels) != 2 || n.GroupLabels[plan.LabelAgency] != agency || n.GroupLabels[plan.LabelPlan] != p.ID {
			t.Errorf("%s: got group labels %v, want {agency=%s, plan=%s}", n.Receiver, n.GroupLabels, agency, p.ID)
		}
		for _, a := range n.Alerts {
			if a.Labels[plan.LabelAgency] != agency {
				t.Errorf("%s got %s/%s of agency %q", n.Receiver, a.Labels["alertname"], a.Labels[plan.LabelTargetID], a.Labels[plan.LabelAgency])
			}
			if slices.Contains(healthyTargets, a.Labels[plan.LabelTargetID]) {
				t.Errorf("%s got %s for %s, which is healthy", n.Receiver, a.Labels["alertname"], a.Labels[plan.LabelTargetID])
			}
		}
	}
	for _, w := range want {
		n, _ := h.latest("agency-" + w.agency)
		tg, ok := p.Target(w.target)
		if !ok {
			t.Fatalf("%s: not in the fixture", w.target)
		}
		found := false
		for _, a := range n.Alerts {
			if a.Labels["alertname"] != w.alert || a.Labels[plan.LabelTargetID] != w.target {
				continue
			}
			found = true
			for label, v := range map[string]string{
				"severity":         w.severity,
				plan.LabelAgency:   w.agency,
				plan.LabelPlan:     p.ID,
				plan.LabelTitle:    tg.Title,
				plan.LabelUnit:     tg.Unit,
				plan.LabelItem:     tg.Item,
				"job":              plan.PrometheusJob,
				plan.LabelTargetID: w.target,
			} {
				if a.Labels[label] != v {
					t.Errorf("%s label %s: got %q, want %q", w.key(), label, a.Labels[label], v)
				}
			}
			if got := a.Annotations["summary"]; got != tg.Title {
				t.Errorf("%s summary: got %q, want %q", w.key(), got, tg.Title)
			}
			desc := a.Annotations["description"]
			link := "http://localhost:3000/d/" + plan.DashboardTargetUID + "?var-" + plan.LabelPlan + "=" + p.ID + "&var-" + plan.LabelTargetID + "=" + w.target
			if !strings.Contains(desc, w.figures) || !strings.HasSuffix(desc, link) {
				t.Errorf("%s description: got %q, want it to contain %q and end with %s", w.key(), desc, w.figures, link)
			}
			if got := a.Annotations["dashboard"]; got != link {
				t.Errorf("%s dashboard: got %q, want %q", w.key(), got, link)
			}
		}
		if !found {
			t.Errorf("%s: not in the latest notification to agency-%s (%v)", w.key(), w.agency, n.keys())
		}
	}
}

// waitFor polls cond until it returns nil, and fails the test with the last
// difference and every notification received when ctx ends first.
func waitFor(ctx context.Context, t *testing.T, h *webhook, what string, cond func() error) {
	t.Helper()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		err := cond()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			var b strings.Builder
			for _, n := range h.all() {
				fmt.Fprintf(&b, "  %s %s %v %v\n", n.Receiver, n.Status, n.GroupLabels, n.keys())
			}
			t.Fatalf("waiting for %s: %v\nnotifications received:\n%s", what, err, b.String())
		case <-tick.C:
		}
	}
}

// promAlertState asks Prometheus for the state of one alert of one target.
func promAlertState(ctx context.Context, t *testing.T, addr, alert, target string) string {
	t.Helper()
	var resp struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	getJSON(ctx, t, "http://"+addr+"/api/v1/alerts", &resp)
	for _, a := range resp.Data.Alerts {
		if a.Labels["alertname"] == alert && a.Labels[plan.LabelTargetID] == target {
			return a.State
		}
	}
	return ""
}

// logPrometheusView logs what Prometheus scrapes and which alerts it fires,
// to tell a failed scrape from a rule that does not match.
func logPrometheusView(t *testing.T, addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, path := range []string{"/api/v1/targets?state=active", "/api/v1/alerts"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
		if err != nil {
			continue
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Logf("GET %s: %v", path, err)
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4000))
		resp.Body.Close()
		t.Logf("Prometheus %s:\n%s", path, b)
	}
}

// amInhibitedBy asks Alertmanager which alerts inhibit one alert of one
// target.
func amInhibitedBy(ctx context.Context, t *testing.T, addr, alert, target string) []string {
	t.Helper()
	var alerts []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State       string   `json:"state"`
			InhibitedBy []string `json:"inhibitedBy"`
		} `json:"status"`
	}
	getJSON(ctx, t, "http://"+addr+"/api/v2/alerts", &alerts)
	for _, a := range alerts {
		if a.Labels["alertname"] == alert && a.Labels[plan.LabelTargetID] == target {
			return a.Status.InhibitedBy
		}
	}
	return nil
}

func getJSON(ctx context.Context, t *testing.T, u string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// rulesCopy is the repo's rule file with for: 0s (15s for TargetwatchDown),
// everything else unchanged.
func rulesCopy(t *testing.T) []byte {
	t.Helper()
	var f map[string]any
	readYAML(t, rulesPath, &f)
	n := 0
	for _, g := range f["groups"].([]any) {
		for _, r := range g.(map[string]any)["rules"].([]any) {
			r := r.(map[string]any)
			switch r["alert"] {
			case nil:
			case plan.AlertTargetwatchDown:
				r["for"] = "15s"
				n++
			default:
				r["for"] = "0s"
				n++
			}
		}
	}
	if n == 0 {
		t.Fatalf("%s: no alerting rules", rulesPath)
	}
	return marshal(t, f)
}

// prometheusCopy is the repo's prometheus.yml reduced to the targetwatch
// job (other jobs would scrape whatever listens on this machine), pointed at
// the test's processes, scraping and evaluating every second.
func prometheusCopy(t *testing.T, twAddr, amAddr, rules string) []byte {
	t.Helper()
	var c map[string]any
	readYAML(t, prometheusPath, &c)
	global, _ := c["global"].(map[string]any)
	if global == nil {
		global = map[string]any{}
		c["global"] = global
	}
	global["scrape_interval"] = "1s"
	global["scrape_timeout"] = "1s"
	global["evaluation_interval"] = "1s"
	c["rule_files"] = []string{rules}
	c["alerting"] = map[string]any{"alertmanagers": []any{
		map[string]any{"static_configs": []any{map[string]any{"targets": []string{amAddr}}}},
	}}
	var jobs []any
	for _, sc := range c["scrape_configs"].([]any) {
		job := sc.(map[string]any)
		if job["job_name"] != plan.PrometheusJob {
			continue
		}
		job["static_configs"] = []any{map[string]any{"targets": []string{twAddr}}}
		jobs = append(jobs, job)
	}
	if len(jobs) != 1 {
		t.Fatalf("%s: got %d jobs named %s, want 1", prometheusPath, len(jobs), plan.PrometheusJob)
	}
	c["scrape_configs"] = jobs
	return marshal(t, c)
}

// alertmanagerCopy is the repo's alertmanager.yml, routes and inhibit rules
// untouched, with every webhook pointed at hookURL/<receiver name> and
// notifications sent a second after an alert arrives or changes.
func alertmanagerCopy(t *testing.T, hookURL string) []byte {
	t.Helper()
	var c map[string]any
	readYAML(t, alertmanagerPath, &c)
	route := c["route"].(map[string]any)
	route["group_wait"] = "1s"
	route["group_interval"] = "1s"
	route["repeat_interval"] = "1h"
	for _, r := range c["receivers"].([]any) {
		r := r.(map[string]any)
		hooks, _ := r["webhook_configs"].([]any)
		if len(hooks) == 0 {
			t.Fatalf("%s: receiver %v has no webhook", alertmanagerPath, r["name"])
		}
		for _, w := range hooks {
			w.(map[string]any)["url"] = hookURL + "/" + r["name"].(string)
		}
	}
	return marshal(t, c)
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
