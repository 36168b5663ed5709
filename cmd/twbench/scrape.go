package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// prometheusAccept is the Accept header Prometheus 2.x sends with every
// scrape (Debian's prometheus 2.42 included).
const prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

// scrapeResult summarises a bounded series of scrapes.
type scrapeResult struct {
	Count       int
	First       time.Duration // the first scrape, before any cache is warm
	Median, P90 time.Duration
	Bytes       int // size on the wire of the last scrape
	Encoding    string
	ContentType string
}

// scrapeOnce fetches url as Prometheus does and reads the body to the end.
func scrapeOnce(ctx context.Context, client *http.Client, url string) (time.Duration, int, *http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, nil, err
	}
	req.Header.Set("Accept", prometheusAccept)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "10")
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, nil, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	d := time.Since(t0)
	if err != nil {
		return 0, 0, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return d, int(n), resp, nil
}

// scrape fetches url count times (and at most for limit), one after the
// other, as one Prometheus server would.
func scrape(ctx context.Context, client *http.Client, url string, count int, limit time.Duration) (scrapeResult, error) {
	var r scrapeResult
	var ds []time.Duration
	deadline := time.Now().Add(limit)
	for i := 0; i < count && (i == 0 || time.Now().Before(deadline)); i++ {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		d, n, resp, err := scrapeOnce(ctx, client, url)
		if err != nil {
			return r, err
		}
		if i == 0 {
			r.First = d
		}
		ds = append(ds, d)
		r.Bytes = n
		r.Encoding = resp.Header.Get("Content-Encoding")
		r.ContentType = resp.Header.Get("Content-Type")
	}
	slices.Sort(ds)
	r.Count = len(ds)
	r.Median = percentile(ds, 50)
	r.P90 = percentile(ds, 90)
	return r, nil
}
