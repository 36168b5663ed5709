package web

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/report"
	"github.com/targetwatch/targetwatch/internal/synth"
)

// syntheticSnapshot is a plan of n targets with January to September
// reported, as of mid-October.
func syntheticSnapshot(b *testing.B, n int) *plan.Snapshot {
	b.Helper()
	p := synth.Plan(n)
	asOf := time.Date(synth.Year, time.October, 15, 12, 0, 0, 0, p.Location)
	tr, err := progress.New(progress.Config{Plan: p, Now: func() time.Time { return asOf }})
	if err != nil {
		b.Fatal(err)
	}
	var revs []plan.Report
	for i := range p.Targets {
		t := &p.Targets[i]
		for m := time.January; m <= time.September; m++ {
			pr := plan.Period{Year: synth.Year, Month: m}
			revs = append(revs, plan.Report{Target: t.ID, Period: pr, Value: synth.Value(t, pr, i), Revision: 1, Agency: t.Agency})
		}
	}
	tr.Load(revs)
	return tr.Snapshot()
}

type noHistory struct{}

func (noHistory) History(_ context.Context, id string) ([]plan.Report, error) { return nil, nil }

// BenchmarkOverview renders the whole overview of a 1,000-target plan, the
// size of a city's plan.
func BenchmarkOverview(b *testing.B) {
	s := syntheticSnapshot(b, 1000)
	h, err := New(Config{Snapshots: fixedSnapshot{s}, History: noHistory{}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if w.Code != 200 {
			b.Fatalf("got %d, want 200", w.Code)
		}
	}
}

// BenchmarkReportCSV renders the execution report of a 1,000-target plan.
func BenchmarkReportCSV(b *testing.B) {
	s := syntheticSnapshot(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := report.Write(io.Discard, s, report.CSV, report.Chinese); err != nil {
			b.Fatal(err)
		}
	}
}
