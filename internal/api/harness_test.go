package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/store"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, shanghai) }

// testPlan is a small 2019 plan: two water targets (a sum and a
// percentage), a water milestone due in June, and a roads sum.
func testPlan() *plan.Plan {
	end := day(2019, 12, 31)
	return &plan.Plan{
		ID: "test-2019", Title: "测试区2019年重点工作任务", Timezone: "Asia/Shanghai", Location: shanghai,
		Start: day(2019, 1, 1), End: end, Frequency: "monthly", DueDay: 10, Thresholds: plan.DefaultThresholds,
		Agencies: []plan.Agency{{ID: "water", Name: "区水务局"}, {ID: "roads", Name: "区建管委"}},
		Targets: []plan.Target{
			{ID: "river-clean", Item: "1.1", Title: "消除劣V类水体", Agency: "water", Kind: plan.Quantity,
				Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 120, Unit: "条段", Due: end},
			{ID: "water-quality", Item: "1.2", Title: "水质达标率", Agency: "water", Kind: plan.Quantity,
				Direction: plan.AtLeast, Aggregation: plan.Last, Goal: 90, Unit: "%", Due: end},
			{ID: "sewage-plant", Item: "1.3", Title: "污水厂建成", Agency: "water", Kind: plan.Milestone,
				Direction: plan.Complete, Aggregation: plan.Last, Goal: 1, Unit: "项", Due: day(2019, 6, 30)},
			{ID: "road-repair", Item: "2.1", Title: "道路大修", Agency: "roads", Kind: plan.Quantity,
				Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 60, Unit: "公里", Due: end},
		},
	}
}

// asOf is the service clock of the tests: January's figures are locked
// (due 10 February, locked 60 days later), February's to April's are open,
// May has not begun.
var asOf = time.Date(2019, 4, 15, 12, 0, 0, 0, shanghai)

type harness struct {
	t       *testing.T
	url     string
	db      *store.DB
	tracker *progress.Tracker
	reg     *prometheus.Registry
	tokens  map[string]string // water, roads, supervisor, admin, revoked
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWithLog(t, io.Discard, slog.LevelInfo)
}

// newHarnessWithLog is newHarness logging at logLevel and above to logTo.
func newHarnessWithLog(t *testing.T, logTo io.Writer, logLevel slog.Level) *harness {
	t.Helper()
	return newHarnessOf(t, logTo, logLevel, testPlan())
}

