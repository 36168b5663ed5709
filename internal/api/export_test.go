package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/report"
)

// The report and the import template are API routes like the others:
// their formats, languages and file names.
func TestReportAndTemplate(t *testing.T) {
	h := newHarness(t)
	// As of 15 April 2019 (harness clock), nothing reported: January to
	// March are due (on 10 Feb, 10 Mar and 10 Apr) and missing; April has
	// not ended, so the roads template lists road-repair for three months.
	const roadsTemplate = report.BOM + "target,period,value,note,序号,指标,单位,报送截止\r\n" +
		"road-repair,2019-01,,,2.1,道路大修,公里,2019-02-10\r\n" +
		"road-repair,2019-02,,,2.1,道路大修,公里,2019-03-10\r\n" +
		"road-repair,2019-03,,,2.1,道路大修,公里,2019-04-10\r\n"
	for _, tc := range []struct {
		name, path  string
		status      int
		ctype       string
		disposition string
		want        string // a part of the body
	}{
		{"the report is CSV with Chinese headers by default", "/report", 200, "text/csv; charset=utf-8",
			`attachment; filename="report-2019-04-15.csv"`, report.BOM + "序号,指标,责任部门"},
		{"the report in Markdown and English", "/report?format=md&lang=en", 200, "text/markdown; charset=utf-8",
			`attachment; filename="report-2019-04-15.md"`, "execution report"},
		{"the report in JSON is an answer, not an attachment", "/report?format=json", 200, "application/json", "", `"plan": "test-2019"`},
		{"the report as an Excel workbook", "/report?format=xlsx", 200, report.XLSXType,
			`attachment; filename="report-2019-04-15.xlsx"`, "PK\x03\x04"},
		{"an unknown agency has no workbook template", "/agencies/nope/template.xlsx", 404, "application/problem+json", "", `unknown agency \"nope\"`},
		{"an unknown report format is invalid", "/report?format=xls", 422, "application/problem+json", "", `"field":"format"`},
		{"the bulletin is Markdown as of the service clock, 4 targets none of which has data for January to March", "/report?format=bulletin", 200, "text/markdown; charset=utf-8",
			`attachment; filename="bulletin-2019-04-15.md"`, "量化指标任务共4项"},
		{"the bulletin of a past day in English is named after that day", "/report?format=bulletin&as_of=2019-03-15&lang=en", 200, "text/markdown; charset=utf-8",
			`attachment; filename="bulletin-2019-03-15.md"`, "supervision bulletin"},
		{"a bulletin of a day after today is invalid", "/report?format=bulletin&as_of=2019-04-16", 422, "application/problem+json", "", `"field":"as_of"`},
		{"a bulletin day that is not YYYY-MM-DD is invalid", "/report?format=bulletin&as_of=15.3.2019", 422, "application/problem+json", "", `"field":"as_of"`},
		{"as_of is only for the bulletin", "/report?format=md&as_of=2019-03-15", 422, "application/problem+json", "", `"field":"as_of"`},
		{"an unknown report language is invalid", "/report?lang=fr", 422, "application/problem+json", "", `"field":"lang"`},
		{"an agency's template lists its due months", "/agencies/roads/template.csv", 200, "text/csv; charset=utf-8",
			`attachment; filename="template-roads-2019-04.csv"`, roadsTemplate},
		{"a template's help columns in English", "/agencies/roads/template.csv?lang=en", 200, "text/csv; charset=utf-8",
			`attachment; filename="template-roads-2019-04.csv"`, "target,period,value,note,item,title,unit,due\r\n"},
		{"an unknown template language is invalid", "/agencies/roads/template.csv?lang=de", 422, "application/problem+json", "", `"field":"lang"`},
		{"an unknown agency has no template", "/agencies/nope/template.csv", 404, "application/problem+json", "", `unknown agency \"nope\"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := h.do(request{method: "GET", path: tc.path, token: "roads"})
			if res.status != tc.status {
				t.Errorf("got status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if got := res.header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("got Content-Type %q, want %q", got, tc.ctype)
			}
			if got := res.header.Get("Content-Disposition"); got != tc.disposition {
				t.Errorf("got Content-Disposition %q, want %q", got, tc.disposition)
			}
			if !strings.Contains(string(res.body), tc.want) {
				t.Errorf("got body without %q:\n%.600s", tc.want, res.body)
			}
			if tc.status >= 400 && !strings.Contains(string(res.body), `"type":"urn:targetwatch:problem:`) {
				t.Errorf("got a problem without a targetwatch type: %s", res.body)
			}
		})
	}

	// The JSON report counts each of the four targets once.
	res := h.do(request{method: "GET", path: "/report?format=json", token: "supervisor"})
	var doc report.Document
	if err := json.Unmarshal(res.body, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range doc.Counts {
		n += c
	}
	if n != 4 || len(doc.Targets) != 4 {
		t.Errorf("got counts %v over %d targets, want 4 targets counted once", doc.Counts, len(doc.Targets))
	}
}
