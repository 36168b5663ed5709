package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/synth"
)

// asOf fixes the service clock: reports for January to October are due,
// November has begun.
const asOf = "2019-11-15"

// duePeriods are the months with a due report as of asOf.
func duePeriods() []plan.Period {
	ps := make([]plan.Period, 0, 10)
	for m := 1; m <= 10; m++ {
		ps = append(ps, plan.Period{Year: synth.Year, Month: time.Month(m)})
	}
	return ps
}

// twInstance is a targetwatch serve started on a synthetic plan.
type twInstance struct {
	bin, dir, db string
	targets      []string // one targets file per plan
	token        string
	url          string
	plan         *plan.Plan
	proc         *proc
	ready        time.Duration
}

// setupTargetwatch writes a synthetic plan of n targets into dir, split
// into plans files (see synth.WriteSplitFiles), and issues an admin token.
func setupTargetwatch(ctx context.Context, bin, dir string, n, plans int) (*twInstance, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	targets, err := synth.WriteSplitFiles(dir, n, plans)
	if err != nil {
		return nil, err
	}
	tw := &twInstance{bin: bin, dir: dir, targets: targets, db: filepath.Join(dir, "targetwatch.db"), plan: synth.Plan(n)}
	cmd := exec.CommandContext(ctx, bin, "token", "issue", "--db", tw.db, "--targets", targets[0],
		"--role", "admin", "--name", "twbench")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("token issue: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	tw.token, err = lastField(out)
	if err != nil {
		return nil, fmt.Errorf("token issue: %w", err)
	}
	return tw, nil
}

// lastField is the token a `token issue` printed: the last word of its
// output, whatever text surrounds it.
func lastField(out []byte) (string, error) {
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return "", fmt.Errorf("printed no token")
	}
	return f[len(f)-1], nil
}

// start runs targetwatch serve and waits for /readyz.
func (tw *twInstance) start(ctx context.Context, ps *procs, logName string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"serve", "--db", tw.db, "--listen", addr, "--as-of", asOf}
	for _, t := range tw.targets {
		args = append(args, "--targets", t)
	}
	p, err := ps.start("targetwatch", filepath.Join(tw.dir, logName), tw.bin, args...)
	if err != nil {
		return err
	}
	tw.proc = p
	tw.url = "http://" + addr
	tw.ready, err = waitReady(ctx, p, tw.url+"/readyz", 2*time.Minute)
	return err
}

// stop ends the server gracefully.
func (tw *twInstance) stop() {
	if tw.proc != nil {
		tw.proc.stop(30 * time.Second)
		tw.proc = nil
	}
}

// figuresPerCommit reads the service's commit histogram: how many figures
// its commits carried on average, i.e. how well group commit shared fsyncs.
func (tw *twInstance) figuresPerCommit(ctx context.Context) (float64, error) {
	sum, count := plan.MetricCommitFigures+"_sum", plan.MetricCommitFigures+"_count"
	v, err := tw.metrics(ctx, sum, count)
	if err != nil {
		return 0, err
	}
	if v[count] == 0 {
		return 0, fmt.Errorf("no commits in %s", plan.MetricCommitFigures)
	}
	return v[sum] / v[count], nil
}

// unchanged is how many submitted figures the service answered
// "unchanged": resent values, which commit nothing.
func (tw *twInstance) unchanged(ctx context.Context) (float64, error) {
	series := plan.MetricSubmissions + `{result="unchanged"}`
	v, err := tw.metrics(ctx, series)
	return v[series], err
}

// metrics reads the current value of each of the named series (as
// written in the exposition: name and labels) from /metrics.
func (tw *twInstance) metrics(ctx context.Context, series ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tw.url+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || !slices.Contains(series, name) {
			continue
		}
		if out[name], err = strconv.ParseFloat(value, 64); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, name := range series {
		if _, ok := out[name]; !ok {
			return nil, fmt.Errorf("no %s in /metrics", name)
		}
	}
	return out, nil
}

// put is the load of single-figure PUTs: request j stores month
// (j/targets) of target j%targets, cycling through every due month, in
// round firstRound + j/(targets×months). Consecutive requests write
// different targets, so concurrent clients never race on one figure. Round 0 holds the values prefill
// stores first, so on a prefilled database start at round 1: the same
// value again is answered "unchanged" and commits nothing.
func (tw *twInstance) put(targets, firstRound int) request {
	periods := duePeriods()
	pairs := targets * len(periods)
	return func(ctx context.Context, client *http.Client, j int) error {
		t := &tw.plan.Targets[j%targets]
		m := periods[(j/targets)%len(periods)]
		v := synth.Value(t, m, firstRound+j/pairs)
		body := fmt.Appendf(nil, `{"value":%s,"note":"twbench"}`, strconv.FormatFloat(v, 'f', -1, 64))
		req, err := http.NewRequestWithContext(ctx, http.MethodPut,
			tw.url+"/api/v1/targets/"+t.ID+"/reports/"+m.String(), bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tw.token)
		return do(client, req, http.StatusOK, http.StatusCreated)
	}
}

// batchRow is one row of POST /api/v1/reports.
type batchRow struct {
	Target string  `json:"target"`
	Period string  `json:"period"`
	Value  float64 `json:"value"`
	Note   string  `json:"note"`
}

// prefill stores rows from..to-1 of an endless, deterministic sequence
// through batch POSTs: the API's own all-or-nothing path, so the database
// is exactly what bureaus' imports would leave. Row k is month
// (k/targets)%months of target k%targets, in round k/(targets×months):
// round 0 holds first figures, month by month as bureaus report them; each
// later round corrects every figure once more. It returns the time taken.
func (tw *twInstance) prefill(ctx context.Context, client *http.Client, from, to, months, batch int, limit time.Duration) (time.Duration, error) {
	periods := duePeriods()[:months]
	n := len(tw.plan.Targets)
	start := time.Now()
	deadline := start.Add(limit)
	rows := make([]batchRow, 0, batch)
	for k := from; k < to; {
		if time.Now().After(deadline) {
			return time.Since(start), fmt.Errorf("prefill: %d of %d revisions stored after %s; raise -prefill-for", k-from, to-from, limit)
		}
		rows = rows[:0]
		for ; k < to && len(rows) < batch; k++ {
			t := &tw.plan.Targets[k%n]
			m := periods[(k/n)%months]
			round := k / (n * months)
			r := batchRow{Target: t.ID, Period: m.String(), Value: synth.Value(t, m, round)}
			if round > 0 {
				r.Note = "twbench correction"
			}
			rows = append(rows, r)
		}
		body, err := json.Marshal(map[string]any{"reports": rows})
		if err != nil {
			return time.Since(start), err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, tw.url+"/api/v1/reports", bytes.NewReader(body))
		if err != nil {
			return time.Since(start), err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tw.token)
		if err := do(client, req, http.StatusOK, http.StatusCreated); err != nil {
			return time.Since(start), fmt.Errorf("prefill: %w", err)
		}
	}
	return time.Since(start), nil
}
