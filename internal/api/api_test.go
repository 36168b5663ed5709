package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/store"
)

func gb18030(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBadInputIsRejectedAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	// State the cases run against: March has a figure (revision 1), and
	// January was reported before it locked.
	h.mustPut("water", "river-clean", "2019-03", `{"value": 10}`, http.StatusCreated)
	h.mustPut("admin", "river-clean", "2019-01", `{"value": 8}`, http.StatusCreated)

	const js = "application/json"
	put := func(target, period, body string) request {
		return request{method: "PUT", path: "/targets/" + target + "/reports/" + period, token: "water", contentType: js, body: []byte(body)}
	}
	with := func(r request, f func(*request)) request { f(&r); return r }
	batchCSV := func(body string) request {
		return request{method: "POST", path: "/reports", token: "water", contentType: "text/csv", body: []byte(body)}
	}
	batchJSON := func(body string) request {
		return request{method: "POST", path: "/reports", token: "water", contentType: js, body: []byte(body)}
	}
	big := `{"value": 1, "note": "` + strings.Repeat("x", DefaultMaxBody) + `"}`

	cases := []struct {
		name   string
		req    request
		status int
		field  string // a field some problem item must name ("" = none required)
		line   int    // a line some problem item must name (0 = none required)
	}{
		{"a request without a token is unauthenticated", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.token = "" }), 401, "Authorization", 0},
		{"an unknown token is unauthenticated", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.token = "tw_notatoken" }), 401, "", 0},
		{"a revoked token is unauthenticated", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.token = "revoked" }), 401, "", 0},
		{"a token sent as Basic is unauthenticated", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) {
			r.token = ""
			r.header = map[string]string{"Authorization": "Basic " + h.tokens["water"]}
		}), 401, "Authorization", 0},
		{"an unknown target is not found", put("no-such-target", "2019-04", `{"value":1}`), 404, "id", 0},
		{"a period without a leading zero is malformed", put("river-clean", "2019-4", `{"value":1}`), 400, "period", 0},
		{"month 13 is malformed", put("river-clean", "2019-13", `{"value":1}`), 400, "period", 0},
		{"a period without a dash is malformed", put("river-clean", "201904", `{"value":1}`), 400, "period", 0},
		{"a period before the plan is invalid", put("river-clean", "2018-12", `{"value":1}`), 422, "period", 0},
		{"a period after the plan is invalid", put("river-clean", "2020-01", `{"value":1}`), 422, "period", 0},
		{"a month that has not begun is invalid", put("river-clean", "2019-05", `{"value":1}`), 422, "period", 0},
		{"a value sent as a string is malformed", put("river-clean", "2019-04", `{"value":"12"}`), 400, "value", 0},
		{"a null value is malformed", put("river-clean", "2019-04", `{"value":null}`), 400, "value", 0},
		{"a missing value is malformed", put("river-clean", "2019-04", `{"note":"x"}`), 400, "value", 0},
		{"a value too large for a float is not finite", put("river-clean", "2019-04", `{"value":1e999}`), 400, "value", 0},
		{"a boolean value is malformed", put("river-clean", "2019-04", `{"value":true}`), 400, "value", 0},
		{"a negative value is invalid", put("river-clean", "2019-04", `{"value":-1}`), 422, "value", 0},
		{"a value above the bound of 1e12 is invalid", put("river-clean", "2019-04", `{"value":1000000000000.01}`), 422, "value", 0},
		{"1e307, which once overflowed a cap's mean, is invalid", put("river-clean", "2019-04", `{"value":1e307}`), 422, "value", 0},
		{"1.7e308, which twice overflowed a sum, is invalid", put("river-clean", "2019-04", `{"value":1.7e308}`), 422, "value", 0},
		{"a percentage above 100 is invalid", put("water-quality", "2019-04", `{"value":100.5}`), 422, "value", 0},
		{"a milestone of 0.5 is invalid", put("sewage-plant", "2019-04", `{"value":0.5}`), 422, "value", 0},
		{"an unknown JSON field is malformed", put("river-clean", "2019-04", `{"value":1,"unit":"km"}`), 400, "unit", 0},
		{"a note that is a number is malformed", put("river-clean", "2019-04", `{"value":1,"note":5}`), 400, "note", 0},
		{"data after the object is malformed", put("river-clean", "2019-04", `{"value":1} {"value":2}`), 400, "", 0},
		{"an empty body is malformed", put("river-clean", "2019-04", ``), 400, "", 0},
		{"broken JSON is malformed", put("river-clean", "2019-04", `{"value":1`), 400, "", 0},
		{"a JSON array is malformed", put("river-clean", "2019-04", `[1]`), 400, "", 0},
		{"a body over 1 MiB is too large", put("river-clean", "2019-04", big), 413, "", 0},
		{"text/plain is unsupported", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.contentType = "text/plain" }), 415, "Content-Type", 0},
		{"a missing content type is unsupported", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.contentType = "" }), 415, "Content-Type", 0},
		{"JSON in latin1 is unsupported", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.contentType = "application/json; charset=latin1" }), 415, "Content-Type", 0},
		{"a correction without a note is invalid", put("river-clean", "2019-03", `{"value":11}`), 422, "note", 0},
		{"a correction with a blank note is invalid", put("river-clean", "2019-03", `{"value":11,"note":"  "}`), 422, "note", 0},
		{"a stale If-Match fails the precondition", with(put("river-clean", "2019-03", `{"value":11,"note":"fix"}`), func(r *request) { r.header = map[string]string{"If-Match": `"7"`} }), 412, "If-Match", 0},
		{"If-Match * on an empty period fails the precondition", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.header = map[string]string{"If-Match": `*`} }), 412, "If-Match", 0},
		{"a malformed If-Match is malformed", with(put("river-clean", "2019-03", `{"value":11,"note":"fix"}`), func(r *request) { r.header = map[string]string{"If-Match": `seven`} }), 400, "If-Match", 0},
		{"an agency correcting a locked month is locked out", put("river-clean", "2019-01", `{"value":9,"note":"late fix"}`), 423, "period", 0},
		{"an agency writing another agency's target is forbidden", put("road-repair", "2019-04", `{"value":1}`), 403, "target", 0},
		{"a supervisor writing is forbidden", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.token = "supervisor" }), 403, "", 0},
		{"a note over 1000 characters is invalid", put("river-clean", "2019-04", `{"value":1,"note":"`+strings.Repeat("长", 1001)+`"}`), 422, "note", 0},
		{"a note with control characters is invalid", put("river-clean", "2019-04", `{"value":1,"note":"a\u0007b"}`), 422, "note", 0},
		{"dry_run=maybe is malformed", with(put("river-clean", "2019-04", `{"value":1}`), func(r *request) { r.path += "?dry_run=maybe" }), 400, "dry_run", 0},
		{"a value and a period both wrong are both reported", put("river-clean", "2019-05", `{"value":-3}`), 422, "value", 0},

		{"deleting a figure is not allowed: revisions are append-only", request{method: "DELETE", path: "/targets/river-clean/reports/2019-03", token: "admin"}, 405, "", 0},
		{"a PATCH of a figure is not allowed", with(put("river-clean", "2019-03", `{"value":11,"note":"x"}`), func(r *request) { r.method = "PATCH" }), 405, "", 0},

		{"a CSV batch with one bad row stores none of it", batchCSV("target,period,value,note\nriver-clean,2019-04,5,\nriver-clean,2019-02,abc,\n"), 422, "value", 3},
		{"a CSV batch with a figure beyond 1e12 names its line", batchCSV("target,period,value,note\nriver-clean,2019-04,5,\nriver-clean,2019-02,1.7e308,\n"), 422, "value", 3},
		{"a CSV batch with a bound-breaking figure in thousands names its line", batchCSV("target,period,value,note\nriver-clean,2019-04,\"2,000,000,000,000\",\n"), 422, "value", 2},
		{"a CSV batch naming another agency's target is forbidden", batchCSV("target,period,value\nroad-repair,2019-04,5\n"), 403, "target", 2},
		{"a CSV batch row with a month not begun is invalid", batchCSV("target,period,value\nriver-clean,2019-04,5\nriver-clean,2019-06,5\n"), 422, "period", 3},
		{"a CSV batch correcting without a note is invalid", batchCSV("target,period,value\nriver-clean,2019-04,5\nriver-clean,2019-03,12\n"), 422, "note", 3},
		{"a CSV header without value is invalid", batchCSV("target,period,amount\nriver-clean,2019-04,5\n"), 422, "value", 0},
		{"an empty CSV is invalid", batchCSV(""), 422, "", 0},
		{"a CSV with only a header holds no figures", batchCSV("target,period,value,note\r\n"), 422, "reports", 0},
		{"a CSV with a stray quote is rejected at its line", batchCSV("target,period,value,note\nriver-clean,2019-02,\"5\"x,\nriver-clean,2019-04,5,\n"), 422, "", 2},
		{"a CSV in an unknown charset is unsupported", with(batchCSV("target,period,value\n"), func(r *request) { r.contentType = "text/csv; charset=koi8-r" }), 415, "Content-Type", 0},
		{"a UTF-16 CSV is unsupported", batchCSV("\xff\xfet\x00a\x00"), 415, "Content-Type", 0},
		{"bytes that are neither UTF-8 nor GB18030 are malformed", batchCSV("target,period,value\n\xff\xff,2019-04,1\n"), 400, "", 0},
		{"a CSV claiming UTF-8 with GB18030 bytes is malformed", with(batchCSV("target,period,value,note\nriver-clean,2019-04,1,"+string(gb18030(t, "说明"))+"\n"), func(r *request) { r.contentType = "text/csv; charset=utf-8" }), 400, "Content-Type", 0},
		{"a batch as XML is unsupported", with(batchJSON(`<reports/>`), func(r *request) { r.contentType = "application/xml" }), 415, "Content-Type", 0},
		{"a JSON batch with an unknown target names its position", batchJSON(`{"reports":[{"target":"river-clean","period":"2019-04","value":1},{"target":"nope","period":"2019-04","value":1}]}`), 422, "target", 2},
		{"a JSON batch with a figure beyond 1e12 names its position", batchJSON(`{"reports":[{"target":"river-clean","period":"2019-04","value":1},{"target":"river-clean","period":"2019-02","value":1e307}]}`), 422, "value", 2},
		{"a JSON batch with an unknown field is malformed", batchJSON(`{"reports":[{"target":"river-clean","period":"2019-04","value":1,"unit":"km"}]}`), 400, "unit", 0},
		{"an empty JSON batch is invalid", batchJSON(`{"reports":[]}`), 422, "reports", 0},
		{"a batch from a supervisor is forbidden", with(batchJSON(`{"reports":[{"target":"river-clean","period":"2019-04","value":1}]}`), func(r *request) { r.token = "supervisor" }), 403, "", 0},
		{"an agency giving a figure its original date is forbidden", batchCSV("target,period,value,received\nriver-clean,2019-04,5,2019-04-02\n"), 403, "received", 2},
		{"a supervisor giving a figure its original date is forbidden", with(batchJSON(`{"reports":[{"target":"river-clean","period":"2019-04","value":1,"received":"2019-04-02"}]}`), func(r *request) { r.token = "supervisor" }), 403, "received", 1},
		{"an original date after now (noon on 15 April) is invalid", with(batchCSV("target,period,value,received\nriver-clean,2019-04,5,2019-04-16\n"), func(r *request) { r.token = "admin" }), 422, "received", 2},
		{"an original time a second after now is invalid", with(batchJSON(`{"reports":[{"target":"river-clean","period":"2019-04","value":1,"received":"2019-04-15T12:00:01+08:00"}]}`), func(r *request) { r.token = "admin" }), 422, "received", 1},
		{"an original date before its month began is invalid", with(batchCSV("target,period,value,received\nriver-clean,2019-04,5,2019-04-01\nriver-clean,2019-02,5,2019-01-31\n"), func(r *request) { r.token = "admin" }), 422, "received", 3},
		{"an original date in another format is invalid", with(batchJSON(`{"reports":[{"target":"river-clean","period":"2019-04","value":1,"received":"15/04/2019"}]}`), func(r *request) { r.token = "admin" }), 422, "received", 1},
		{"a correction dated before the figure it corrects is invalid", with(batchCSV("target,period,value,note,received\nriver-clean,2019-03,12,fix,2019-04-02\n"), func(r *request) { r.token = "admin" }), 422, "received", 2},
		{"an agency batch touching a locked month is locked", batchJSON(`{"reports":[{"target":"river-clean","period":"2019-01","value":9,"note":"late"}]}`), 423, "period", 1},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.mustRefuse(t, c.req, c.status, c.field, c.line)
			if c.status == 405 && res.header.Get("Allow") != "PUT" {
				t.Errorf("got Allow %q, want PUT", res.header.Get("Allow"))
			}
			if c.status == 401 && !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("got WWW-Authenticate %q, want Bearer", res.header.Get("WWW-Authenticate"))
			}
		})
	}
	if got := h.counter(plan.MetricSubmissionsRejected, map[string]string{"reason": "locked"}); got != 2 {
		t.Errorf("rejected{reason=locked}: got %v, want 2", got)
	}
}

