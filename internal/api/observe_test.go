package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/store"
)

// apiRoute is one route of the API as its documentation lists it, written
// here independently of the routing code.
type apiRoute struct {
	method, path, name string
	wrongMethod        string
}

var everyRoute = []apiRoute{
	{"GET", "/targets", "targets", "POST"},
	{"GET", "/targets/river-clean", "target", "PUT"},
	{"GET", "/targets/river-clean/reports", "target_reports", "DELETE"},
	{"PUT", "/targets/river-clean/reports/2019-03", "put_report", "GET"},
	{"POST", "/reports", "post_reports", "PUT"},
	{"GET", "/agencies/water/missing", "agency_missing", "POST"},
	{"GET", "/agencies/water/template.csv", "agency_template", "DELETE"},
	{"GET", "/report", "report", "PATCH"},
}

// checkProblem asserts an answer is a problem of the given kind whose
// request id is the answer's X-Request-Id.
func checkProblem(t *testing.T, res response, status int, reason string) Problem {
	t.Helper()
	if res.status != status {
		t.Errorf("got status %d, want %d: %s", res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("got Content-Type %q, want application/problem+json", ct)
	}
	var p Problem
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Fatalf("problem %s: %v", res.body, err)
	}
	if p.Type != ProblemTypeBase+reason || p.Status != status {
		t.Errorf("got type %q status %d, want %s and %d", p.Type, p.Status, ProblemTypeBase+reason, status)
	}
	if id := res.header.Get(RequestIDHeader); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) || p.RequestID != id {
		t.Errorf("got request id %q in the body and %q in the header, want the same 16 hex digits", p.RequestID, id)
	}
	return p
}

// Every route refuses the same way and is counted: no token, a revoked
// token, a wrong method, and an unknown path beside them.
func TestEveryRouteRefusesAndIsCounted(t *testing.T) {
	h := newHarness(t)
	body := map[string]string{"PUT": `{"value": 1}`, "POST": `{"reports": []}`}
	for _, rt := range everyRoute {
		t.Run(rt.name, func(t *testing.T) {
			req := request{method: rt.method, path: rt.path, contentType: "application/json", body: []byte(body[rt.method])}
			checkProblem(t, h.do(req), 401, "unauthenticated")
			req.token = "revoked"
			checkProblem(t, h.do(req), 401, "unauthenticated")
			// Refused before routing, the two are still counted under
			// the route's name.
			if got := h.counter(plan.MetricHTTPRequests, map[string]string{"handler": rt.name, "code": "401", "method": strings.ToLower(rt.method)}); got != 2 {
				t.Errorf("requests{%s,401}: got %v, want 2 (no token, revoked)", rt.name, got)
			}

			res := h.do(request{method: rt.wrongMethod, path: rt.path, token: "admin"})
			checkProblem(t, res, 405, "method_not_allowed")
			if got := res.header.Get("Allow"); got != rt.method {
				t.Errorf("%s %s: got Allow %q, want %q", rt.wrongMethod, rt.path, got, rt.method)
			}
			if got := h.counter(plan.MetricHTTPRequests, map[string]string{"handler": rt.name, "code": "405", "method": strings.ToLower(rt.wrongMethod)}); got != 1 {
				t.Errorf("requests{%s,405}: got %v, want 1", rt.name, got)
			}
		})
	}

	// A supervisor writes nothing; an agency writes only its own targets.
	checkProblem(t, h.put("supervisor", "river-clean", "2019-03", `{"value": 1}`), 403, "forbidden")
	checkProblem(t, h.put("roads", "river-clean", "2019-03", `{"value": 1}`), 403, "forbidden")
	checkProblem(t, h.do(request{method: "POST", path: "/reports", token: "supervisor", contentType: "application/json",
		body: []byte(`{"reports":[{"target":"river-clean","period":"2019-03","value":1}]}`)}), 403, "forbidden")

	// Unknown paths under /api/v1, and an unknown target on a known one.
	for _, path := range []string{"/nothing", "/targets/river-clean/reports/2019-03/extra", "/"} {
		checkProblem(t, h.do(request{method: "GET", path: path, token: "water"}), 404, "not_found")
	}
	checkProblem(t, h.do(request{method: "GET", path: "/nothing"}), 401, "unauthenticated")
	checkProblem(t, h.do(request{method: "GET", path: "/targets/nope", token: "water"}), 404, "not_found")
	// Three unknown paths with a token, one without; the raw path is
	// never a label.
	for code, want := range map[string]float64{"404": 3, "401": 1} {
		if got := h.counter(plan.MetricHTTPRequests, map[string]string{"handler": unknownRoute, "code": code, "method": "get"}); got != want {
			t.Errorf("requests{unknown,%s}: got %v, want %v", code, got, want)
		}
	}
	if got := h.counter(plan.MetricHTTPRequests, map[string]string{"handler": "target", "code": "404", "method": "get"}); got != 1 {
		t.Errorf("requests{target,404}: got %v, want 1", got)
	}
	// Every answer is in the latency histogram too: for /report, two
	// 401s and one 405 (the 405 was a PATCH).
	if got := h.histogramCount(plan.MetricHTTPRequestDuration, map[string]string{"handler": "report", "method": "get"}); got != 2 {
		t.Errorf("duration{report,get}: got %d observations, want 2", got)
	}
	// 8 routes × (2 refusals + 1 wrong method) + 3 forbidden + 5 more.
	if got := h.total(plan.MetricHTTPRequests); got != 8*3+3+5 {
		t.Errorf("requests counted: got %v, want %d, every answer", got, 8*3+3+5)
	}

	// A body over the limit is refused while it is read, and counted.
	big := `{"value": 1, "note": "` + strings.Repeat("x", DefaultMaxBody) + `"}`
	checkProblem(t, h.put("water", "river-clean", "2019-03", big), 413, "too_large")
	if got := h.counter(plan.MetricHTTPRequests, map[string]string{"handler": "put_report", "code": "413", "method": "put"}); got != 1 {
		t.Errorf("requests{put_report,413}: got %v, want 1", got)
	}
}

