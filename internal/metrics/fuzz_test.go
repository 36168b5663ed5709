package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// fuzzPlan is the fixture plan with the kinds of target it lacks: a cap on
// a maximum, a percentage level, and a sum with a goal so small that any
// figure over it overflows a ratio.
func fuzzPlan(t testing.TB) *plan.Plan {
	p := fixturePlan(t)
	base := p.Targets[0]
	add := func(id string, dir plan.Direction, agg plan.Aggregation, goal float64, unit string) {
		tg := base
		tg.ID, tg.Direction, tg.Aggregation, tg.Goal, tg.Unit, tg.Trajectory = id, dir, agg, goal, unit, nil
		p.Targets = append(p.Targets, tg)
	}
	add("peak-cap", plan.AtMost, plan.Max, 50, "吨")
	add("share-level", plan.AtLeast, plan.Last, 90, "%")
	add("tiny-goal", plan.AtLeast, plan.Sum, 5e-324, "个")
	return p
}

// nonFinite finds a written-out infinity or NaN in text.
var nonFinite = regexp.MustCompile(`\b(Inf|Infinity|NaN)\b`)

// FuzzStoredFigures feeds any stored figures (as an old version, or a
// hand-edited database, may hold: huge, tiny, subnormal, negative zero,
// NaN, ±Inf) to every target of a plan through plan.Evaluate (what the
// tracker runs; its tests hold it to Evaluate), and checks
// that evaluation, the JSON report, the per-target JSON fields and the
// exposition stay finite, and that the exposition parses.
func FuzzStoredFigures(f *testing.F) {
	for _, seed := range [][3]float64{
		{1e307, 1e307, 1e307},
		{1.7e308, 1.7e308, 0},
		{math.MaxFloat64, -math.MaxFloat64, 5e-324},
		{math.Copysign(0, -1), 4.9e-324, 2.2250738585072014e-308},
		{math.NaN(), math.Inf(1), math.Inf(-1)},
		{1e12, 1e12 + 1, 0.1},
		{12.5, 0, 1},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	p := fuzzPlan(f)
	asOf := time.Date(2019, 4, 15, 12, 0, 0, 0, p.Location) // January to March evaluated
	// One handler for every run, as in serve: each run's snapshot is new,
	// so it is rendered afresh (reusing only the unchanged headers).
	var snap *plan.Snapshot
	h := Handler(func() *plan.Snapshot { return snap }, nil, discard)
	f.Fuzz(func(t *testing.T, jan, feb, mar float64) {
		sent := time.Date(2019, 4, 1, 9, 0, 0, 0, p.Location)
		gs := make([]plan.Progress, len(p.Targets))
		for i := range p.Targets {
			id := p.Targets[i].ID
			var revs []plan.Report
			for m, v := range []float64{jan, feb, mar} {
				revs = append(revs, plan.Report{Target: id, Period: plan.Period{Year: 2019, Month: time.Month(m + 1)}, Value: v, Revision: 1, Received: sent})
			}
			// A correction of January to March's figure.
			revs = append(revs, plan.Report{Target: id, Period: plan.Period{Year: 2019, Month: 1}, Value: mar, Revision: 2, Received: sent.Add(time.Hour)})
			gs[i] = plan.Evaluate(p, &p.Targets[i], revs, asOf)
		}
		s := plan.NewSnapshot(p, asOf, 1, gs)
		snap = s
		checkFinite(t, s)

		var doc bytes.Buffer
		if err := report.Write(&doc, s, report.JSON, report.English); err != nil || !json.Valid(doc.Bytes()) {
			t.Fatalf("JSON report: %v\n%.500s", err, doc.String())
		}
		var md bytes.Buffer
		if err := report.Write(&md, s, report.Markdown, report.Chinese); err != nil {
			t.Fatal(err)
		}
		if m := nonFinite.Find(md.Bytes()); m != nil {
			t.Errorf("Markdown report: got %q, want finite numbers", m)
		}

		body, _ := scrape(t, h, "")
		parser := expfmt.NewTextParser(model.LegacyValidation)
		mfs, err := parser.TextToMetricFamilies(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("parse exposition: %v", err)
		}
		for name, mf := range mfs {
			for _, m := range mf.GetMetric() {
				if v := m.GetGauge().GetValue(); math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s %v: got %v, want a finite sample", name, m.GetLabel(), v)
				}
			}
		}
	})
}

// checkFinite wants every number of every target's progress finite, and
// the fields the API serves encodable as JSON.
func checkFinite(t *testing.T, s *plan.Snapshot) {
	t.Helper()
	for _, g := range s.Targets {
		nums := map[string]float64{"actual": g.Actual, "expected": g.Expected, "projected": g.Projected}
		if r, ok := g.ProgressRatio(); ok {
			nums["progress_ratio"] = r
		}
		if r, ok := g.ExpectedRatio(); ok {
			nums["expected_ratio"] = r
		}
		for name, v := range nums {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: %s is %v, want a finite number", g.Target.ID, name, v)
			}
		}
		if _, err := json.Marshal(nums); err != nil {
			t.Errorf("%s: JSON: %v", g.Target.ID, err)
		}
	}
}