func TestSubmitLifecycle(t *testing.T) {
	h := newHarness(t)
	a := h.mustPut("water", "river-clean", "2019-03", `{"value": 10, "note": "首报"}`, http.StatusCreated)
	if a.Result != "created" || a.Revision != 1 || a.ETag != `"1"` || a.TokenName != "water-clerk" || a.Agency != "water" {
		t.Errorf("first figure: got %+v", a)
	}
	g, _ := h.tracker.Snapshot().Target("river-clean")
	if !g.HasActual || g.Actual != 10 {
		t.Errorf("snapshot after the 201: got actual %v (has %v), want 10", g.Actual, g.HasActual)
	}

	res := h.put("water", "river-clean", "2019-03", `{"value": 10}`)
	if res.status != http.StatusOK || !strings.Contains(string(res.body), `"result":"unchanged"`) || res.header.Get("ETag") != `"1"` {
		t.Errorf("resending: got %d %s ETag %s, want 200 unchanged with ETag \"1\"", res.status, res.body, res.header.Get("ETag"))
	}

	res = h.do(request{method: "PUT", path: "/targets/river-clean/reports/2019-03", token: "water", contentType: "application/json; charset=utf-8",
		body: []byte(`{"value": 12, "note": "补报两条段"}`), header: map[string]string{"If-Match": `"1"`}})
	if res.status != http.StatusOK || res.header.Get("ETag") != `"2"` || !strings.Contains(string(res.body), `"result":"corrected"`) {
		t.Errorf("correction: got %d %s ETag %s, want 200 corrected with ETag \"2\"", res.status, res.body, res.header.Get("ETag"))
	}

	// A figure over three times the monthly share (120/12 = 10) is stored
	// with a warning.
	a = h.mustPut("water", "river-clean", "2019-04", `{"value": 31}`, http.StatusCreated)
	if len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "monthly share") {
		t.Errorf("implausible figure: got warnings %q, want one about the monthly share", a.Warnings)
	}
	if got := h.counter(plan.MetricPlausibilityWarnings, nil); got != 1 {
		t.Errorf("warnings counter: got %v, want 1", got)
	}

	// A trailing newline after the object is not "data after the object".
	h.mustPut("water", "river-clean", "2019-02", `{"value": 7}`+"\n", http.StatusCreated)
}

