package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/synth"
)

var (
	bigOnce    sync.Once
	bigTracker *progress.Tracker
	bigPlan    *plan.Plan
)

// big is a tracker over a synthetic plan of 100,000 targets with nine
// months of reports each, as of 15 October: about 1.7 million series.
func big(b *testing.B) (*progress.Tracker, *plan.Plan) {
	bigOnce.Do(func() {
		p := synth.Plan(100_000)
		asOf := time.Date(synth.Year, time.October, 15, 0, 0, 0, 0, p.Location)
		revs := make([]plan.Report, 0, len(p.Targets)*9)
		for i := range p.Targets {
			for m := time.January; m <= time.September; m++ {
				per := plan.Period{Year: synth.Year, Month: m}
				revs = append(revs, plan.Report{Target: p.Targets[i].ID, Period: per, Value: synth.Value(&p.Targets[i], per, i),
					Revision: 1, Received: per.End(p.Location).Add(time.Hour)})
			}
		}
		tr, err := progress.New(progress.Config{Plan: p, Now: func() time.Time { return asOf }, Logger: discard})
		if err != nil {
			panic(err)
		}
		tr.Load(revs)
		bigTracker, bigPlan = tr, p
	})
	return bigTracker, bigPlan
}

// get scrapes url as Prometheus does (gzip, not decompressed) and returns
// the bytes on the wire.
func get(b *testing.B, c *http.Client, url string) int64 {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("scrape: %v, status %d", err, res.StatusCode)
	}
	return n
}

// client does not decompress: Prometheus stores what it parses, but the
// scrape time is the time to receive the bytes.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// BenchmarkMetrics100k is a scrape of /metrics for 100,000 targets over
// HTTP with gzip, from the cache (the snapshot unchanged since the last
// scrape), with the service's live registry appended.
func BenchmarkMetrics100k(b *testing.B) {
	tr, _ := big(b)
	srv := httptest.NewServer(Handler(tr.Snapshot, NewRegistry(BuildInfo{Version: "bench"}), discard))
	defer srv.Close()
	n := get(b, client, srv.URL) // the first scrape renders
	b.SetBytes(n)
	b.ResetTimer()
	for b.Loop() {
		get(b, client, srv.URL)
	}
}

// BenchmarkMetrics100kAfterCommit is one committed figure followed by a
// scrape: the tracker's rebuild plus re-rendering the changed block.
func BenchmarkMetrics100kAfterCommit(b *testing.B) {
	tr, p := big(b)
	srv := httptest.NewServer(Handler(tr.Snapshot, NewRegistry(BuildInfo{Version: "bench"}), discard))
	defer srv.Close()
	get(b, client, srv.URL)
	i := 0
	for b.Loop() {
		i++
		t := &p.Targets[(i*7919)%len(p.Targets)]
		tr.Apply(plan.Report{Target: t.ID, Period: plan.Period{Year: synth.Year, Month: time.October}, Value: float64(i % 97), Revision: 1 + i})
		get(b, client, srv.URL)
	}
}

// BenchmarkMetrics100kRender is a full render of 100,000 targets, as at
// start and when the clock enters a new evaluation month.
func BenchmarkMetrics100kRender(b *testing.B) {
	tr, _ := big(b)
	s := tr.Snapshot()
	for b.Loop() {
		render(nil, s)
	}
}

// BenchmarkCollector100k is the same scrape through a plain const-metric
// collector and promhttp, the comparison issue 9 asks for.
func BenchmarkCollector100k(b *testing.B) {
	tr, _ := big(b)
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(tr.Snapshot))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	for b.Loop() {
		b.SetBytes(get(b, client, srv.URL))
	}
}
