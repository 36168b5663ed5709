package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/store"
	"github.com/targetwatch/targetwatch/internal/synth"
)

// benchServer runs the real API over a synthetic plan of n targets on a
// real SQLite file (synchronous=FULL), as of the plan's last day.
func benchServer(b *testing.B, n int) (url, token string, p *plan.Plan) {
	b.Helper()
	p = synth.Plan(n)
	now := func() time.Time { return time.Date(synth.Year, 12, 31, 12, 0, 0, 0, p.Location) }
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), store.WithClock(now))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	tr, err := progress.New(progress.Config{Plan: p, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	runTracker(b, tr)
	logf, _ := os.Create(filepath.Join(b.TempDir(), "log"))
	h, err := New(Config{Store: db, Progress: tr, Now: now, Logger: slog.New(slog.NewTextHandler(logf, nil))})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	_, secret, err := db.IssueToken(context.Background(), "bench", "", plan.RoleAdmin)
	if err != nil {
		b.Fatal(err)
	}
	return srv.URL + Prefix, secret, p
}

// figureRequest is the i-th figure of a sweep over every target and month;
// after the first sweep each figure is a correction.
func figureRequest(b *testing.B, url, token string, p *plan.Plan, i int) *http.Request {
	months := p.Periods()
	t := &p.Targets[i%len(p.Targets)]
	m := months[(i/len(p.Targets))%len(months)]
	seq := i / (len(p.Targets) * len(months))
	v := synth.Value(t, m, seq)
	if t.Kind == plan.Milestone {
		v = float64(seq % 2)
	}
	body := `{"value":` + strconv.FormatFloat(v, 'f', -1, 64) + `,"note":"bench ` + strconv.Itoa(seq) + `"}`
	req, err := http.NewRequest("PUT", url+"/targets/"+t.ID+"/reports/"+m.String(), bytes.NewReader([]byte(body)))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return req
}

func send(b *testing.B, c *http.Client, req *http.Request) {
	res, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 && res.StatusCode != 201 {
		b.Errorf("PUT %s: %d", req.URL.Path, res.StatusCode)
	}
}

// BenchmarkSubmitSingleClient: one client, one durable PUT at a time; the
// p50 latency is what a lone bureau sees.
func BenchmarkSubmitSingleClient(b *testing.B) {
	url, token, p := benchServer(b, 1000)
	c := &http.Client{}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		req := figureRequest(b, url, token, p, i)
		start := time.Now()
		send(b, c, req)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkSubmitEightClients: eight clients sending single figures at
// once; group commit lets them share transactions.
func BenchmarkSubmitEightClients(b *testing.B) {
	url, token, p := benchServer(b, 1000)
	const clients = 8
	var next atomic.Int64
	start := time.Now()
	b.ResetTimer()
	b.SetParallelism((clients + 1) / 2) // RunParallel starts GOMAXPROCS×this goroutines; 8 on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		for pb.Next() {
			send(b, c, figureRequest(b, url, token, p, int(next.Add(1)-1)))
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "figures/s")
}

// BenchmarkCSVImport10000: one CSV batch of 10,000 figures (under the
// 1 MiB limit), all new.
func BenchmarkCSVImport10000(b *testing.B) {
	url, token, p := benchServer(b, 1000)
	months := p.Periods()
	for i := range b.N {
		var buf bytes.Buffer
		buf.WriteString("target,period,value,note\r\n")
		for j := range 10000 {
			t := &p.Targets[j%len(p.Targets)]
			m := months[(j/len(p.Targets))%len(months)]
			v := synth.Value(t, m, i)
			if t.Kind == plan.Milestone {
				v = float64(i % 2)
			}
			fmt.Fprintf(&buf, "%s,%s,%v,导入%d\r\n", t.ID, m, v, i)
		}
		req, _ := http.NewRequest("POST", url+"/reports", &buf)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "text/csv")
		send(b, http.DefaultClient, req)
	}
	b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "figures/s")
}