func TestDryRunAndLockedRetries(t *testing.T) {
	h := newHarness(t)
	res := h.do(request{method: "PUT", path: "/targets/river-clean/reports/2019-04?dry_run=true", token: "water",
		contentType: "application/json", body: []byte(`{"value": 3}`)})
	if res.status != http.StatusOK || !strings.Contains(string(res.body), `"dry_run":true`) || !strings.Contains(string(res.body), `"result":"created"`) {
		t.Errorf("dry run: got %d %s, want 200 saying it would be created", res.status, res.body)
	}
	if n := len(h.revisions()); n != 0 {
		t.Errorf("dry run stored %d revisions", n)
	}
	h.mustPut("admin", "river-clean", "2019-01", `{"value": 8}`, http.StatusCreated)
	h.mustPut("water", "river-clean", "2019-01", `{"value": 8}`, http.StatusOK) // a retry of a locked month is harmless
	a := h.mustPut("admin", "river-clean", "2019-01", `{"value": 9, "note": "审计调整"}`, http.StatusOK)
	if a.Result != "corrected" || a.Revision != 2 || a.TokenName != "admin-clerk" {
		t.Errorf("admin correcting a locked month: got %+v, want revision 2 by admin-clerk", a)
	}
}

func TestReadEndpoints(t *testing.T) {
	h := newHarness(t)
	h.mustPut("water", "river-clean", "2019-02", `{"value": 10}`, http.StatusCreated)
	h.mustPut("water", "river-clean", "2019-02", `{"value": 11, "note": "更正"}`, http.StatusOK)

	res := h.do(request{method: "GET", path: "/targets/river-clean/reports", token: "supervisor"})
	var rep ReportsJSON
	if err := json.Unmarshal(res.body, &rep); err != nil || res.status != 200 {
		t.Fatalf("GET reports: %d %s %v", res.status, res.body, err)
	}
	if len(rep.Periods) != 1 || rep.Periods[0].Value != 11 || len(rep.Periods[0].Revisions) != 2 || rep.Periods[0].Revisions[1].Note != "更正" {
		t.Errorf("history: got %+v, want February at 11 with two revisions", rep)
	}

	res = h.do(request{method: "GET", path: "/targets", token: "roads"})
	var all TargetsJSON
	if err := json.Unmarshal(res.body, &all); err != nil || len(all.Targets) != 4 {
		t.Fatalf("GET targets: %d %s %v", res.status, res.body, err)
	}
	rc := all.Targets[0]
	if rc.ID != "river-clean" || rc.Actual == nil || *rc.Actual != 11 || rc.Corrections != 1 {
		t.Errorf("river-clean: got %+v, want actual 11 with one correction", rc)
	}
	if all.Targets[3].Actual != nil {
		t.Errorf("road-repair without figures: got actual %v, want null", *all.Targets[3].Actual)
	}

	res = h.do(request{method: "GET", path: "/agencies/water/missing", token: "water"})
	var miss MissingJSON
	if err := json.Unmarshal(res.body, &miss); err != nil || res.status != 200 {
		t.Fatalf("GET missing: %d %s %v", res.status, res.body, err)
	}
	// As of 15 April, January to March are due; February is reported.
	want := map[string]string{"river-clean": "[2019-01 2019-03]", "water-quality": "[2019-01 2019-02 2019-03]", "sewage-plant": "[2019-01 2019-02 2019-03]"}
	for _, mt := range miss.Targets {
		if got := fmt.Sprint(mt.Missing); got != want[mt.Target] {
			t.Errorf("missing of %s: got %s, want %s", mt.Target, got, want[mt.Target])
		}
	}
	if len(miss.Targets) != 3 {
		t.Errorf("got %d water targets, want 3", len(miss.Targets))
	}
	for _, path := range []string{"/agencies/nope/missing", "/targets/nope", "/targets/nope/reports", "/no/such/endpoint"} {
		if res := h.do(request{method: "GET", path: path, token: "water"}); res.status != 404 {
			t.Errorf("GET %s: got %d, want 404", path, res.status)
		}
	}
}

