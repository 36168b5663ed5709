package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

func issueToken(t *testing.T, db string, args ...string) string {
	t.Helper()
	return strings.TrimSpace(testenv.Run(t, append([]string{"token", "issue", "--db", db}, args...)...))
}

type figureKey struct {
	target string
	period string
}

func putFigure(c *http.Client, base, token string, k figureKey, value float64, note string) (int, error) {
	body, _ := json.Marshal(map[string]any{"value": value, "note": note})
	req, err := http.NewRequest("PUT", base+"/api/v1/targets/"+k.target+"/reports/"+k.period, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// valueFor makes the n-th figure of a target valid for it.
func valueFor(t *plan.Target, n int) float64 {
	switch {
	case t.Kind == plan.Milestone:
		return float64(n % 2)
	case t.IsPercent():
		return float64(n%100) + 0.5
	}
	return float64(n) + 0.25
}

// sent is one PUT of a load client.
type sent struct {
	key   figureKey
	value float64
	acked time.Time // when its 200 or 201 arrived; zero if it never did
}

// load is clients putting and correcting figures through the real API,
// each over its own share of the plan's periods, one request at a time,
// until the server goes away or stop is called. It records every request,
// so what is stored can be checked against what was acknowledged.
type load struct {
	p       *plan.Plan
	token   string
	keys    [][]figureKey // each client's periods
	mu      sync.Mutex
	logs    [][]sent // each client's requests, in order; under mu
	n       []int    // each client's next request number, kept across rounds
	acks    atomic.Int64
	refused atomic.Int64
	stopped atomic.Bool
	wg      sync.WaitGroup
}

func newLoad(p *plan.Plan, token string, clients int) *load {
	l := &load{p: p, token: token, keys: make([][]figureKey, clients), logs: make([][]sent, clients), n: make([]int, clients)}
	i := 0
	for _, tg := range p.Targets {
		for m := 1; m <= 10; m++ {
			l.keys[i%clients] = append(l.keys[i%clients], figureKey{tg.ID, fmt.Sprintf("2019-%02d", m)})
			i++
		}
	}
	return l
}

// start sends figures to base until stop, or until a request fails (the
// server was killed): that request stays unacknowledged.
func (l *load) start(base string) {
	l.stopped.Store(false)
	for c := range l.keys {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer hc.CloseIdleConnections()
			for !l.stopped.Load() {
				n := l.n[c]
				l.n[c]++
				k := l.keys[c][n%len(l.keys[c])]
				tg, _ := l.p.Target(k.target)
				round := n / len(l.keys[c])
				v := valueFor(tg, round+c)
				l.mu.Lock()
				l.logs[c] = append(l.logs[c], sent{key: k, value: v})
				i := len(l.logs[c]) - 1
				l.mu.Unlock()
				status, err := putFigure(hc, base, l.token, k, v, fmt.Sprintf("第%d轮更正", round))
				if err != nil {
					return
				}
				if status != http.StatusOK && status != http.StatusCreated {
					l.refused.Add(1)
					continue
				}
				l.mu.Lock()
				l.logs[c][i].acked = time.Now()
				l.mu.Unlock()
				l.acks.Add(1)
			}
		}()
	}
}

// waitAcks waits until n figures have been acknowledged in all, failing
// the test after a minute.
func (l *load) waitAcks(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for l.acks.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d figures acknowledged after a minute", l.acks.Load(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop ends the clients and waits for them.
func (l *load) stop() {
	l.stopped.Store(true)
	l.wg.Wait()
}

// check compares stored (the current value of each period) with the
// requests: every figure acknowledged before cut must be there. A period's
// stored value may be its last value acknowledged before cut, or the value
// of any request for it sent after that one (in flight at a kill, or
// acknowledged after cut); no other. It returns how many periods it
// checked.
func (l *load) check(t *testing.T, stored map[figureKey]float64, cut time.Time) int {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	checked, bad := 0, 0
	for c, log := range l.logs {
		type allowed struct {
			acked  bool // a figure was acknowledged before cut
			values []float64
		}
		want := map[figureKey]*allowed{}
		for _, s := range log {
			a := want[s.key]
			if a == nil {
				a = &allowed{}
				want[s.key] = a
			}
			if !s.acked.IsZero() && s.acked.Before(cut) {
				*a = allowed{acked: true, values: []float64{s.value}}
			} else {
				a.values = append(a.values, s.value)
			}
		}
		for k, a := range want {
			got, ok := stored[k]
			if a.acked {
				checked++
			}
			if !ok && !a.acked {
				continue
			}
			if ok && containsValue(a.values, got) {
				continue
			}
			if bad++; bad <= 10 {
				t.Errorf("client %d: %s %s stored %v (present %v), want one of %v (acknowledged before: %v)", c, k.target, k.period, got, ok, a.values, a.acked)
			}
		}
	}
	return checked
}

func containsValue(vs []float64, v float64) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// readFigures reads every target's periods through the API and returns
// their current values. It fails the test unless each period's revisions
// are numbered 1..n and its current value is revision n's.
func readFigures(t *testing.T, p *plan.Plan, base, token string) (map[figureKey]float64, int) {
	t.Helper()
	stored := map[figureKey]float64{}
	revisions := 0
	hc := &http.Client{Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	for _, tg := range p.Targets {
		req, _ := http.NewRequest("GET", base+"/api/v1/targets/"+tg.ID+"/reports", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Periods []struct {
				Period    string  `json:"period"`
				Value     float64 `json:"value"`
				Revision  int     `json:"revision"`
				Revisions []struct {
					Revision int     `json:"revision"`
					Value    float64 `json:"value"`
				} `json:"revisions"`
			} `json:"periods"`
		}
		err = json.NewDecoder(res.Body).Decode(&rep)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET reports of %s: %d %v", tg.ID, res.StatusCode, err)
		}
		for _, per := range rep.Periods {
			stored[figureKey{tg.ID, per.Period}] = per.Value
			revisions += len(per.Revisions)
			var numbers []int
			for _, r := range per.Revisions {
				numbers = append(numbers, r.Revision)
			}
			gapless := len(numbers) > 0 && per.Revision == len(numbers)
			for i, n := range numbers {
				gapless = gapless && n == i+1
			}
			if !gapless {
				t.Errorf("%s %s: revisions %v, current %d; want 1..n with n current", tg.ID, per.Period, numbers, per.Revision)
			}
		}
	}
	return stored, revisions
}

func repoPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCrashLosesNoAcknowledgedFigure starts the real binary, lets eight
// clients submit and correct figures, kills the process with SIGKILL in
// the middle, restarts it on the same file, and does so for several rounds.
// After each restart every acknowledged figure must be there, and every
// period's revisions numbered 1..n without a gap: a figure whose request
// was in flight at a kill may hold either its previous acknowledged value
// or the in-flight one; nothing else.
func TestCrashLosesNoAcknowledgedFigure(t *testing.T) {
	p := repoPlan(t)
	db := filepath.Join(t.TempDir(), "data", "tw.db")
	token := issueToken(t, db, "--role", "admin", "--name", "crash-test")
	args := []string{"--db", db, "--as-of", "2019-10-15"}

	const rounds = 4
	const acksPerRound = 400 // acknowledged figures before each kill
	l := newLoad(p, token, 8)
	proc := testenv.Serve(t, args...)
	for r := 1; r <= rounds; r++ {
		l.start(proc.URL)
		l.waitAcks(t, int64(r*acksPerRound))
		proc.Kill()
		l.stop()
		proc = testenv.Serve(t, args...)
		stored, revisions := readFigures(t, p, proc.URL, token)
		checked := l.check(t, stored, time.Now())
		t.Logf("round %d: %d figures acknowledged in all, %d periods with an acknowledged figure, %d revisions stored",
			r, l.acks.Load(), checked, revisions)
		if t.Failed() {
			return
		}
	}
	if n := l.refused.Load(); n > 0 {
		t.Errorf("%d submissions were refused; the test sends only valid figures", n)
	}
}
