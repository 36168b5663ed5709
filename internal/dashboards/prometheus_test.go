package dashboards

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// prometheus is a real Prometheus started for one test.
type prometheus struct {
	url string
	log *testenv.LogBuffer
}

// startPrometheus runs Prometheus on 127.0.0.1 scraping scrapeAddr every
// second as job targetwatch, and waits until it is ready.
func startPrometheus(t testing.TB, scrapeAddr string) *prometheus {
	t.Helper()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: %s
    static_configs:
      - targets: [%q]
`, plan.PrometheusJob, scrapeAddr)
	p := testenv.StartPrometheus(t, []byte(cfg))
	return &prometheus{url: p.URL, log: p.Log}
}

// series is one element of an instant vector result.
type series struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query runs an instant query. A query Prometheus rejects is an error; a
// scalar result counts as one series.
func (p *prometheus) query(expr string) ([]series, error) {
	resp, err := http.PostForm(p.url+"/api/v1/query", url.Values{"query": {expr}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode %s: %w", body, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s", r.Error)
	}
	switch r.Data.ResultType {
	case "vector":
		var out []series
		if err := json.Unmarshal(r.Data.Result, &out); err != nil {
			return nil, err
		}
		return out, nil
	case "scalar":
		return []series{{}}, nil
	}
	return nil, fmt.Errorf("result type %s, want vector", r.Data.ResultType)
}

// labelValues lists the values of label on series matching match.
func (p *prometheus) labelValues(label, match string) ([]string, error) {
	resp, err := http.Get(p.url + "/api/v1/label/" + label + "/values?" + url.Values{"match[]": {match}}.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string   `json:"status"`
		Error  string   `json:"error"`
		Data   []string `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s", r.Error)
	}
	sort.Strings(r.Data)
	return r.Data, nil
}

// waitFor polls expr until it returns at least one series.
func (p *prometheus) waitFor(t testing.TB, expr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, err := p.query(expr)
		if err != nil {
			t.Fatalf("query %s: %v", expr, err)
		}
		if len(got) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s returned nothing within %s; scrape targets: %s\nprometheus log:\n%s", expr, within, p.targets(), p.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// targets describes the scrape targets' health, for failure messages.
func (p *prometheus) targets() string {
	resp, err := http.Get(p.url + "/api/v1/targets")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			ActiveTargets []struct {
				ScrapeURL          string  `json:"scrapeUrl"`
				Health             string  `json:"health"`
				LastError          string  `json:"lastError"`
				LastScrapeDuration float64 `json:"lastScrapeDuration"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err.Error()
	}
	var out []string
	for _, a := range r.Data.ActiveTargets {
		out = append(out, fmt.Sprintf("%s %s (%.3fs) %s", a.ScrapeURL, a.Health, a.LastScrapeDuration, a.LastError))
	}
	return strings.Join(out, "; ")
}

// panelQuery is one query of one panel of a generated dashboard.
type panelQuery struct {
	board, panel, refID, expr string
}

func (q panelQuery) String() string {
	return fmt.Sprintf("%s / %q / %s", q.board, q.panel, q.refID)
}

// panelQueries reads every query of every panel (rows included) from the
// dashboard JSON, as Grafana would.
func panelQueries(t testing.TB, ds []Dashboard) []panelQuery {
	t.Helper()
	var out []panelQuery
	for _, d := range ds {
		var b struct {
			Panels []json.RawMessage `json:"panels"`
		}
		if err := json.Unmarshal(d.JSON, &b); err != nil {
			t.Fatal(err)
		}
		var walk func([]json.RawMessage)
		walk = func(ps []json.RawMessage) {
			for _, raw := range ps {
				var p struct {
					Title   string            `json:"title"`
					Panels  []json.RawMessage `json:"panels"`
					Targets []struct {
						RefID string `json:"refId"`
						Expr  string `json:"expr"`
					} `json:"targets"`
				}
				if err := json.Unmarshal(raw, &p); err != nil {
					t.Fatal(err)
				}
				for _, q := range p.Targets {
					out = append(out, panelQuery{board: d.UID, panel: p.Title, refID: q.RefID, expr: q.Expr})
				}
				walk(p.Panels)
			}
		}
		walk(b.Panels)
	}
	return out
}

// substitute replaces Grafana variable references ($name and ${name}).
func substitute(expr string, vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	// Longest first, so $target_id is not read as $target + "_id".
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		expr = strings.ReplaceAll(expr, "${"+k+"}", vars[k])
		expr = strings.ReplaceAll(expr, "$"+k, vars[k])
	}
	return expr
}

// checkEveryPanel sends every query of every dashboard to Prometheus with
// the variables substituted by vars, and fails for a query that does not
// parse or returns no series: a panel that shows nothing is a bug. Each
// query is also tried with every other value of its variables, where it
// must still parse.
func checkEveryPanel(t *testing.T, p *prometheus, ds []Dashboard, vars map[string]string, alternatives map[string][]string) {
	t.Helper()
	qs := panelQueries(t, ds)
	if len(qs) == 0 {
		t.Fatal("the dashboards hold no queries")
	}
	for _, q := range qs {
		if strings.Contains(substitute(q.expr, vars), "$") {
			t.Errorf("%s: unsubstituted variable in %s", q, q.expr)
			continue
		}
		got, err := p.query(substitute(q.expr, vars))
		if err != nil {
			t.Errorf("%s: Prometheus rejects the query: %v\n%s", q, err, q.expr)
			continue
		}
		if len(got) == 0 {
			t.Errorf("%s returns no series with %v:\n%s", q, vars, substitute(q.expr, vars))
		}
		t.Logf("%s: %d series", q, len(got))
		for name, values := range alternatives {
			if !strings.Contains(q.expr, "$"+name) {
				continue
			}
			var empty []string
			for _, v := range values {
				alt := map[string]string{}
				for k, x := range vars {
					alt[k] = x
				}
				alt[name] = v
				got, err := p.query(substitute(q.expr, alt))
				if err != nil {
					t.Errorf("%s with %s=%s: Prometheus rejects the query: %v", q, name, v, err)
				} else if len(got) == 0 {
					empty = append(empty, v)
				}
			}
			if len(empty) > 0 {
				// Legitimate (an agency without quantity targets has no
				// gauges, a target without figures no actual), but worth
				// seeing when the dashboards change.
				t.Logf("%s is empty for %s in %v", q, name, empty)
			}
		}
	}
	t.Logf("%d queries of %d dashboards checked with %v", len(qs), len(ds), vars)
}