// newHarnessOf serves the given plans together.
func newHarnessOf(t *testing.T, logTo io.Writer, logLevel slog.Level, plans ...*plan.Plan) *harness {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return asOf }
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tw.db"), store.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tr, err := progress.New(progress.Config{Plans: plans, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	runTracker(t, tr)
	reg := prometheus.NewPedanticRegistry()
	h, err := New(Config{Store: db, Progress: tr, Now: now, Registerer: reg, Logger: slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: logLevel}))})
	if err != nil {
		t.Fatal(err)
	}
	// Every request and answer of the tests is held to openapi.json.
	srv := httptest.NewServer(documented(t, h))
	t.Cleanup(srv.Close)
	hs := &harness{t: t, url: srv.URL + Prefix, db: db, tracker: tr, reg: reg, tokens: map[string]string{}}
	for _, tok := range []struct {
		key, agency string
		role        plan.Role
	}{
		{"water", "water", plan.RoleAgency},
		{"roads", "roads", plan.RoleAgency},
		{"supervisor", "", plan.RoleSupervisor},
		{"admin", "", plan.RoleAdmin},
		{"revoked", "water", plan.RoleAgency},
	} {
		issued, secret, err := db.IssueToken(ctx, tok.key+"-clerk", tok.agency, tok.role)
		if err != nil {
			t.Fatal(err)
		}
		hs.tokens[tok.key] = secret
		if tok.key == "revoked" {
			if err := db.RevokeToken(ctx, issued.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	return hs
}

type request struct {
	method, path, token, contentType string
	body                             []byte
	header                           map[string]string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (h *harness) do(r request) response {
	h.t.Helper()
	req, err := http.NewRequest(r.method, h.url+r.path, bytes.NewReader(r.body))
	if err != nil {
		h.t.Fatal(err)
	}
	if r.token != "" {
		secret, ok := h.tokens[r.token]
		if !ok {
			secret = r.token
		}
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	// Tests read English messages unless they ask for another language.
	req.Header.Set("Accept-Language", "en")
	for k, v := range r.header {
		req.Header.Set(k, v)
		if v == "" {
			req.Header.Del(k) // "" sends no such header
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// put sends one figure as JSON.
func (h *harness) put(token, target, period string, body string) response {
	h.t.Helper()
	return h.do(request{method: "PUT", path: "/targets/" + target + "/reports/" + period, token: token,
		contentType: "application/json", body: []byte(body)})
}

func (h *harness) mustPut(token, target, period, body string, want int) FigureAnswer {
	h.t.Helper()
	res := h.put(token, target, period, body)
	if res.status != want {
		h.t.Fatalf("PUT %s %s %s: got %d, want %d: %s", target, period, body, res.status, want, res.body)
	}
	var a FigureAnswer
	if err := json.Unmarshal(res.body, &a); err != nil {
		h.t.Fatalf("PUT answer %s: %v", res.body, err)
	}
	return a
}

// mustRefuse sends r and checks that it is refused with status as
// problem+json, with an item naming field and line ("" and 0: none
// required), and that the database and the snapshot are unchanged.
func (h *harness) mustRefuse(t *testing.T, r request, status int, field string, line int) response {
	t.Helper()
	before := h.revisions()
	snapBefore := h.tracker.Snapshot().Version
	res := h.do(r)
	if res.status != status {
		t.Fatalf("got status %d, want %d: %s", res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("got Content-Type %q, want application/problem+json", ct)
	}
	var p Problem
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Fatalf("problem body %s: %v", res.body, err)
	}
	if p.Status != status || p.Title == "" || p.Detail == "" || !strings.HasPrefix(p.Type, ProblemTypeBase) {
		t.Errorf("got problem %+v, want status %d with type, title and detail", p, status)
	}
	found := field == "" && line == 0
	for _, it := range p.Errors {
		if (field == "" || it.Field == field) && (line == 0 || it.Line == line) && it.Message != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("got errors %+v, want one naming field %q line %d", p.Errors, field, line)
	}
	if after := h.revisions(); !sameRevisions(before, after) {
		t.Errorf("the database changed: got %d revisions, want the same %d", len(after), len(before))
	}
	if v := h.tracker.Snapshot().Version; v != snapBefore {
		t.Errorf("the snapshot was rebuilt (version %d → %d) by a rejected request", snapBefore, v)
	}
	return res
}

func (h *harness) revisions() []plan.Report {
	h.t.Helper()
	revs, err := h.db.Revisions(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return revs
}

func sameRevisions(a, b []plan.Report) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Received.Equal(y.Received) {
			return false
		}
		x.Received, y.Received = time.Time{}, time.Time{}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// series finds the first series of one family whose labels include labels.
func (h *harness) series(name string, labels map[string]string) *dto.Metric {
	h.t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue series
				}
			}
			return m
		}
	}
	h.t.Fatalf("no series %s%v", name, labels)
	return nil
}

// counter reads one counter series from the registry.
func (h *harness) counter(name string, labels map[string]string) float64 {
	h.t.Helper()
	return h.series(name, labels).GetCounter().GetValue()
}

// histogramCount reads the number of observations of one histogram series.
func (h *harness) histogramCount(name string, labels map[string]string) uint64 {
	h.t.Helper()
	return h.series(name, labels).GetHistogram().GetSampleCount()
}

// total sums every series of one counter.
func (h *harness) total(name string) float64 {
	h.t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
