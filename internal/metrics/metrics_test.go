package metrics

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixtureAsOf is the fixed service clock of the golden test, as with
// `serve --as-of 2019-10-15`.
const fixtureAsOf = "2019-10-15"

// fixture loads testdata/targets.yaml and testdata/reports.csv into a
// tracker as of fixtureAsOf.
func fixture(t testing.TB) *progress.Tracker {
	t.Helper()
	p := fixturePlan(t)
	f, err := os.Open(filepath.Join("testdata", "reports.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var revs []plan.Report
	for i, row := range rows[1:] {
		per, err1 := plan.ParsePeriod(row[1])
		v, err2 := strconv.ParseFloat(row[2], 64)
		rev, err3 := strconv.Atoi(row[3])
		at, err4 := time.Parse(time.RFC3339, row[4])
		if err := cmpErr(err1, err2, err3, err4); err != nil {
			t.Fatalf("reports.csv:%d: %v", i+2, err)
		}
		revs = append(revs, plan.Report{Target: row[0], Period: per, Value: v, Revision: rev, Received: at})
	}
	asOf, err := time.ParseInLocation("2006-01-02", fixtureAsOf, p.Location)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := progress.New(progress.Config{Plan: p, Now: func() time.Time { return asOf }, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	tr.Load(revs)
	return tr
}

// fixturePlan loads testdata/targets.yaml.
func fixturePlan(t testing.TB) *plan.Plan {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := planfile.Parse("targets.yaml", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func cmpErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// scrape fetches h's exposition as a client asking for encoding would.
func scrape(t testing.TB, h http.Handler, encoding string) (body []byte, res *http.Response) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res = rec.Result()
	body = rec.Body.Bytes()
	if res.Header.Get("Content-Encoding") == "gzip" {
		br := bytes.NewReader(body)
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.Fatalf("gzip header: %v", err)
		}
		// One gzip member, not several: some clients read only the first.
		zr.Multistream(false)
		body, err = io.ReadAll(zr)
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		if br.Len() != 0 {
			t.Fatalf("got %d bytes after the gzip member, want none", br.Len())
		}
	}
	return body, res
}

func TestGolden(t *testing.T) {
	tr := fixture(t)
	body, res := scrape(t, Handler(tr.Snapshot, nil, discard), "")
	if ct := res.Header.Get("Content-Type"); ct != ContentType {
		t.Errorf("content type: got %q, want %q", ct, ContentType)
	}
	golden := filepath.Join("testdata", "metrics.golden")
	if *update {
		if err := os.WriteFile(golden, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("/metrics differs from %s (go test -update rewrites it):\n%s", golden, lineDiff(string(want), string(body)))
	}
}

// TestGoldenPlanLabel reads the golden file independently of the code
// that wrote it: the fixture's plan (testdata/targets.yaml: id
// fixture-2019, 2019-01-01 to 2019-12-31) has one plan_info series, and
// every series of the fixture's ten targets, metadata included, names
// that plan, while agency_info (shared by plans) names none.
func TestGoldenPlanLabel(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "metrics.golden"))
	if err != nil {
		t.Fatal(err)
	}
	const planInfo = `targetwatch_plan_info{end="2019-12-31",plan="fixture-2019",start="2019-01-01",title="嘉定区2019年重点工作任务(测试)"} 1`
	if !slices.Contains(strings.Split(string(body), "\n"), planInfo) {
		t.Errorf("golden lacks %s", planInfo)
	}
	targets := 0
	for name, mf := range parseStrict(t, body) {
		for _, m := range mf.Metric {
			plans, ids := 0, 0
			for _, l := range m.Label {
				switch l.GetName() {
				case "plan":
					plans++
					if l.GetValue() != "fixture-2019" {
						t.Errorf("%s: plan %q, want fixture-2019", name, l.GetValue())
					}
				case "target_id":
					ids++
				}
			}
			switch {
			case name == "targetwatch_agency_info" && plans != 0:
				t.Errorf("%s carries a plan label", name)
			case name != "targetwatch_agency_info" && plans != 1:
				t.Errorf("%s %v: got %d plan labels, want 1", name, m.Label, plans)
			}
			if ids == 1 && name == "targetwatch_target_info" {
				targets++
			}
		}
	}
	if targets != 10 {
		t.Errorf("got %d target_info series, want the fixture's 10 targets", targets)
	}
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

func TestFixtureFigures(t *testing.T) {
	s := fixture(t).Snapshot()
	tests := []struct {
		name   string
		target string
		status plan.Status
	}{
		{"a sum within 90% of its explicit trajectory is at risk", "inferior-water-bodies", plan.AtRisk},
		{"a mean cap above its warning share is at risk", "dry-waste-daily", plan.AtRisk},
		{"a floor whose day-weighted mean is under the goal is at risk", "wet-waste-daily", plan.AtRisk},
		{"an approximate sum ahead of pace is on track", "talents-introduced", plan.OnTrack},
		{"a percentage level behind its baseline path is at risk", "timed-collection-share", plan.AtRisk},
		{"zero growth with a corrected increase is breached", "illegal-construction", plan.Breached},
		{"a sum never reported counts as zero and is off track", "high-tech-firms", plan.OffTrack},
		{"a milestone reported done is achieved", "chenxiang-road-station", plan.Achieved},
		{"a milestone not done at its deadline is missed", "one-network-service", plan.Missed},
		{"a milestone more than 30 days from its due date is on track", "village-plans-published", plan.OnTrack},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, ok := s.Target(tc.target)
			if !ok {
				t.Fatalf("target %s not in the fixture", tc.target)
			}
			if g.Status != tc.status {
				t.Errorf("got %s, want %s (actual %v, expected %v)", g.Status, tc.status, g.Actual, g.Expected)
			}
		})
	}
}

func TestCollectAndLint(t *testing.T) {
	tr := fixture(t)
	problems, err := testutil.CollectAndLint(NewCollector(tr.Snapshot))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestPromtoolCheck runs promtool's linter over the handler's output.
func TestPromtoolCheck(t *testing.T) {
	promtool := testenv.LookPath(t, "promtool")
	tr := fixture(t)
	body, _ := scrape(t, Handler(tr.Snapshot, NewRegistry(BuildInfo{Version: "test"}), discard), "gzip")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("promtool check metrics: got %v\n%s\nwant no complaint", err, out)
	}
}

// parseStrict parses a text exposition strictly: a family given twice, or a
// HELP or TYPE line repeated, is an error.
func parseStrict(t testing.TB, body []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, "# HELP ") || strings.HasPrefix(l, "# TYPE ") {
			key := strings.Join(strings.Fields(l)[:3], " ")
			if seen[key] {
				t.Errorf("%q appears twice", key)
			}
			seen[key] = true
		}
	}
	return mfs
}

