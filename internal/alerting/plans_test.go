package alerting

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// One targetwatch serving two plans, a real Prometheus with the repo's
// rules (for: 0): the off-track target of each plan fires TargetOffTrack
// labelled with its own plan, and the description reads the figures of
// that plan's series. The water bureau has a slipping target in each plan,
// so with Alertmanager's group_by [agency, plan] it gets one notification
// per plan.
func TestTwoPlansAlertWithTheirPlan(t *testing.T) {
	testenv.SkipIfShort(t, "starts targetwatch and Prometheus")
	testenv.LookPath(t, "prometheus")
	fixture := loadFixture(t)
	testenv.Targetwatch(t)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	db := filepath.Join(dir, "targetwatch.db")
	token := issueAdminToken(t, db)
	tw := testenv.Serve(t,
		"--targets", filepath.Join(testenv.RepoRoot(), fixturePath),
		"--targets", filepath.Join(testenv.RepoRoot(), "internal", "alerting", "testdata", "city.yaml"),
		"--db", db, "--as-of", fixtureAsOf)
	figs := append(append([]figure(nil), fixtureFigures...), monthly("city-sewer-pipes-built", 1, 1, 1, 1, 1)...)
	for _, f := range figs {
		if code := putFigure(ctx, t, tw.URL, token, f, ""); code != http.StatusCreated {
			t.Fatalf("PUT %s %s: got status %d, want 201", f.target, f.period, code)
		}
	}
	rules := filepath.Join(dir, "targetwatch.rules.yml")
	writeFile(t, rules, rulesCopy(t))
	prom := testenv.StartPrometheus(t, prometheusCopy(t, tw.Addr, testenv.FreeAddr(t), rules))
	t.Cleanup(func() {
		if t.Failed() {
			logPrometheusView(t, prom.Addr)
		}
	})

	tests := []struct {
		name, target, plan string
		figures            string
	}{
		{"the fixture plan's off-track target names the fixture plan", "sewer-pipes-built", fixture.ID,
			"实际完成 3公里，截至本期应达 8公里，目标 16公里。"},
		// 1 km in each of January to May; 40·5/12 = 16.666… expected.
		{"the city plan's off-track target names the city plan", "city-sewer-pipes-built", "city-2019",
			"实际完成 5公里，截至本期应达 16.67公里，目标 40公里。"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]string
			var desc string
			for got == nil {
				var resp struct {
					Data struct {
						Alerts []struct {
							Labels      map[string]string `json:"labels"`
							Annotations map[string]string `json:"annotations"`
							State       string            `json:"state"`
						} `json:"alerts"`
					} `json:"data"`
				}
				getJSON(ctx, t, "http://"+prom.Addr+"/api/v1/alerts", &resp)
				for _, a := range resp.Data.Alerts {
					if a.Labels["alertname"] == plan.AlertTargetOffTrack && a.Labels[plan.LabelTargetID] == tc.target && a.State == "firing" {
						got, desc = a.Labels, a.Annotations["description"]
					}
				}
				if got == nil {
					select {
					case <-ctx.Done():
						t.Fatalf("%s for %s never fired", plan.AlertTargetOffTrack, tc.target)
					case <-time.After(200 * time.Millisecond):
					}
				}
			}
			if got[plan.LabelPlan] != tc.plan || got[plan.LabelAgency] != water {
				t.Errorf("labels: got plan %q agency %q, want %s and %s", got[plan.LabelPlan], got[plan.LabelAgency], tc.plan, water)
			}
			link := fmt.Sprintf("var-plan=%s&var-target_id=%s", tc.plan, tc.target)
			if !strings.Contains(desc, tc.figures) || !strings.HasSuffix(desc, link) {
				t.Errorf("description: got %q, want %q and a link ending %s", desc, tc.figures, link)
			}
		})
	}
}
