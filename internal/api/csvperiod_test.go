package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// TestCSVImportOfExcelPeriods: a batch saved by Excel is stored under the
// months its dates stand for; a date not on the 1st fails its row, naming
// the line and the period column, and the batch stores nothing; JSON stays
// strict.
func TestCSVImportOfExcelPeriods(t *testing.T) {
	h := newHarness(t)
	post := func(contentType, body string) response {
		return h.do(request{method: "POST", path: "/reports", token: "water", contentType: contentType, body: []byte(body)})
	}
	res := post("text/csv", "target,period,value,note\r\n"+
		"river-clean,2019/2/1,3,\r\n"+
		"river-clean,2019年3月,5,\r\n"+
		"river-clean,Apr-19,8,\r\n"+
		"water-quality,4月-19,86%,\r\n")
	if res.status != http.StatusOK {
		t.Fatalf("got status %d, want 200: %s", res.status, res.body)
	}
	var got []string
	for _, r := range h.revisions() {
		got = append(got, fmt.Sprintf("%s %s %v", r.Target, r.Period, r.Value))
	}
	want := "[river-clean 2019-02 3 river-clean 2019-03 5 river-clean 2019-04 8 water-quality 2019-04 86]"
	if fmt.Sprint(got) != want {
		t.Errorf("got revisions %v, want %s", got, want)
	}

	for _, c := range []struct {
		name, contentType, body string
		line                    int
		message                 string
	}{
		{"a CSV date not on the 1st fails its row", "text/csv",
			"target,period,value,note\nriver-clean,2019-02,4,fix\nriver-clean,2019/3/15,6,fix\n", 3, "names a day other than the 1st"},
		{"a CSV date with the year last fails its row", "text/csv",
			"target,period,value,note\nriver-clean,3/1/2019,6,fix\n", 2, "could be month/day/year"},
		{"a JSON batch stays YYYY-MM", "application/json",
			`{"reports":[{"target":"river-clean","period":"2019/3/1","value":6,"note":"fix"}]}`, 1, "want YYYY-MM"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := h.revisions()
			res := post(c.contentType, c.body)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("got status %d, want 422: %s", res.status, res.body)
			}
			var p Problem
			if err := json.Unmarshal(res.body, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) != 1 || p.Errors[0].Line != c.line || p.Errors[0].Field != "period" || !strings.Contains(p.Errors[0].Message, c.message) {
				t.Errorf("got errors %+v, want one at line %d, field period, saying %q", p.Errors, c.line, c.message)
			}
			if after := h.revisions(); !sameRevisions(before, after) {
				t.Errorf("the database changed: got %d revisions, want the same %d", len(after), len(before))
			}
		})
	}
}

// TestTemplateRoundTripsThroughExcel: the template the service hands out,
// filled in and saved by Excel in each locale's display of its period
// dates (and in GB18030, as Excel on a Chinese Windows saves "CSV"), is
// read back as the template's own months and accepted.
func TestTemplateRoundTripsThroughExcel(t *testing.T) {
	h := newHarness(t)
	var tmpl bytes.Buffer
	if err := report.WriteTemplate(&tmpl, h.tracker.Snapshot(), "water", report.Chinese); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(tmpl.Bytes(), []byte(report.BOM)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 4 {
		t.Fatalf("got %d template rows, want a header and at least 3 months", len(recs))
	}
	enMonths := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	for _, c := range []struct {
		name   string
		excel  func(plan.Period) string
		encode func(string) []byte
	}{
		{"as written", plan.Period.String, func(s string) []byte { return []byte(s) }},
		{"zh-CN short date in GB18030", func(p plan.Period) string { return fmt.Sprintf("%d/%d/1", p.Year, p.Month) },
			func(s string) []byte { return gb18030(t, s) }},
		{"zh-CN long date in GB18030", func(p plan.Period) string { return fmt.Sprintf("%d年%d月", p.Year, p.Month) },
			func(s string) []byte { return gb18030(t, s) }},
		{"zh-CN mmm-yy in GB18030", func(p plan.Period) string { return fmt.Sprintf("%d月-%02d", p.Month, p.Year%100) },
			func(s string) []byte { return gb18030(t, s) }},
		{"en mmm-yy in UTF-8 with a BOM", func(p plan.Period) string { return fmt.Sprintf("%s-%02d", enMonths[p.Month-1], p.Year%100) },
			func(s string) []byte { return []byte(report.BOM + s) }},
		{"a text formula", func(p plan.Period) string { return `="` + p.String() + `"` }, func(s string) []byte { return []byte(s) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			w := csv.NewWriter(&out)
			var want []string
			for i, rec := range recs {
				rec = append([]string(nil), rec...)
				if i > 0 {
					want = append(want, rec[0]+" "+rec[1])
					p, err := plan.ParsePeriod(rec[1])
					if err != nil {
						t.Fatalf("template period %q: %v", rec[1], err)
					}
					rec[1], rec[2] = c.excel(p), "1"
				}
				if err := w.Write(rec); err != nil {
					t.Fatal(err)
				}
			}
			w.Flush()
			body := c.encode(out.String())
			rows, _, err := parseCSV(body, "")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				if r.periodErr != nil {
					t.Errorf("line %d: %v", r.line, r.periodErr)
				}
				got = append(got, r.target+" "+r.period)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got rows %v, want the template's %v", got, want)
			}
			res := h.do(request{method: "POST", path: "/reports?dry_run=true", token: "admin", contentType: "text/csv", body: body})
			var a BatchAnswer
			if res.status != http.StatusOK || json.Unmarshal(res.body, &a) != nil || a.Created != len(want) {
				t.Errorf("import: got %d %s, want 200 with %d created", res.status, res.body, len(want))
			}
		})
	}
}