// A 500 says nothing of its cause; the log has the cause under the
// answer's request id. The database is really closed under the API.
func TestInternalErrorIsAProblemWithARequestID(t *testing.T) {
	var logs bytes.Buffer
	h := newHarnessWithLog(t, &logs, slog.LevelInfo)
	// A first figure fills the token cache, so the PUT after the close
	// gets past authentication and fails in the store.
	h.mustPut("water", "river-clean", "2019-03", `{"value": 1}`, http.StatusCreated)
	if err := h.db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, req := range []request{
		{method: "GET", path: "/targets", token: "water"},
		{method: "PUT", path: "/targets/river-clean/reports/2019-04", token: "water", contentType: "application/json", body: []byte(`{"value": 2}`)},
	} {
		t.Run(req.method, func(t *testing.T) {
			res := h.do(req)
			p := checkProblem(t, res, 500, "internal")
			if p.Detail != "the request could not be completed; it has been logged" || len(p.Errors) != 0 {
				t.Errorf("got detail %q and %v, want the generic detail alone", p.Detail, p.Errors)
			}
			if strings.Contains(strings.ToLower(string(res.body)), "closed") || strings.Contains(string(res.body), "sql") {
				t.Errorf("the answer shows the internal error: %s", res.body)
			}
			var cause, request bool
			for l := range strings.Lines(logs.String()) {
				if !strings.Contains(l, "request_id="+p.RequestID) {
					continue
				}
				cause = cause || strings.Contains(l, `msg="internal error"`) && strings.Contains(l, "closed")
				request = request || strings.Contains(l, "msg=request") && strings.Contains(l, "status=500") && strings.Contains(l, "level=ERROR")
			}
			if !cause || !request {
				t.Errorf("want the cause and the request line under request_id=%s, got cause %v, request %v in:\n%s", p.RequestID, cause, request, logs.String())
			}
		})
	}
	for _, c := range []struct{ handler, method string }{{"targets", "get"}, {"put_report", "put"}} {
		if got := h.counter(plan.MetricHTTPRequests, map[string]string{"handler": c.handler, "code": "500", "method": c.method}); got != 1 {
			t.Errorf("requests{%s,500}: got %v, want 1", c.handler, got)
		}
	}
}

// A panic in a handler is a counted 500 problem; its value and stack go
// to the log only. A panic after the answer began aborts the connection.
func TestPanicIsRecovered(t *testing.T) {
	var logs bytes.Buffer
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := testPlan()
	tr, err := progress.New(progress.Config{Plan: p, Now: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	s, err := newServer(Config{Store: db, Progress: tr, Registerer: reg, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"7"`) // for an answer that never comes
		if r.URL.Path == "/late" {
			_, _ = io.WriteString(w, "the beginning of an answer")
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("flush: %v", err)
			}
		}
		panic("secret internal state")
	})))
	t.Cleanup(srv.Close)
	h := &harness{t: t, url: srv.URL, reg: reg}

	res := h.do(request{method: "GET", path: "/early"})
	pr := checkProblem(t, res, 500, "internal")
	if strings.Contains(string(res.body), "secret") {
		t.Errorf("the answer shows the panic: %s", res.body)
	}
	if etag := res.header.Get("ETag"); etag != "" {
		t.Errorf("got the handler's ETag %s on the 500, want none", etag)
	}
	if !regexp.MustCompile(`level=ERROR msg=panic request_id=` + pr.RequestID + `.*secret internal state.*stack=`).MatchString(logs.String()) {
		t.Errorf("want the panic and its stack logged under request_id=%s, got:\n%s", pr.RequestID, logs.String())
	}

	// A fresh connection: on a reused one the client would send the GET
	// again, and count twice.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(srv.URL + "/late")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Errorf("a panic after the answer began: got a complete answer, want the connection aborted")
	}
	// Both counted: the first as a 500, the second as the 200 it began.
	for code, want := range map[string]float64{"500": 1, "200": 1} {
		if got := h.counter(plan.MetricHTTPRequests, map[string]string{"handler": unknownRoute, "code": code, "method": "get"}); got != want {
			t.Errorf("requests{%s}: got %v, want %v\n%s", code, got, want, logs.String())
		}
	}
}