// series flattens families to sorted "name{labels} value" strings.
func series(mfs map[string]*dto.MetricFamily, only func(string) bool) []string {
	var out []string
	for name, mf := range mfs {
		if !only(name) {
			continue
		}
		for _, m := range mf.Metric {
			var ls []string
			for _, l := range m.Label {
				ls = append(ls, l.GetName()+"="+strconv.Quote(l.GetValue()))
			}
			slices.Sort(ls)
			v := m.GetGauge().GetValue()
			if mf.GetType() == dto.MetricType_COUNTER {
				v = m.GetCounter().GetValue()
			}
			out = append(out, fmt.Sprintf("%s %s{%s} %v", mf.GetType(), name, strings.Join(ls, ","), v))
		}
	}
	slices.Sort(out)
	return out
}

func isProgress(name string) bool { return familyNames[name] }

// TestHandlerMatchesCollector proves the cached exposition and the plain
// collector show the same series, in both encodings.
func TestHandlerMatchesCollector(t *testing.T) {
	tr := fixture(t)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(tr.Snapshot))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		want[mf.GetName()] = mf
	}
	h := Handler(tr.Snapshot, nil, discard)
	for _, enc := range []string{"", "gzip", "deflate, gzip;q=0.5"} {
		body, _ := scrape(t, h, enc)
		got := series(parseStrict(t, body), isProgress)
		if w := series(want, isProgress); !slices.Equal(got, w) {
			t.Errorf("encoding %q: got %d series, want %d:\n%s", enc, len(got), len(w), lineDiff(strings.Join(w, "\n"), strings.Join(got, "\n")))
		}
	}
}

