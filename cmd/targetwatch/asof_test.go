package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// serve --as-of replays what was known at noon of the day: on the demo
// database, inferior-water-bodies-eliminated's June figure (29, received
// on 3 July) does not exist yet on 15 June. The demo's figures, as stored:
//
//	2019-01 30 (received 02-04)  2019-02 29 (03-07)  2019-03 29 (04-05)
//	2019-04 29 (05-03)           2019-05 28 (06-08)  2019-06 29 (07-03)
//
// Known on 15 June: 30+29+29+29+28 = 145 (counting June too gave 174);
// the last of them arrived on 8 June at 16:59 Shanghai time. Expected:
// January to May are due by 15 June, 329·5/12 = 137.083.
func TestServeAsOfCountsOnlyWhatWasReceived(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	testenv.Run(t, "demo", "--db", db)
	admin := issueToken(t, db, "--role", "admin")
	proc := testenv.Serve(t, "--db", db, "--as-of", "2019-06-15")
	asOf := time.Date(2019, 6, 15, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))
	const id = "inferior-water-bodies-eliminated"

	target := func() (actual float64, lastReport time.Time) {
		t.Helper()
		code, body := get(t, proc.URL+"/api/v1/targets/"+id, admin)
		var g struct {
			Actual     float64 `json:"actual"`
			LastReport string  `json:"last_report"`
		}
		if err := json.Unmarshal([]byte(body), &g); code != 200 || err != nil {
			t.Fatalf("GET target: %d %v %.200s", code, err, body)
		}
		lr, err := time.Parse(time.RFC3339, g.LastReport)
		if err != nil {
			t.Fatal(err)
		}
		return g.Actual, lr
	}
	actual, lr := target()
	if want := time.Date(2019, 6, 8, 16, 59, 0, 0, asOf.Location()); actual != 145 || !lr.Equal(want) {
		t.Errorf("API as of 15 June: got actual %v, last report %v; want 145, %v", actual, lr, want)
	}
	_, metrics := get(t, proc.URL+"/metrics", "")
	if got := sample(t, metrics, "targetwatch_target_actual", id); got != 145 {
		t.Errorf("/metrics actual: got %v, want 145", got)
	}
	if got := sample(t, metrics, "targetwatch_target_expected", id); got != 329.0*5/12 {
		t.Errorf("/metrics expected: got %v, want 329·5/12", got)
	}
	// Every target's last report is at or before the instant.
	for _, m := range regexp.MustCompile(`(?m)^targetwatch_target_last_report_timestamp_seconds\{[^}]*\} (\S+)$`).FindAllStringSubmatch(metrics, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		if v > float64(asOf.Unix()) {
			t.Errorf("a last report after the instant: %s", m[0])
		}
	}
	code, body := get(t, proc.URL+"/api/v1/targets/"+id+"/reports", admin)
	var hist struct {
		Periods []struct{ Period string } `json:"periods"`
	}
	if err := json.Unmarshal([]byte(body), &hist); code != 200 || err != nil || len(hist.Periods) != 5 || hist.Periods[4].Period != "2019-05" {
		t.Errorf("history as of 15 June: got %d %+v, want January to May", code, hist.Periods)
	}

	// A figure stored while the clock is fixed is received at the fixed
	// instant, so it counts at once: May corrected from 28 to 31 makes
	// 145 - 28 + 31 = 148, last reported at noon on 15 June.
	c := &http.Client{Timeout: 10 * time.Second}
	if code, err := putFigure(c, proc.URL, admin, figureKey{id, "2019-05"}, 31, "更正: 台账核对"); err != nil || code != 200 {
		t.Fatalf("PUT a correction: got %d %v, want 200", code, err)
	}
	if actual, lr := target(); actual != 148 || !lr.Equal(asOf) {
		t.Errorf("after a correction at the fixed instant: got actual %v, last report %v; want 148, %v", actual, lr, asOf)
	}
	proc.Stop()

	// The offline report evaluates the same way (without the correction
	// above on an earlier day: 145 again on 14 June).
	out := testenv.Run(t, "report", "--db", db, "--as-of", "2019-06-14", "--format", "json")
	var rep struct {
		Targets []struct {
			ID     string   `json:"target_id"`
			Actual *float64 `json:"actual"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report json: %v\n%.300s", err, out)
	}
	found := false
	for _, g := range rep.Targets {
		if g.ID == id {
			found = true
			if g.Actual == nil || *g.Actual != 145 {
				t.Errorf("report --as-of 2019-06-14: got actual %v, want 145", g.Actual)
			}
		}
	}
	if !found {
		t.Errorf("report lacks %s:\n%.300s", id, out)
	}

	// The template too: civil-affairs sent July's figure late, on 16
	// August at 10:00, so on 12 August July is still owed and on 20 August
	// nothing is.
	for day, want := range map[string]bool{"2019-08-12": true, "2019-08-20": false} {
		csv := testenv.Run(t, "template", "--db", db, "--agency", "civil-affairs", "--as-of", day)
		if got := strings.Contains(csv, "integrated-windows-share,2019-07,"); got != want {
			t.Errorf("template --as-of %s lists July: got %v, want %v\n%s", day, got, want, csv)
		}
	}
}

// sample returns the value of metric{target_id="id"} in an exposition.
func sample(t *testing.T, exposition, metric, id string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + metric + `\{[^}]*target_id="` + id + `"[^}]*\} (\S+)$`)
	m := re.FindStringSubmatch(exposition)
	if m == nil {
		t.Fatalf("no %s for %s", metric, id)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