func TestAuthorisationMatrix(t *testing.T) {
	h := newHarness(t)
	// river-clean belongs to water; road-repair to roads. The "water" agency
	// token's own target is river-clean, its other is road-repair.
	own := map[string]string{"water": "river-clean", "supervisor": "river-clean", "admin": "river-clean"}
	other := map[string]string{"water": "road-repair", "supervisor": "road-repair", "admin": "road-repair"}
	cases := []struct {
		role    string
		whose   string
		write   bool
		status  int
		comment string
	}{
		{"water", "own", false, 200, "an agency reads its own targets"},
		{"water", "other", false, 200, "an agency reads every target"},
		{"water", "own", true, 201, "an agency writes its own targets"},
		{"water", "other", true, 403, "an agency does not write another's"},
		{"supervisor", "own", false, 200, "a supervisor reads"},
		{"supervisor", "other", false, 200, "a supervisor reads every target"},
		{"supervisor", "own", true, 403, "a supervisor writes nothing"},
		{"supervisor", "other", true, 403, "a supervisor writes nothing, anywhere"},
		{"admin", "own", false, 200, "an admin reads"},
		{"admin", "other", false, 200, "an admin reads every target"},
		{"admin", "own", true, 201, "an admin writes"},
		{"admin", "other", true, 201, "an admin writes any target"},
		{"", "own", false, 401, "no token reads nothing"},
		{"", "own", true, 401, "no token writes nothing"},
		{"revoked", "own", false, 401, "a revoked token reads nothing"},
		{"revoked", "own", true, 401, "a revoked token writes nothing"},
	}
	months := map[string]string{"water": "2019-02", "supervisor": "2019-03", "admin": "2019-04", "": "2019-03", "revoked": "2019-03"}
	for _, c := range cases {
		t.Run(c.comment, func(t *testing.T) {
			target := own[c.role]
			if c.whose == "other" {
				target = other[c.role]
			}
			if target == "" {
				target = "river-clean"
			}
			var res response
			if c.write {
				res = h.put(c.role, target, months[c.role], `{"value": 1}`)
			} else {
				res = h.do(request{method: "GET", path: "/targets/" + target, token: c.role})
			}
			if res.status != c.status {
				t.Errorf("%s %s %s write=%v: got %d, want %d: %s", c.role, c.whose, target, c.write, res.status, c.status, res.body)
			}
		})
	}
}