func TestHandlerAppendsLiveMetrics(t *testing.T) {
	tr := fixture(t)
	live := NewRegistry(BuildInfo{Version: "v1.2.3"})
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: plan.MetricHTTPRequests, Help: "HTTP requests."}, []string{"code"})
	live.MustRegister(requests)
	requests.WithLabelValues("200").Add(3)
	// A progress collector registered in the live registry by mistake
	// must not produce its families twice.
	live.MustRegister(NewCollector(tr.Snapshot))
	h := Handler(tr.Snapshot, live, discard)
	for _, enc := range []string{"", "gzip"} {
		body, _ := scrape(t, h, enc)
		mfs := parseStrict(t, body)
		if got := mfs[plan.MetricHTTPRequests].GetMetric()[0].GetCounter().GetValue(); got != 3 {
			t.Errorf("encoding %q: requests counter: got %v, want 3", enc, got)
		}
		for _, name := range []string{MetricBuildInfo, "go_goroutines", plan.MetricTargetStatus} {
			if mfs[name] == nil {
				t.Errorf("encoding %q: family %s missing", enc, name)
			}
		}
		if got, want := len(mfs[plan.MetricTargetStatus].GetMetric()), 7*10; got != want {
			t.Errorf("encoding %q: status series: got %d, want %d", enc, got, want)
		}
	}
	requests.WithLabelValues("200").Inc()
	body, _ := scrape(t, h, "gzip")
	if got := parseStrict(t, body)[plan.MetricHTTPRequests].GetMetric()[0].GetCounter().GetValue(); got != 4 {
		t.Errorf("live counter on the next scrape: got %v, want 4", got)
	}
}

// targetwatch_build_info carries every field of the build as a label, an
// unknown one as the empty string (which Prometheus treats as absent).
func TestBuildInfoLabels(t *testing.T) {
	build := BuildInfo{Version: "v1.4.0", Revision: "0123456789abcdef0123456789abcdef01234567", RevisionTime: "2026-03-01T08:00:00Z", Modified: "false", GoVersion: "go1.26.8"}
	for _, tc := range []struct {
		name  string
		build BuildInfo
		want  map[string]string
	}{
		{"a release names its version, revision, time and toolchain", build,
			map[string]string{"version": "v1.4.0", "revision": "0123456789abcdef0123456789abcdef01234567", "revision_time": "2026-03-01T08:00:00Z", "modified": "false", "goversion": "go1.26.8"}},
		{"a build without version control keeps the labels, empty", BuildInfo{Version: "dev", GoVersion: "go1.26.8"},
			map[string]string{"version": "dev", "revision": "", "revision_time": "", "modified": "", "goversion": "go1.26.8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := scrape(t, Handler(fixture(t).Snapshot, NewRegistry(tc.build), discard), "")
			ms := parseStrict(t, body)[MetricBuildInfo].GetMetric()
			if len(ms) != 1 || ms[0].GetGauge().GetValue() != 1 {
				t.Fatalf("got %v, want one series of value 1", ms)
			}
			got := map[string]string{}
			for _, l := range ms[0].GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for name, want := range tc.want {
				if v, ok := got[name]; !ok && want != "" || v != want {
					t.Errorf("label %s: got %q (present %v), want %q", name, v, ok, want)
				}
			}
			if len(got) > len(tc.want) {
				t.Errorf("labels: got %v, want only %v", got, tc.want)
			}
		})
	}
}

