package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// storeRaw writes revisions straight into the database's table, as a
// version without the figure bound would have stored them.
func storeRaw(t *testing.T, db string, rows ...plan.Report) {
	t.Helper()
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, r := range rows {
		if _, err := raw.Exec(`INSERT INTO revisions (target, period, revision, value, note, agency, token_name, received)
			VALUES (?, ?, ?, ?, '', ?, 'old-version', ?)`,
			r.Target, r.Period.String(), r.Revision, r.Value, r.Agency, r.Received.UnixNano()); err != nil {
			t.Fatalf("insert %s %s = %v: %v", r.Target, r.Period, r.Value, err)
		}
	}
}

// nonFinite finds a written-out infinity or NaN (and not "Inferior").
var nonFinite = regexp.MustCompile(`\b(Inf|Infinity|NaN)\b`)

// A database written before figures were bounded holds 1e307 on the
// daily-mean cap dry-waste-daily and 1.7e308 twice on the sum
// sewer-pipes-built. Every read stays 200 with finite numbers, and the cap
// stays breached: counted as 10¹², the cap's mean is far above 1743.
func TestHugeStoredFiguresBreakNoRead(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tw.db")
	admin := issueToken(t, db, "--role", "admin")
	sent := time.Date(2019, 10, 2, 9, 0, 0, 0, time.UTC)
	storeRaw(t, db,
		plan.Report{Target: "dry-waste-daily", Period: plan.Period{Year: 2019, Month: 8}, Revision: 1, Value: 1600, Agency: "landscaping", Received: sent},
		plan.Report{Target: "dry-waste-daily", Period: plan.Period{Year: 2019, Month: 9}, Revision: 1, Value: 1e307, Agency: "landscaping", Received: sent},
		plan.Report{Target: "sewer-pipes-built", Period: plan.Period{Year: 2019, Month: 8}, Revision: 1, Value: 1.7e308, Agency: "water-affairs", Received: sent},
		plan.Report{Target: "sewer-pipes-built", Period: plan.Period{Year: 2019, Month: 9}, Revision: 1, Value: 1.7e308, Agency: "water-affairs", Received: sent},
		// SQLite holds an infinity too, if someone writes one by hand.
		plan.Report{Target: "inferior-water-bodies-eliminated", Period: plan.Period{Year: 2019, Month: 9}, Revision: 1, Value: math.Inf(1), Agency: "water-affairs", Received: sent},
	)
	url := testenv.Serve(t, "--db", db, "--as-of", "2019-10-15").URL

	noInf := func(what, body string) {
		t.Helper()
		if m := nonFinite.FindString(body); m != "" {
			t.Errorf("%s: got %q in the answer, want finite numbers only", what, m)
		}
	}
	type target struct {
		ID        string   `json:"id"`
		Actual    *float64 `json:"actual"`
		Expected  float64  `json:"expected"`
		Projected *float64 `json:"projected"`
		Progress  *float64 `json:"progress_ratio"`
		Status    string   `json:"status"`
	}
	var list struct{ Targets []target }
	code, body := get(t, url+"/api/v1/targets", admin)
	if code != 200 || json.Unmarshal([]byte(body), &list) != nil {
		t.Errorf("/api/v1/targets: got %d %.300s, want 200 and JSON", code, body)
	}
	noInf("/api/v1/targets", body)
	found := 0
	for _, g := range list.Targets {
		switch g.ID {
		case "dry-waste-daily":
			found++
			// August 1600 t/day over 31 days, September 1e12 (the
			// bound) over 30: (1600·31 + 1e12·30) / 61.
			if want := (1600*31 + 1e12*30) / 61.0; g.Actual == nil || math.Abs(*g.Actual-want) > 1 || g.Status != "breached" {
				t.Errorf("dry-waste-daily: got actual %v status %s, want %v breached", g.Actual, g.Status, want)
			}
		case "sewer-pipes-built":
			found++
			// 1e12 + 1e12: both months count as the bound.
			if g.Actual == nil || *g.Actual != 2e12 || g.Status != "achieved" {
				t.Errorf("sewer-pipes-built: got actual %v status %s, want 2e12 achieved", g.Actual, g.Status)
			}
		}
	}
	if found != 2 && code == 200 {
		t.Errorf("got %d of the two targets in the list, want both", found)
	}

	var one target
	code, body = get(t, url+"/api/v1/targets/dry-waste-daily", admin)
	if code != 200 || json.Unmarshal([]byte(body), &one) != nil || one.Status != "breached" {
		t.Errorf("/api/v1/targets/dry-waste-daily: got %d %.300s, want 200 breached", code, body)
	}
	noInf("/api/v1/targets/dry-waste-daily", body)

	code, body = get(t, url+"/api/v1/report?format=json", admin)
	if code != 200 || !json.Valid([]byte(body)) {
		t.Errorf("/api/v1/report?format=json: got %d %.300s, want 200 and JSON", code, body)
	}
	noInf("/api/v1/report", body)

	for _, id := range []string{"dry-waste-daily", "sewer-pipes-built", "inferior-water-bodies-eliminated"} {
		code, body = get(t, url+"/api/v1/targets/"+id+"/reports", admin)
		if code != 200 || !json.Valid([]byte(body)) {
			t.Errorf("/api/v1/targets/%s/reports: got %d %.300s, want 200 and JSON", id, code, body)
		}
		noInf("/api/v1/targets/"+id+"/reports", body)
	}

	_, body = get(t, url+"/metrics", "")
	checkExposition(t, body)

	for _, page := range []string{"/", "/targets/dry-waste-daily", "/targets/sewer-pipes-built", "/targets/inferior-water-bodies-eliminated", "/?lang=en"} {
		code, body := get(t, url+page, "")
		if code != 200 {
			t.Errorf("%s: got %d, want 200", page, code)
		}
		noInf(page, body)
	}
	if _, body := get(t, url+"/targets/dry-waste-daily", ""); !strings.Contains(body, "突破上限") {
		t.Errorf("the cap's page does not say 突破上限 (breached)")
	}

	// The offline report reads the same database.
	targets := filepath.Join(testenv.RepoRoot(), "targets.yaml")
	code, out, errOut := cli(t, "", "report", "--targets", targets, "--db", db, "--as-of", "2019-10-15", "--format", "json")
	if code != 0 || !json.Valid([]byte(out)) {
		t.Errorf("report --format json: got exit %d, stderr %q, want 0 and JSON", code, errOut)
	}
	noInf("report --format json", out)
}

// checkExposition parses /metrics strictly and wants every sample finite
// and dry-waste-daily's breached series at 1.
func checkExposition(t *testing.T, body string) {
	t.Helper()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	breached := math.NaN()
	for name, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var v float64
			switch {
			case m.GetGauge() != nil:
				v = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				v = m.GetCounter().GetValue()
			case m.GetUntyped() != nil:
				v = m.GetUntyped().GetValue()
			default:
				continue // histograms and summaries: request timings
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("/metrics: %s %v is %v, want a finite sample", name, m.GetLabel(), v)
			}
			if name != plan.MetricTargetStatus {
				continue
			}
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels[plan.LabelTargetID] == "dry-waste-daily" && labels[plan.LabelStatus] == string(plan.Breached) {
				breached = v
			}
		}
	}
	if breached != 1 {
		t.Errorf("%s{target_id=\"dry-waste-daily\",status=\"breached\"}: got %v, want 1 (TargetCapBreached keeps firing)", plan.MetricTargetStatus, breached)
	}
}