func TestCSVImportEncodings(t *testing.T) {
	// The way Excel on a Chinese Windows saves "CSV": GB18030 bytes, CRLF,
	// fields quoted where they hold commas or quotes.
	rows := "target,period,value,note\r\n" +
		"river-clean,2019-02,\"1,234\",\"补报：含嘉定新城，共2条\"\r\n" +
		"water-quality,2019-03,85%,\"引用\"\"水质月报\"\"\"\r\n" +
		"road-repair,2019-03,,\r\n" +
		",,,\r\n"
	cases := []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"GB18030 bytes are detected", gb18030(t, rows), "text/csv"},
		{"GB18030 named as GBK is decoded", gb18030(t, rows), "text/csv; charset=GBK"},
		{"UTF-8 with a BOM is read", append([]byte("\xef\xbb\xbf"), rows...), "text/csv"},
		{"plain UTF-8 is read", []byte(rows), "text/csv; charset=utf-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.do(request{method: "POST", path: "/reports", token: "admin", contentType: c.contentType, body: c.body})
			var ans BatchAnswer
			if err := json.Unmarshal(res.body, &ans); err != nil || res.status != 200 {
				t.Fatalf("got %d %s (%v), want 200", res.status, res.body, err)
			}
			if ans.Created != 2 || ans.Skipped != 1 {
				t.Errorf("got %+v, want 2 created and 1 skipped", ans)
			}
			notes := map[string]string{}
			for _, r := range h.revisions() {
				notes[r.Target] = fmt.Sprintf("%v %s", r.Value, r.Note)
			}
			if got, want := notes["river-clean"], "1234 补报：含嘉定新城，共2条"; got != want {
				t.Errorf("river-clean: got %q, want %q", got, want)
			}
			if got, want := notes["water-quality"], `85 引用"水质月报"`; got != want {
				t.Errorf("water-quality: got %q, want %q", got, want)
			}
		})
	}
}

