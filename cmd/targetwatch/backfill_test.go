package main

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/metrics"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/store"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// demoDB is a new database holding the demo year.
func demoDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "demo.db")
	testenv.Run(t, "demo", "--db", db)
	return db
}

// backfillFile runs the backfill of db without a job label, as /metrics
// shows the series before Prometheus labels them, and returns the file.
func backfillFile(t *testing.T, db, from, to, step string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), from+".om")
	testenv.Run(t, "backfill", "--db", db, "--from", from, "--to", to, "--step", step, "--job", "", "--out", out)
	return out
}

// samplesAt reads an OpenMetrics backfill and returns, for each wanted
// Unix time, its samples as "series value" lines, sorted. It checks the
// file ends with # EOF.
func samplesAt(t *testing.T, path string, want map[int64]bool) map[int64][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int64][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	last := ""
	for sc.Scan() {
		line := sc.Text()
		last = line
		if strings.HasPrefix(line, "#") {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		ts, err := strconv.ParseInt(line[sp+1:], 10, 64)
		if err != nil {
			t.Fatalf("a sample without a timestamp: %q", line)
		}
		if want[ts] {
			out[ts] = append(out[ts], line[:sp])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if last != "# EOF" {
		t.Errorf("the backfill ends with %q, want # EOF", last)
	}
	for ts := range out {
		slices.Sort(out[ts])
	}
	return out
}

// progressSamples keeps the progress families' samples of a /metrics
// text, sorted.
func progressSamples(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		name, _, _ := strings.Cut(line, "{")
		if slices.Contains(metrics.FamilyNames(), name) {
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

// At random instants, month starts and due days among them, every
// progress sample of the backfill equals what /metrics shows when the
// service's clock stands at that instant (as serve --as-of fixes it), on
// the demo database with its late figures and corrections.
func TestBackfillEqualsMetricsAsOfEachInstant(t *testing.T) {
	db := demoDB(t)
	year := backfillFile(t, db, "2019-01-01", "2020-01-01", "24h")
	hourly := backfillFile(t, db, "2019-06-30", "2019-07-11", "1h")

	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	loc := p.Location
	var instants []time.Time
	for m := time.January; m <= time.December; m++ {
		instants = append(instants, time.Date(2019, m, 1, 0, 0, 0, 0, loc), time.Date(2019, m, p.DueDay, 0, 0, 0, 0, loc))
	}
	rng := rand.New(rand.NewPCG(16, 2))
	for range 12 {
		instants = append(instants, time.Date(2019, 1, 1+rng.IntN(365), 0, 0, 0, 0, loc))
	}
	inYear := len(instants)
	for range 12 {
		instants = append(instants, time.Date(2019, 6, 30, rng.IntN(11*24), 0, 0, 0, loc))
	}
	// The hour before and the hour of July's due moment and month start.
	instants = append(instants, time.Date(2019, 7, 1, 0, 0, 0, 0, loc), time.Date(2019, 6, 30, 23, 0, 0, 0, loc),
		time.Date(2019, 7, p.DueDay, 0, 0, 0, 0, loc), time.Date(2019, 7, p.DueDay-1, 23, 0, 0, 0, loc))
	want := func(ts []time.Time) map[int64]bool {
		m := map[int64]bool{}
		for _, t := range ts {
			m[t.Unix()] = true
		}
		return m
	}
	got := samplesAt(t, year, want(instants[:inYear]))
	for ts, v := range samplesAt(t, hourly, want(instants[inYear:])) {
		got[ts] = v
	}

	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, at := range instants {
		tr, _, err := loadTracker(ctx, []*plan.Plan{p}, st, func() time.Time { return at }, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		metrics.Handler(tr.Snapshot, nil, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		live := progressSamples(rec.Body.String())
		back := got[at.Unix()]
		if len(live) < 500 { // 54 targets with 13 to 19 samples each
			t.Fatalf("at %v: /metrics shows only %d progress samples", at, len(live))
		}
		if !slices.Equal(back, live) {
			t.Errorf("at %v: the backfill's %d samples differ from /metrics' %d; first difference:\n%s", at, len(back), len(live), firstDifference(back, live))
		}
	}
}

// firstDifference shows the first line where two sorted lists differ.
func firstDifference(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return "backfill: " + a[i] + "\n/metrics: " + b[i]
		}
	}
	if len(a) > len(b) {
		return "backfill only: " + a[len(b)]
	}
	if len(b) > len(a) {
		return "/metrics only: " + b[len(a)]
	}
	return ""
}

// serve --as-of DAY fixes the clock at noon; the backfill's sample at that
// noon is what the real server's /metrics shows, series for series.
func TestBackfillEqualsServeAsOf(t *testing.T) {
	db := demoDB(t)
	out := backfillFile(t, db, "2019-06-15", "2019-06-16", "12h")
	noon := time.Date(2019, 6, 15, 12, 0, 0, 0, time.FixedZone("CST", 8*3600)).Unix()
	back := samplesAt(t, out, map[int64]bool{noon: true})[noon]

	proc := testenv.Serve(t, "--db", db, "--as-of", "2019-06-15")
	_, text := get(t, proc.URL+"/metrics", "")
	live := progressSamples(text)
	if !slices.Equal(back, live) {
		t.Errorf("the backfill's %d samples at noon differ from serve --as-of's %d; first difference:\n%s", len(back), len(live), firstDifference(back, live))
	}
	// The June example by hand: 30+29+29+29+28 = 145 known on 15 June.
	if !slices.Contains(back, `targetwatch_target_actual{plan="jiading-2019",target_id="inferior-water-bodies-eliminated"} 145`) {
		t.Errorf("the backfill lacks actual 145 for inferior-water-bodies-eliminated at noon on 15 June")
	}
}

// --out naming a pipe (as /dev/null or a named pipe to promtool's reader)
// is written in place, never replaced by a renamed file.
func TestBackfillOutToAPipe(t *testing.T) {
	db := demoDB(t)
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan int64, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- -1
			return
		}
		defer f.Close()
		n, _ := io.Copy(io.Discard, f)
		got <- n
	}()
	testenv.Run(t, "backfill", "--db", db, "--from", "2019-06-15", "--to", "2019-06-16", "--step", "24h", "--out", fifo)
	select {
	case n := <-got:
		if n < 10000 {
			t.Errorf("read %d bytes from the pipe, want the backfill", n)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("nothing was written to the pipe")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("after the backfill %s is %v (%v), want still a named pipe", fifo, fi.Mode(), err)
	}
}

// A bad command line is one readable line and exit status 2; a database
// that does not exist is exit status 1, and no output file is left.
func TestBackfillRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.om")
	targets := filepath.Join(testenv.RepoRoot(), "targets.yaml")
	base := []string{"backfill", "--targets", targets, "--plan-cache", "", "--db", filepath.Join(dir, "none.db")}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no --out", []string{"--from", "2019-01-01", "--to", "2019-02-01"}, 2, "--out is required"},
		{"no --from", []string{"--to", "2019-02-01", "--out", out}, 2, "--from is required"},
		{"a --from that is not a day", []string{"--from", "2019-13-01", "--to", "2019-02-01", "--out", out}, 2, "--from: want YYYY-MM-DD"},
		{"--to not after --from", []string{"--from", "2019-02-01", "--to", "2019-02-01", "--out", out}, 2, "must be after --from"},
		{"a step below a second", []string{"--from", "2019-01-01", "--to", "2019-02-01", "--step", "500ms", "--out", out}, 2, "--step"},
		{"a database that does not exist", []string{"--from", "2019-01-01", "--to", "2019-02-01", "--out", out}, 1, "none.db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := cli(t, "", append(base, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("got exit %d and %q, want %d and one line with %q", code, stderr, c.code, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// With two plans, the backfill carries each target's plan label and still
// equals /metrics of both plans served together at every month start and
// both plans' due days; a figure of the second plan counts from when it was
// received.
func TestBackfillSeveralPlans(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tok, _, err := st.IssueToken(ctx, "migration", "", plan.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	who := plan.Principal{TokenID: tok.ID, Name: tok.Name, Role: plan.RoleAdmin}
	city, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "examples", "city-2019.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	loc := city.Location
	jan, _ := plan.ParsePeriod("2019-01")
	feb, _ := plan.ParsePeriod("2019-02")
	// January's 3 km arrives on 15 February, February's 4 km on 25 March,
	// after the city plan's due day (the 20th).
	if _, err := st.Submit(ctx, who, []store.Submission{
		{Target: "city-sewer-pipes-built", Period: jan, Value: 3, Received: time.Date(2019, 2, 15, 9, 0, 0, 0, loc)},
		{Target: "city-sewer-pipes-built", Period: feb, Value: 4, Received: time.Date(2019, 3, 25, 9, 0, 0, 0, loc)},
	}, store.SubmitOptions{}); err != nil {
		t.Fatal(err)
	}

	district, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "two.om")
	testenv.Run(t, "backfill", "--targets", "targets.yaml", "--targets", filepath.Join("examples", "city-2019.yaml"),
		"--db", db, "--from", "2019-01-01", "--to", "2020-01-01", "--step", "24h", "--job", "", "--out", out)

	var instants []time.Time
	for m := time.January; m <= time.December; m++ {
		instants = append(instants, time.Date(2019, m, 1, 0, 0, 0, 0, loc),
			time.Date(2019, m, district.DueDay, 0, 0, 0, 0, loc), time.Date(2019, m, city.DueDay, 0, 0, 0, 0, loc))
	}
	wanted := map[int64]bool{}
	for _, at := range instants {
		wanted[at.Unix()] = true
	}
	got := samplesAt(t, out, wanted)
	plans := []*plan.Plan{district, city}
	for _, at := range instants {
		tr, _, err := loadTracker(ctx, plans, st, func() time.Time { return at }, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		metrics.Handler(tr.Snapshot, nil, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		live := progressSamples(rec.Body.String())
		if back := got[at.Unix()]; !slices.Equal(back, live) {
			t.Errorf("at %v: the backfill's %d samples differ from /metrics' %d; first difference:\n%s", at, len(back), len(live), firstDifference(back, live))
		}
	}

	// The city target's actual, by hand: nothing on 1 February, 3 from 15
	// February, 3 + 4 = 7 once February's figure arrived on 25 March.
	series := `targetwatch_target_actual{plan="city-2019",target_id="city-sewer-pipes-built"}`
	for _, c := range []struct {
		at   time.Time
		want string // "" for no sample
	}{
		{time.Date(2019, 2, 1, 0, 0, 0, 0, loc), ""},
		{time.Date(2019, 3, 1, 0, 0, 0, 0, loc), "3"},
		{time.Date(2019, 3, 20, 0, 0, 0, 0, loc), "3"},
		{time.Date(2019, 4, 1, 0, 0, 0, 0, loc), "7"},
	} {
		value := ""
		for _, line := range got[c.at.Unix()] {
			if v, ok := strings.CutPrefix(line, series+" "); ok {
				value = v
			}
		}
		if value != c.want {
			t.Errorf("%s at %s = %q, want %q", series, c.at.Format(time.DateOnly), value, c.want)
		}
	}
}