func TestHandlerHeaders(t *testing.T) {
	tr := fixture(t)
	h := Handler(tr.Snapshot, nil, discard)
	for _, tc := range []struct {
		name, encoding, want string
	}{
		{"a client asking for gzip gets gzip", "gzip", "gzip"},
		{"a client listing gzip among others gets gzip", "br, gzip, deflate", "gzip"},
		{"a client refusing gzip gets plain text", "gzip;q=0, identity", ""},
		{"a client asking for nothing gets plain text", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("Accept-Encoding", tc.encoding)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Header().Get("Content-Encoding"); got != tc.want {
				t.Errorf("got encoding %q, want %q", got, tc.want)
			}
			if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
				t.Errorf("content length: got %s, want %s", got, want)
			}
		})
	}
	t.Run("a POST is refused", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/metrics", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("got %d, want %d", rec.Code, http.StatusMethodNotAllowed)
		}
	})
}

// TestIncrementalRender changes a few targets at a time and checks that the
// re-rendered exposition equals one rendered from scratch, and that blocks
// without changes kept their chunks.
func TestIncrementalRender(t *testing.T) {
	tr := fixture(t)
	p := tr.Snapshot().Plan
	// Enlarge the fixture so it spans several blocks.
	big := *p
	big.Targets = nil
	for i := range 3*blockSize + 17 {
		tg := p.Targets[i%len(p.Targets)]
		tg.ID = fmt.Sprintf("%s-%d", tg.ID, i)
		big.Targets = append(big.Targets, tg)
	}
	asOf := tr.Snapshot().AsOf
	tr, err := progress.New(progress.Config{Plan: &big, Now: func() time.Time { return asOf }, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(tr.Snapshot, nil, discard).(*handler)
	scrape(t, h, "gzip")
	rng := rand.New(rand.NewPCG(3, 4))
	for step := range 8 {
		before := h.r.cur.Load()
		old := tr.Snapshot()
		i := rng.IntN(len(big.Targets))
		tr.Apply(plan.Report{Target: big.Targets[i].ID, Period: plan.Period{Year: 2019, Month: time.Month(1 + rng.IntN(9))},
			Value: float64(rng.IntN(5)), Revision: step + 1, Received: asOf.Add(-time.Hour)})
		got, _ := scrape(t, h, "gzip")
		fresh, _ := scrape(t, Handler(tr.Snapshot, nil, discard), "")
		if !bytes.Equal(got, fresh) {
			t.Fatalf("step %d: incremental exposition differs from a fresh one:\n%s", step, lineDiff(string(fresh), string(got)))
		}
		after := h.r.cur.Load()
		changed := !sameMetrics(old.Targets[i], tr.Snapshot().Targets[i])
		for b := range after.blocks {
			kept := &after.blocks[b][2].deflate[0] == &before.blocks[b][2].deflate[0]
			if want := !changed || b != i/blockSize; kept != want {
				t.Errorf("step %d, block %d (changed target %d): chunk kept %v, want %v", step, b, i, kept, want)
			}
		}
	}
}

func TestCRCCombine(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 64, 1000, 70_000} {
		for _, m := range []int{0, 1, 3, 4096, 100_000} {
			a, b := make([]byte, n), make([]byte, m)
			for i := range a {
				a[i] = byte(rng.Uint32())
			}
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			got := crcCombine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(m))
			if want := crc32.ChecksumIEEE(append(a, b...)); got != want {
				t.Errorf("%d+%d bytes: got %08x, want %08x", n, m, got, want)
			}
		}
	}
}

func TestNewRegisters(t *testing.T) {
	tr := fixture(t)
	reg := prometheus.NewRegistry()
	if _, err := New(reg, tr.Snapshot); err != nil {
		t.Fatal(err)
	}
	if _, err := New(reg, tr.Snapshot); err == nil {
		t.Errorf("registering twice: got no error, want one")
	}
	if n, err := testutil.GatherAndCount(reg, plan.MetricTargetStatus); err != nil || n != 70 {
		t.Errorf("status series: got %d (%v), want 70", n, err)
	}
}