func TestBatchCountsAndDryRun(t *testing.T) {
	h := newHarness(t)
	h.mustPut("water", "river-clean", "2019-02", `{"value": 5}`, http.StatusCreated)
	body := `{"reports":[
		{"target":"river-clean","period":"2019-02","value":5},
		{"target":"river-clean","period":"2019-03","value":6},
		{"target":"river-clean","period":"2019-02","value":7,"note":"更正"},
		{"target":"water-quality","period":"2019-03","value":80}]}`
	res := h.do(request{method: "POST", path: "/reports?dry_run=true", token: "water", contentType: "application/json", body: []byte(body)})
	if res.status != 200 || !strings.Contains(string(res.body), `"dry_run":true,"created":2,"unchanged":1,"corrected":1`) {
		t.Errorf("dry run: got %d %s", res.status, res.body)
	}
	if n := len(h.revisions()); n != 1 {
		t.Errorf("dry run stored: got %d revisions, want 1", n)
	}
	res = h.do(request{method: "POST", path: "/reports", token: "water", contentType: "application/json", body: []byte(body)})
	if res.status != 200 || !strings.Contains(string(res.body), `"dry_run":false,"created":2,"unchanged":1,"corrected":1`) {
		t.Errorf("batch: got %d %s", res.status, res.body)
	}
	if n := len(h.revisions()); n != 4 {
		t.Errorf("after the batch: got %d revisions, want 4", n)
	}
	if got := h.counter(plan.MetricSubmissions, map[string]string{"result": "created"}); got != 3 {
		t.Errorf("submissions{created}: got %v, want 3", got)
	}
}

