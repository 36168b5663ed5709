package api

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// FuzzFigureBody: any PUT body either decodes to a finite value or fails
// with a malformed (400) or invalid (422) error naming what is wrong;
// nothing panics.
func FuzzFigureBody(f *testing.F) {
	for _, s := range []string{
		`{"value": 12.5, "note": "补报"}`, `{"value": 0}`, `{"value": -1}`, `{"value": 1e999}`, `{"value": "12"}`,
		`{"value": null}`, `{}`, `{"value": 1, "x": 2}`, `{"value": 1} []`, `[1]`, ``, `{"value": 1e-400}`,
		`{"value": 1, "note": "\u0000"}`, "{\"value\": 1, \"note\": \"\xff\"}", `{"value": 00}`, `{"value": .5}`,
	} {
		f.Add([]byte(s))
	}
	p := testPlan()
	s := &server{progress: fixedProgress{plan.NewSnapshot(p, asOf, 1, make([]plan.Progress, len(p.Targets)))}, lockAfter: plan.DefaultLockAfter}
	for i, g := range s.progress.Snapshot().Targets {
		g.Plan, g.Target = p, &p.Targets[i]
	}
	who := plan.Principal{Agency: "water", Role: plan.RoleAgency, Name: "fuzz"}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fb FigureBody
		if err := decodeStrict(body, &fb); err != nil {
			if k := plan.KindOf(err); k != plan.KindMalformed {
				t.Fatalf("decode error %v: got kind %d, want malformed", err, k)
			}
			return
		}
		sub, errs := s.checkFigure(who, asOf, "river-clean", "2019-03", func(*plan.Target) (float64, error) { return parseJSONValue(fb.Value) }, fb.Note)
		if len(errs) == 0 {
			if math.IsNaN(sub.Value) || math.IsInf(sub.Value, 0) || sub.Value < 0 {
				t.Fatalf("accepted value %v", sub.Value)
			}
			if !utf8.ValidString(sub.Note) {
				t.Fatalf("accepted a note that is not UTF-8: %q", sub.Note)
			}
			return
		}
		for _, e := range errs {
			if e.Kind != plan.KindMalformed && e.Kind != plan.KindInvalid || e.Message == "" {
				t.Fatalf("got error %+v, want a located malformed or invalid one", e)
			}
		}
	})
}

// FuzzCSVImport: any CSV body, in any encoding, is either rejected with a
// client error or yields rows with UTF-8 fields and positive line numbers
// that increase.
func FuzzCSVImport(f *testing.F) {
	rows := "target,period,value,note\r\nriver-clean,2019-02,\"1,234\",\"补报：含嘉定新城，共2条\"\r\nwater-quality,2019-03,85%,\r\n"
	f.Add([]byte(rows), "")
	f.Add(gb18030(f, rows), "")
	f.Add(gb18030(f, rows), "gbk")
	f.Add(append([]byte("\xef\xbb\xbf"), rows...), "")
	f.Add([]byte(rows), "utf-8")
	f.Add([]byte("target,period,value\nriver-clean,2019-02,\"5\"x\n"), "")
	f.Add([]byte("\xff\xfet\x00"), "")
	f.Add([]byte("value,period,target,extra\n1,2019-01,river-clean,x\n,,,\n"), "gb18030")
	f.Add([]byte(""), "latin1")
	// Periods as Excel saves a first-of-month date, and dates it must refuse.
	f.Add([]byte("target,period,value\r\nriver-clean,2019/2/1,1\r\nriver-clean,Mar-19,2\r\nwater-quality,1-Apr-2019,3\r\n"), "")
	f.Add(gb18030(f, "target,period,value\r\nriver-clean,2019年2月,1\r\nriver-clean,3月-19,2\r\nriver-clean,2019年4月1日,3\r\n"), "")
	f.Add([]byte("target,period,value\nriver-clean,\"=\"\"2019-02\"\"\",1\nriver-clean,2019/3/15,2\nriver-clean,3/1/2019,3\nriver-clean,Agu-19,4\n"), "")
	p := testPlan()
	s := &server{progress: fixedProgress{plan.NewSnapshot(p, asOf, 1, make([]plan.Progress, len(p.Targets)))}, lockAfter: plan.DefaultLockAfter}
	for i, g := range s.progress.Snapshot().Targets {
		g.Plan, g.Target = p, &p.Targets[i]
	}
	who := plan.Principal{Role: plan.RoleAdmin, Name: "fuzz"}
	f.Fuzz(func(t *testing.T, body []byte, charset string) {
		out, _, err := parseCSV(body, strings.ToLower(charset))
		if err != nil {
			var ps plan.Problems
			if !errors.As(err, &ps) {
				if k := plan.KindOf(err); k == plan.KindInternal || infoOf(k).status >= 500 {
					t.Fatalf("got %v (kind %d), want a client error", err, k)
				}
			}
			return
		}
		last := 1
		for _, r := range out {
			if r.line <= last {
				t.Fatalf("row line %d after %d", r.line, last)
			}
			last = r.line
			for _, f := range []string{r.target, r.period, r.note} {
				if !utf8.ValidString(f) {
					t.Fatalf("field %q is not UTF-8", f)
				}
			}
			if _, err := plan.ParsePeriod(r.period); (err == nil) == (r.periodErr != nil) {
				t.Fatalf("period %q: got ParsePeriod error %v and CSV error %v, want exactly one", r.period, err, r.periodErr)
			}
			sub, errs := s.checkFigure(who, asOf, r.target, r.period, r.value, r.note)
			if len(errs) == 0 && (math.IsNaN(sub.Value) || math.IsInf(sub.Value, 0) || sub.Value < 0) {
				t.Fatalf("accepted value %v", sub.Value)
			}
		}
	})
}

// fixedProgress serves one snapshot and applies nothing.
type fixedProgress struct{ s *plan.Snapshot }

func (f fixedProgress) Snapshot() *plan.Snapshot     { return f.s }
func (fixedProgress) Add(...plan.Report)             {}
func (fixedProgress) Sync(ctx context.Context) error { return nil }
