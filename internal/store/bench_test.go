package store

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// BenchmarkSubmitParallel: eight goroutines each submitting one figure at
// a time, as eight HTTP clients would; batches shows the group commit.
func BenchmarkSubmitParallel(b *testing.B) {
	db := open(b, "")
	var n, batches, figures atomic.Int64
	db.OnCommit(func(rs []plan.Report) { batches.Add(1); figures.Add(int64(len(rs))) })
	b.SetParallelism(4)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := db.Submit(context.Background(), clerk, []Submission{{Target: fmt.Sprintf("t%d", i%1000), Period: plan.Period{Year: 2019, Month: time1(i / 1000)}, Value: float64(i), Note: "x"}}, SubmitOptions{})
			if err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "figures/s")
	if batches.Load() > 0 {
		b.ReportMetric(float64(figures.Load())/float64(batches.Load()), "figures/commit")
	}
}

func time1(i int64) time.Month { return time.Month(i%12 + 1) }

var benchRevisions = flag.Int("bench.revisions", 100000, "revisions stored for BenchmarkForEachRevision")

// BenchmarkForEachRevision: streaming every stored revision with all its
// columns, and with those progress needs, which serve reads at start
// (issue: 1,000,000 revisions ready in well under 3 s; run with
// -bench.revisions=1000000).
func BenchmarkForEachRevision(b *testing.B) {
	path := filepath.Join(b.TempDir(), "tw.db")
	db := open(b, path)
	tx, err := db.w.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO revisions (target, period, revision, value, note, agency, token_name, received) VALUES (?, ?, 1, ?, '', 'agency-0001', 'clerk', ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := range *benchRevisions {
		m := plan.Period{Year: 2019, Month: time.Month(i%12 + 1)}
		if _, err := st.Exec(fmt.Sprintf("t-%06d", i/12), m.String(), float64(i), time.Now().UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		forEach func(context.Context, func(plan.Report) error) error
	}{
		{"all-columns", db.ForEachRevision},
		{"figures", db.ForEachFigure},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				n := 0
				if err := c.forEach(context.Background(), func(plan.Report) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
				if n != *benchRevisions {
					b.Fatalf("got %d revisions, want %d", n, *benchRevisions)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(*benchRevisions), "ns/revision")
		})
	}
}

// BenchmarkAuthenticateWhileCommitting: checking a token while figures are
// committed (each commit makes every reader re-read its pages), looked up
// as reads are and from the cache as submissions are.
func BenchmarkAuthenticateWhileCommitting(b *testing.B) {
	db := open(b, "")
	_, secret, err := db.IssueToken(context.Background(), "bench", "", plan.RoleAdmin)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := int64(0); ctx.Err() == nil; i++ {
			_, _ = db.Submit(ctx, clerk, []Submission{{Target: fmt.Sprintf("t%d", i%1000), Period: plan.Period{Year: 2019, Month: time1(i / 1000)}, Value: float64(i), Note: "x"}}, SubmitOptions{})
		}
	}()
	b.Cleanup(func() { cancel(); <-done })
	for _, c := range []struct {
		name string
		auth func(context.Context, string) (plan.Principal, error)
	}{
		{"lookup", db.Authenticate},
		{"cached", db.AuthenticateCached},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.auth(context.Background(), secret); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}