func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	h := newHarnessWithLog(t, &buf, slog.LevelDebug)
	h.put("water", "river-clean", "2019-03", `{"value":1}`)
	h.do(request{method: "GET", path: "/targets", token: "tw_wrong-secret"})
	var lines []string
	for l := range strings.Lines(buf.String()) {
		if strings.Contains(l, "msg=request") {
			lines = append(lines, l)
		}
	}
	// Successes are debug lines, refusals info lines.
	if len(lines) != 2 ||
		!strings.Contains(lines[0], "level=DEBUG") || !strings.Contains(lines[0], "status=201") || !strings.Contains(lines[0], "token_name=water-clerk") ||
		!strings.Contains(lines[1], "level=INFO") || !strings.Contains(lines[1], "status=401") {
		t.Errorf("want a debug line for the PUT and an info line for the 401, got:\n%s", buf.String())
	}
	for _, secret := range append([]string{"tw_wrong-secret"}, mapValues(h.tokens)...) {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("log contains a token secret:\n%s", buf.String())
		}
	}

	// At the default info level, only the refusal is logged.
	buf.Reset()
	h = newHarnessWithLog(t, &buf, slog.LevelInfo)
	h.put("water", "river-clean", "2019-03", `{"value":1}`)
	h.do(request{method: "GET", path: "/targets", token: "tw_wrong-secret"})
	if n := strings.Count(buf.String(), "msg=request"); n != 1 || !strings.Contains(buf.String(), "status=401") {
		t.Errorf("at info level: want only the 401 logged, got:\n%s", buf.String())
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestMetricsLintClean(t *testing.T) {
	h := newHarness(t)
	h.mustPut("water", "river-clean", "2019-03", `{"value": 10}`, http.StatusCreated)
	h.put("water", "river-clean", "2019-05", `{"value": 10}`)
	problems, err := testutil.GatherAndLint(h.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	if got := h.counter(plan.MetricSubmissionsRejected, map[string]string{"reason": "invalid"}); got != 1 {
		t.Errorf("rejected{reason=invalid}: got %v, want 1", got)
	}
	if got := h.counter(plan.MetricHTTPRequests, map[string]string{"handler": "put_report", "code": "201", "method": "put"}); got != 1 {
		t.Errorf("requests{put_report,201}: got %v, want 1", got)
	}
}

// Every commit is observed once with the number of figures it stored.
func TestCommitFiguresHistogram(t *testing.T) {
	h := newHarness(t)
	h.mustPut("water", "river-clean", "2019-03", `{"value": 10}`, http.StatusCreated)
	h.mustPut("water", "river-clean", "2019-03", `{"value": 10}`, http.StatusOK) // unchanged: no commit of a figure
	body := "target,period,value,note\nriver-clean,2019-02,11,\nriver-clean,2019-04,13,\nwater-quality,2019-03,91,\n"
	if res := h.do(request{method: "POST", path: "/reports", token: "water", contentType: "text/csv", body: []byte(body)}); res.status != 200 {
		t.Fatalf("batch: got %d %s", res.status, res.body)
	}
	mfs, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == plan.MetricCommitFigures {
			hg := mf.GetMetric()[0].GetHistogram()
			if hg.GetSampleCount() != 2 || hg.GetSampleSum() != 4 {
				t.Errorf("got %d commits of %v figures, want 2 commits of 4", hg.GetSampleCount(), hg.GetSampleSum())
			}
			return
		}
	}
	t.Fatalf("no %s", plan.MetricCommitFigures)
}

// A token revoked by another process (the token command) stops working on
// the next request, although submissions are let in from the token cache:
// the store refuses the figure, and any other refusal becomes a 401 too.
func TestTokenRevokedByAnotherProcess(t *testing.T) {
	h := newHarness(t)
	h.mustPut("water", "river-clean", "2019-03", `{"value": 10}`, http.StatusCreated)
	h.mustPut("water", "water-quality", "2019-03", `{"value": 80}`, http.StatusCreated) // the token is now cached
	cli, err := store.Open(context.Background(), h.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	toks, err := cli.Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, tok := range toks {
		if tok.Name == "water-clerk" {
			id = tok.ID
		}
	}
	if err := cli.RevokeToken(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		req  request
	}{
		// First, while the cache still holds the token: refused by the
		// check before the answer, then by the store's own check.
		{"an invalid figure", request{method: "PUT", path: "/targets/river-clean/reports/2019-04", token: "water", contentType: "application/json", body: []byte(`{"value": -1}`)}},
		{"a valid figure", request{method: "PUT", path: "/targets/river-clean/reports/2019-04", token: "water", contentType: "application/json", body: []byte(`{"value": 11}`)}},
		{"a batch", request{method: "POST", path: "/reports", token: "water", contentType: "text/csv", body: []byte("target,period,value,note\nriver-clean,2019-02,5,\n")}},
		{"a read", request{method: "GET", path: "/targets", token: "water"}},
	} {
		if res := h.do(c.req); res.status != http.StatusUnauthorized {
			t.Errorf("%s after the revocation: got %d %s, want 401", c.name, res.status, res.body)
		}
	}
	if n := len(h.revisions()); n != 2 {
		t.Errorf("got %d revisions, want the 2 from before the revocation", n)
	}
	// Other tokens are unaffected.
	h.mustPut("admin", "river-clean", "2019-04", `{"value": 11}`, http.StatusCreated)
}

// An administrator migrating the months before the service existed gives
// each figure its original date; it is stored as the received time, so a
// replay counts it from that date on.
func TestAdminBatchKeepsOriginalDates(t *testing.T) {
	h := newHarness(t)
	csv := "target,period,value,note,received\n" +
		"river-clean,2019-01,8,,2019-02-05\n" +
		"river-clean,2019-02,9,,2019-03-06T10:30:00+08:00\n" +
		"river-clean,2019-03,10,,2019-04-15T12:00:00+08:00\n" // exactly now: allowed
	res := h.do(request{method: "POST", path: "/reports", token: "admin", contentType: "text/csv", body: []byte(csv)})
	if res.status != http.StatusOK || !strings.Contains(string(res.body), `"created":3`) {
		t.Fatalf("admin batch with original dates: got %d %s, want 200 with 3 created", res.status, res.body)
	}
	res = h.do(request{method: "POST", path: "/reports", token: "admin", contentType: "application/json",
		body: []byte(`{"reports":[{"target":"road-repair","period":"2019-03","value":2,"received":"2019-04-01"}]}`)})
	if res.status != http.StatusOK {
		t.Fatalf("admin JSON batch with an original date: got %d %s", res.status, res.body)
	}
	want := map[string]time.Time{
		"river-clean 2019-01": time.Date(2019, 2, 5, 0, 0, 0, 0, shanghai), // midnight in the plan's zone
		"river-clean 2019-02": time.Date(2019, 3, 6, 10, 30, 0, 0, shanghai),
		"river-clean 2019-03": asOf,
		"road-repair 2019-03": time.Date(2019, 4, 1, 0, 0, 0, 0, shanghai),
	}
	revs := h.revisions()
	for _, r := range revs {
		k := r.Target + " " + r.Period.String()
		if w, ok := want[k]; !ok || !r.Received.Equal(w) {
			t.Errorf("%s: received %v, want %v", k, r.Received, w)
		}
	}
	if len(revs) != len(want) {
		t.Errorf("got %d revisions, want %d", len(revs), len(want))
	}
	// As of 1 March only January (8) was known; on 15 April all three
	// months: 8 + 9 + 10 = 27.
	p := testPlan()
	tg, _ := p.Target("river-clean")
	var rc []plan.Report
	for _, r := range revs {
		if r.Target == "river-clean" {
			rc = append(rc, r)
		}
	}
	if g := plan.Evaluate(p, tg, rc, time.Date(2019, 3, 1, 0, 0, 0, 0, shanghai)); g.Actual != 8 {
		t.Errorf("as of 1 March: got actual %v, want 8", g.Actual)
	}
	if g, _ := h.tracker.Snapshot().Target("river-clean"); g.Actual != 27 || !g.LastReport.Equal(asOf) {
		t.Errorf("snapshot: got actual %v, last report %v; want 27, %v", g.Actual, g.LastReport, asOf)
	}
}
