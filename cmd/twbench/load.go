package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// request is one unit of load: the j-th request of a run, counted across all
// workers, so a run of max requests covers j = 0..max-1 exactly once. It
// returns an error for a failed request or an unexpected status.
type request func(ctx context.Context, client *http.Client, j int) error

// loadResult is what a bounded load run measured.
type loadResult struct {
	Clients  int
	Count    int // successful requests
	Errors   int
	FirstErr error
	Elapsed  time.Duration
	P50, P99 time.Duration
	// ServerCPU and ClientCPU are the CPU time the server and this load
	// generator used during the run, when measured.
	ServerCPU, ClientCPU time.Duration
}

// cpuPer is CPU time per successful request.
func (r loadResult) cpuPer(d time.Duration) time.Duration {
	if r.Count == 0 {
		return 0
	}
	return d / time.Duration(r.Count)
}

// measuredLoad runs runLoad and adds the CPU time the server (pid) and the
// generator used.
func measuredLoad(ctx context.Context, pid int, client *http.Client, clients int, dur time.Duration, max int, do request) loadResult {
	s0, _ := cpuTime(pid)
	c0 := selfCPU()
	r := runLoad(ctx, client, clients, dur, max, do)
	s1, _ := cpuTime(pid)
	r.ServerCPU, r.ClientCPU = s1-s0, selfCPU()-c0
	return r
}

// Rate is successful requests per second.
func (r loadResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Count) / r.Elapsed.Seconds()
}

// attrs are the log attributes of a run.
func (r loadResult) attrs() []any {
	return []any{"count", r.Count, "rate", int(r.Rate()), "p50", r.P50, "p99", r.P99, "errors", r.Errors,
		"server_cpu_per_request", r.cpuPer(r.ServerCPU), "client_cpu_per_request", r.cpuPer(r.ClientCPU)}
}

// check fails a run that met errors or stored nothing.
func (r loadResult) check() error {
	if r.FirstErr != nil {
		return fmt.Errorf("%d errors, first: %w", r.Errors, r.FirstErr)
	}
	if r.Count == 0 {
		return fmt.Errorf("no request was answered within %s", r.Elapsed.Round(time.Millisecond))
	}
	return nil
}

// merge adds rounds of one load up: counts, time and CPU are sums, so
// Rate is the mean over all rounds; the latency percentiles are those of
// the round with the median rate.
func merge(rounds []loadResult) loadResult {
	if len(rounds) == 0 {
		return loadResult{}
	}
	m := rounds[medianIndex(rounds, loadResult.Rate)]
	out := loadResult{Clients: m.Clients, P50: m.P50, P99: m.P99}
	for _, r := range rounds {
		out.Count += r.Count
		out.Errors += r.Errors
		out.Elapsed += r.Elapsed
		out.ServerCPU += r.ServerCPU
		out.ClientCPU += r.ClientCPU
		if out.FirstErr == nil {
			out.FirstErr = r.FirstErr
		}
	}
	return out
}

// medianIndex is the index of the element with the median key (the lower
// one of an even count).
func medianIndex[T any](xs []T, key func(T) float64) int {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(xs[a]), key(xs[b])) })
	return idx[(len(idx)-1)/2]
}

// offset shifts a load by n requests: a round that goes on where the last
// one stopped.
func offset(do request, n int) request {
	return func(ctx context.Context, client *http.Client, j int) error { return do(ctx, client, n+j) }
}

// maxErrors stops a run early: a server that fails this often is broken,
// and its throughput would mean nothing.
const maxErrors = 20

// runLoad runs clients workers, each sending requests back to back, until
// dur has passed or max requests were sent, whichever comes first.
func runLoad(ctx context.Context, client *http.Client, clients int, dur time.Duration, max int, do request) loadResult {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var (
		issued atomic.Int64
		failed atomic.Int64
		mu     sync.Mutex
		first  error
		wg     sync.WaitGroup
	)
	lats := make([][]time.Duration, clients)
	start := time.Now()
	for w := range clients {
		lats[w] = make([]time.Duration, 0, max/clients+1)
		wg.Go(func() {
			for {
				j := int(issued.Add(1)) - 1
				if ctx.Err() != nil || j >= max {
					return
				}
				t0 := time.Now()
				err := do(ctx, client, j)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						return // the deadline cut this request short
					}
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					if failed.Add(1) >= maxErrors {
						cancel()
						return
					}
					continue
				}
				lats[w] = append(lats[w], d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lats...)
	slices.Sort(all)
	return loadResult{
		Clients:  clients,
		Count:    len(all),
		Errors:   int(failed.Load()),
		FirstErr: first,
		Elapsed:  elapsed,
		P50:      percentile(all, 50),
		P99:      percentile(all, 99),
	}
}

// percentile of sorted durations, nearest rank; 0 for none.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	if i > len(sorted) {
		i = len(sorted)
	}
	return sorted[i-1]
}

// do sends req and checks that the status is one of want; the body is read
// to the end so the connection is reused.
func do(client *http.Client, req *http.Request, want ...int) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if !slices.Contains(want, resp.StatusCode) {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// newClient returns a client that keeps one connection per worker alive and
// never decompresses, so scrapes measure what Prometheus receives.
func newClient(conns int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
		},
	}
}
