package dashboards

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// promResult is the data of a Prometheus query answer: for a vector one
// value per series, for a matrix the values over time.
type promResult struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
	Values [][2]any          `json:"values"`
}

// promGet runs a query API call and decodes its result.
func promGet(t *testing.T, base, path string, q url.Values) []promResult {
	t.Helper()
	resp, err := http.Get(base + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []promResult `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Status != "success" {
		t.Fatalf("%s %v: %s", path, q, r.Error)
	}
	return r.Data.Result
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// number reads a sample value as Prometheus sends it (a string).
func number(t *testing.T, v any) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The demo year, backfilled and turned into blocks by promtool, is what a
// real Prometheus then answers, at chosen instants and over the year, and
// every time-series panel of the target dashboard draws the year from it.
func TestBackfilledYearInPrometheus(t *testing.T) {
	promtool := testenv.LookPath(t, "promtool")
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	testenv.Run(t, "demo", "--db", db)
	om := filepath.Join(dir, "year.om")
	// 12-hourly samples: increase(...[1d]) in the revisions panel needs two
	// samples a day.
	testenv.Run(t, "backfill", "--db", db, "--from", "2019-01-01", "--to", "2020-01-01", "--step", "12h", "--out", om)
	data := filepath.Join(dir, "data")
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=720h", om, data).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	prom := testenv.StartPrometheusOn(t, []byte("global:\n  scrape_interval: 1m\n"), data,
		"--storage.tsdb.retention.time=20y", "--query.lookback-delta=12h")

	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2019, month, day, hour, 0, 0, 0, p.Location)
	}
	const sel = `{job="targetwatch",plan="jiading-2019",target_id="inferior-water-bodies-eliminated"}`
	// inferior-water-bodies-eliminated in the demo (sum, goal 329, reports
	// due on the 10th), figures and when they arrived, Shanghai time:
	//   Jan 30 (02-04 12:17)  Feb 29 (03-07)  Mar 29 (04-05)  Apr 29 (05-03)
	//   May 28 (06-08)        Jun 29 (07-03)  Jul 28 (08-04)  Aug 31 (09-06)
	//   Sep 28 (10-04)
	// expected = 329·k/12 for the k months due.
	cases := []struct {
		name     string
		at       time.Time
		actual   float64 // NaN: absent, nothing known yet
		expected float64
	}{
		{"noon on 4 February, before January's figure arrived", at(2, 4, 12), math.NaN(), 0},
		{"5 February, January known, not yet due", at(2, 5, 0), 30, 0},
		{"10 February, January due: 329/12", at(2, 10, 0), 30, 329.0 / 12},
		{"15 June: January to May, 145; five months due", at(6, 15, 12), 145, 329.0 * 5 / 12},
		{"10 July: June arrived on the 3rd, 174; six months due", at(7, 10, 0), 174, 329.0 * 6 / 12},
		{"31 December: January to September, 261; eleven months due", at(12, 31, 12), 261, 329.0 * 11 / 12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, m := range []struct {
				metric string
				want   float64
			}{{"targetwatch_target_actual", c.actual}, {"targetwatch_target_expected", c.expected}} {
				got := promGet(t, prom.URL, "/api/v1/query", url.Values{"query": {m.metric + sel}, "time": {unix(c.at)}})
				switch {
				case math.IsNaN(m.want) && len(got) != 0:
					t.Errorf("%s: got %v, want no sample", m.metric, got[0].Value[1])
				case math.IsNaN(m.want):
				case len(got) != 1:
					t.Errorf("%s: got %d series, want 1", m.metric, len(got))
				case math.Abs(number(t, got[0].Value[1])-m.want) > 1e-9:
					t.Errorf("%s: got %v, want %v", m.metric, got[0].Value[1], m.want)
				}
			}
		})
	}

	// Over the year, daily at noon: actual appears on 5 February and never
	// falls (a sum); expected climbs by 329/12 on each 10th.
	start, end := at(1, 1, 12), at(12, 31, 12)
	year := url.Values{"start": {unix(start)}, "end": {unix(end)}, "step": {"86400"}}
	q := func(expr string) url.Values {
		v := url.Values{"query": {expr}}
		for k, x := range year {
			v[k] = x
		}
		return v
	}
	actual := promGet(t, prom.URL, "/api/v1/query_range", q("targetwatch_target_actual"+sel))
	if len(actual) != 1 {
		t.Fatalf("actual over the year: got %d series, want 1", len(actual))
	}
	vs := actual[0].Values
	if first := time.Unix(int64(number(t, vs[0][0])), 0).In(p.Location); !first.Equal(at(2, 5, 12)) || number(t, vs[0][1]) != 30 {
		t.Errorf("actual first drawn at %v as %v, want 30 at noon on 5 February", first, vs[0][1])
	}
	if n := len(vs); n != 330 { // 5 February to 31 December
		t.Errorf("actual over the year: got %d daily points, want 330", n)
	}
	for i := 1; i < len(vs); i++ {
		if number(t, vs[i][1]) < number(t, vs[i-1][1]) {
			t.Errorf("actual fell on %v", vs[i][0])
		}
	}
	expected := promGet(t, prom.URL, "/api/v1/query_range", q("targetwatch_target_expected"+sel))
	if len(expected) != 1 || len(expected[0].Values) != 365 {
		t.Fatalf("expected over the year: got %v", expected)
	}
	for _, v := range expected[0].Values {
		day := time.Unix(int64(number(t, v[0])), 0).In(p.Location)
		k := int(day.Month()) - 1 // months due on the 10th or later of this month
		if day.Day() < p.DueDay {
			k--
		}
		if want := 329 * float64(max(k, 0)) / 12; math.Abs(number(t, v[1])-want) > 1e-9 {
			t.Errorf("expected on %s: got %v, want %v", day.Format(time.DateOnly), v[1], want)
		}
	}

	// Every time-series panel of the target dashboard has data over the
	// year.
	ds, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"plan": p.ID, "target_id": "inferior-water-bodies-eliminated"}
	panels := 0
	for _, d := range ds {
		if d.UID != "targetwatch-target" {
			continue
		}
		var b struct {
			Panels []struct {
				Type    string `json:"type"`
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(d.JSON, &b); err != nil {
			t.Fatal(err)
		}
		for _, pn := range b.Panels {
			if pn.Type != "timeseries" {
				continue
			}
			panels++
			for _, tg := range pn.Targets {
				expr := substitute(tg.Expr, vars)
				got := promGet(t, prom.URL, "/api/v1/query_range", q(expr))
				if len(got) == 0 || len(got[0].Values) < 300 {
					t.Errorf("panel %q: %s draws %d series over the year, want data most days", pn.Title, expr, len(got))
				}
			}
		}
	}
	if panels < 4 {
		t.Errorf("the target dashboard has %d time-series panels, want 4", panels)
	}
}
