package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/synth"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a settable service clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time   { return time.Unix(0, c.ns.Load()) }

func day(p *plan.Plan, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, p.Location)
	if err != nil {
		panic(err)
	}
	return t
}

func period(m int) plan.Period { return plan.Period{Year: synth.Year, Month: time.Month(m)} }

func report(p *plan.Plan, i, month int, v float64, revision int) plan.Report {
	return plan.Report{
		Target:   p.Targets[i].ID,
		Period:   period(month),
		Value:    v,
		Revision: revision,
		Received: period(month).End(p.Location).Add(time.Duration(revision) * time.Hour),
	}
}

func newTracker(t testing.TB, p *plan.Plan, now func() time.Time) *Tracker {
	t.Helper()
	tr, err := New(Config{Plan: p, Now: now, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestNewRejectsBadConfig(t *testing.T) {
	bad := synth.Plan(4)
	bad.DueDay = 0
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"a tracker without a plan is refused", Config{}, "no plan"},
		{"a tracker for an invalid plan is refused", Config{Plan: bad}, "due_day 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestSnapshotBeforeAnyReport(t *testing.T) {
	p := synth.Plan(8)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-07-15") })
	s := tr.Snapshot()
	if s == nil || len(s.Targets) != len(p.Targets) || s.Version != 1 {
		t.Fatalf("got %+v, want a version 1 snapshot of %d targets", s, len(p.Targets))
	}
	if g, _ := s.Target(synth.TargetID(0)); g.Status != plan.OffTrack || len(g.Missing) != 6 {
		t.Errorf("an unreported sum at mid-year: got %s with %d missing, want off_track with 6", g.Status, len(g.Missing))
	}
}

func TestApplyPublishesBeforeReturning(t *testing.T) {
	p := synth.Plan(8)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-07-15") })
	tr.Load([]plan.Report{report(p, 0, 1, 10, 1)})
	before := tr.Snapshot()

	tr.Apply(report(p, 0, 2, 5, 1))
	after := tr.Snapshot()
	if after.Version != before.Version+1 {
		t.Errorf("version: got %d, want %d", after.Version, before.Version+1)
	}
	if g, _ := after.Target(synth.TargetID(0)); g.Actual != 15 {
		t.Errorf("actual after a second month: got %v, want 15", g.Actual)
	}
	if g, _ := before.Target(synth.TargetID(0)); g.Actual != 10 {
		t.Errorf("the earlier snapshot changed: got actual %v, want 10", g.Actual)
	}
	if !reflect.DeepEqual(before.Targets[1:], after.Targets[1:]) {
		t.Errorf("targets without reports changed")
	}

	tr.Apply(report(p, 0, 2, 7, 2))
	if g, _ := tr.Snapshot().Target(synth.TargetID(0)); g.Actual != 17 || g.Corrections != 1 {
		t.Errorf("after a correction: got actual %v with %d corrections, want 17 with 1", g.Actual, g.Corrections)
	}
	tr.Apply(report(p, 0, 2, 100, 1))
	if g, _ := tr.Snapshot().Target(synth.TargetID(0)); g.Actual != 17 {
		t.Errorf("a replayed older revision: got actual %v, want 17", g.Actual)
	}
	v := tr.Snapshot().Version
	tr.Apply(plan.Report{Target: "no-such-target", Period: period(1), Value: 1, Revision: 1})
	if got := tr.Snapshot().Version; got != v+1 {
		t.Errorf("version after an unknown target: got %d, want %d", got, v+1)
	}
}

// withGrowth turns every fifth target of p into a growth rate, alternately
// "grow by at least 6.5%" and "fall by at least 3%", so the property tests
// below cover growth targets and their negative figures too.
func withGrowth(p *plan.Plan) *plan.Plan {
	for i := 2; i < len(p.Targets); i += 5 {
		t := &p.Targets[i]
		t.Kind, t.Aggregation, t.Unit, t.Baseline, t.HasBaseline, t.Trajectory = plan.Growth, plan.Last, "%", 0, false, nil
		t.Direction, t.Goal = plan.AtLeast, 6.5
		if i%10 == 7 {
			t.Direction, t.Goal = plan.AtMost, -3
		}
	}
	return p
}

// figure is a random figure for target i: -10..9.9 for a growth rate,
// 0..199 otherwise.
func figure(p *plan.Plan, rng *rand.Rand, i int) float64 {
	if p.Targets[i].IsGrowth() {
		return float64(rng.IntN(200)-100) / 10
	}
	return float64(rng.IntN(200))
}

// history makes random commits and corrections and keeps every revision,
// to evaluate targets from scratch.
type history struct {
	p        *plan.Plan
	rng      *rand.Rand
	all      map[string][]plan.Report
	revision map[string]int
}

func newHistory(p *plan.Plan, seed uint64) *history {
	return &history{p: p, rng: rand.New(rand.NewPCG(seed, seed+1)), all: map[string][]plan.Report{}, revision: map[string]int{}}
}

// commit returns the next revision of a random target's random month.
func (h *history) commit() plan.Report {
	i := h.rng.IntN(len(h.p.Targets))
	m := 1 + h.rng.IntN(12)
	key := h.p.Targets[i].ID + "/" + period(m).String()
	h.revision[key]++
	r := report(h.p, i, m, figure(h.p, h.rng, i), h.revision[key])
	h.all[r.Target] = append(h.all[r.Target], r)
	return r
}

// check fails unless every target in s is what evaluating it from scratch
// at s.AsOf gives.
func (h *history) check(t *testing.T, step int, s *plan.Snapshot) {
	t.Helper()
	for i := range h.p.Targets {
		tg := &h.p.Targets[i]
		want := plan.Evaluate(h.p, tg, h.all[tg.ID], s.AsOf)
		if got := *s.Targets[i]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("step %d, target %s as of %v:\ngot  %+v\nwant %+v", step, tg.ID, s.AsOf, got, want)
		}
	}
}

// TestApplyMatchesFullEvaluation replays random commits, corrections and
// clock moves and checks after each that the incrementally maintained
// snapshot equals evaluating every target from scratch.
func TestApplyMatchesFullEvaluation(t *testing.T) {
	p := withGrowth(synth.Plan(40))
	c := newClock(day(p, "2019-01-05"))
	tr := newTracker(t, p, c.now)
	h := newHistory(p, 1)
	var load []plan.Report
	for i := range 20 {
		r := report(p, i, 1, float64(i), 1)
		load = append(load, r)
		h.all[r.Target] = append(h.all[r.Target], r)
		h.revision[r.Target+"/"+r.Period.String()] = 1
	}
	tr.Load(load)
	for step := range 300 {
		if h.rng.IntN(10) == 0 {
			c.set(c.now().Add(time.Duration(h.rng.IntN(96)) * time.Hour))
		}
		var batch []plan.Report
		for range 1 + h.rng.IntN(3) {
			batch = append(batch, h.commit())
		}
		tr.Apply(batch...)
		h.check(t, step, tr.Snapshot())
	}
}

func TestConcurrentApplySeesItsOwnReports(t *testing.T) {
	p := synth.Plan(64)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-07-15") })
	var wg sync.WaitGroup
	errs := make(chan string, len(p.Targets))
	for i := range p.Targets {
		wg.Go(func() {
			for m := 1; m <= 6; m++ {
				tr.Apply(report(p, i, m, 1, 1))
				g, _ := tr.Snapshot().Target(p.Targets[i].ID)
				if want := plan.Evaluate(p, &p.Targets[i], monthsOf(p, i, m), tr.Snapshot().AsOf); g.Actual != want.Actual {
					errs <- fmt.Sprintf("target %d after month %d: got actual %v, want %v", i, m, g.Actual, want.Actual)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if v := tr.Snapshot().Version; v < 2 || v > uint64(1+6*len(p.Targets)) {
		t.Errorf("version: got %d, want between 2 and %d", v, 1+6*len(p.Targets))
	}
}

func monthsOf(p *plan.Plan, i, through int) []plan.Report {
	var out []plan.Report
	for m := 1; m <= through; m++ {
		out = append(out, report(p, i, m, 1, 1))
	}
	return out
}

func TestApplyAfterABoundaryRebuildsEveryTarget(t *testing.T) {
	p := synth.Plan(8)
	c := newClock(day(p, "2019-07-09"))
	tr := newTracker(t, p, c.now)
	if g := tr.Snapshot().Targets[5]; g.Evaluated != period(5) {
		t.Fatalf("evaluated before the 10th: got %v, want 2019-05", g.Evaluated)
	}
	c.set(day(p, "2019-07-10"))
	tr.Apply(report(p, 0, 1, 1, 1))
	if g := tr.Snapshot().Targets[5]; g.Evaluated != period(6) {
		t.Errorf("an untouched target after the due moment: got evaluated %v, want 2019-06", g.Evaluated)
	}
}

func TestRunRebuildsAtTheNextBoundary(t *testing.T) {
	p := synth.Plan(8)
	// The clock runs in real time from 150 ms before July's due moment.
	start := time.Now()
	base := day(p, "2019-07-10").Add(-150 * time.Millisecond)
	tr := newTracker(t, p, func() time.Time { return base.Add(time.Since(start)) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(10 * time.Second)
	for tr.Snapshot().Targets[0].Evaluated != period(6) {
		if time.Now().After(deadline) {
			t.Fatalf("evaluated month after the boundary: got %v, want 2019-06", tr.Snapshot().Targets[0].Evaluated)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunWithAFixedClockChangesNothing(t *testing.T) {
	p := synth.Plan(8)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-10-15") })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	tr.Run(ctx)
	if v := tr.Snapshot().Version; v != 1 {
		t.Errorf("version after running with a fixed clock: got %d, want 1", v)
	}
}

// loaded returns a tracker over a synthetic plan of n targets with nine
// months of reports each, as of mid-October.
func loaded(b *testing.B, n int) (*Tracker, *plan.Plan) {
	p := synth.Plan(n)
	revs := make([]plan.Report, 0, n*9)
	for i := range p.Targets {
		for m := 1; m <= 9; m++ {
			revs = append(revs, report(p, i, m, synth.Value(&p.Targets[i], period(m), i), 1))
		}
	}
	tr := newTracker(b, p, func() time.Time { return day(p, "2019-10-15") })
	tr.Load(revs)
	return tr, p
}

// BenchmarkApply100k is the snapshot rebuild after one commit in a plan of
// 100,000 targets.
func BenchmarkApply100k(b *testing.B) {
	tr, p := loaded(b, 100_000)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		tr.Apply(report(p, i%len(p.Targets), 10, float64(i%50), 1+i/len(p.Targets)))
	}
}

// BenchmarkLoad100k is the full rebuild of a plan of 100,000 targets from
// 900,000 revisions, as at start.
func BenchmarkLoad100k(b *testing.B) {
	p := synth.Plan(100_000)
	revs := make([]plan.Report, 0, len(p.Targets)*9)
	for i := range p.Targets {
		for m := 1; m <= 9; m++ {
			revs = append(revs, report(p, i, m, synth.Value(&p.Targets[i], period(m), i), 1))
		}
	}
	tr := newTracker(b, p, func() time.Time { return day(p, "2019-10-15") })
	for b.Loop() {
		tr.Load(revs)
	}
}

// TestUnreadSnapshotsAreReused commits without reading in between (each
// rebuild reuses the slice of the snapshot two before) and checks the
// result against a full evaluation.
func TestUnreadSnapshotsAreReused(t *testing.T) {
	p := synth.Plan(16)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-07-15") })
	var all []plan.Report
	for i := range p.Targets {
		for m := 1; m <= 3; m++ {
			r := report(p, i, m, float64(i+m), 1)
			all = append(all, r)
			tr.Apply(r)
		}
	}
	s := tr.Snapshot()
	if want := uint64(1 + 3*len(p.Targets)); s.Version != want {
		t.Errorf("version: got %d, want %d", s.Version, want)
	}
	for i := range p.Targets {
		var revs []plan.Report
		for _, r := range all {
			if r.Target == p.Targets[i].ID {
				revs = append(revs, r)
			}
		}
		want := plan.Evaluate(p, &p.Targets[i], revs, s.AsOf)
		if got := *s.Targets[i]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("target %d: got %+v, want %+v", i, got, want)
		}
	}
}

// TestSnapshotsNeverChangeUnderReaders races readers against commits: a
// snapshot a reader holds must read the same however many commits follow.
func TestSnapshotsNeverChangeUnderReaders(t *testing.T) {
	p := synth.Plan(32)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-07-15") })
	stop := make(chan struct{})
	var readers sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := tr.Snapshot()
				before := show(s.Targets)
				time.Sleep(50 * time.Microsecond)
				if after := show(s.Targets); after != before {
					select {
					case errs <- fmt.Sprintf("snapshot version %d changed while held", s.Version):
					default:
					}
					return
				}
			}
		})
	}
	for n := range 2000 {
		tr.Apply(report(p, n%len(p.Targets), 1+n%6, float64(n), 1+n/len(p.Targets)))
	}
	close(stop)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// BenchmarkApply100kRead is a commit followed by a read, as when every
// commit is followed by a scrape or a page view: each Apply must then copy
// the pointers to all 100,000 targets' progress.
func BenchmarkApply100kRead(b *testing.B) {
	tr, p := loaded(b, 100_000)
	i := 0
	for b.Loop() {
		i++
		tr.Apply(report(p, i%len(p.Targets), 10, float64(i%50), 1+i/len(p.Targets)))
		tr.Snapshot()
	}
}

func TestReportsOfUnknownTargetsAreLoggedOnce(t *testing.T) {
	p := synth.Plan(4)
	var log strings.Builder
	tr, err := New(Config{Plan: p, Now: func() time.Time { return day(p, "2019-07-15") }, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	gone := func(m int) plan.Report {
		return plan.Report{Target: "removed-target", Period: period(m), Value: 1, Revision: 1}
	}
	tr.Load([]plan.Report{gone(1), gone(2), report(p, 0, 1, 5, 1)})
	if got := strings.Count(log.String(), "target=removed-target revisions=2"); got != 1 {
		t.Errorf("got %d warnings about the removed target, want 1:\n%s", got, log.String())
	}
	if g := tr.Snapshot().Targets[0]; g.Actual != 5 {
		t.Errorf("a known target next to unknown ones: got actual %v, want 5", g.Actual)
	}
}

// TestLoadFuncMatchesLoad streams more revisions than one chunk holds,
// including a removed target's, and compares the result with Load's.
func TestLoadFuncMatchesLoad(t *testing.T) {
	p := synth.Plan(600)
	var revs []plan.Report
	for i := range p.Targets {
		for m := 1; m <= 9; m++ {
			revs = append(revs, report(p, i, m, synth.Value(&p.Targets[i], period(m), i), 1))
		}
		// A later correction and an out-of-order older revision.
		revs = append(revs, report(p, i, 3, 7, 3), report(p, i, 3, 99, 2))
	}
	for m := 1; m <= 3; m++ {
		revs = append(revs, plan.Report{Target: "removed-target", Period: period(m), Value: 1, Revision: 1})
	}
	if len(revs) <= loadChunk {
		t.Fatalf("got %d revisions, want more than one chunk of %d", len(revs), loadChunk)
	}
	now := func() time.Time { return day(p, "2019-10-15") }
	want := newTracker(t, p, now)
	want.Load(revs)

	var log strings.Builder
	got, err := New(Config{Plan: p, Now: now, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	err = got.LoadFunc(func(add func(plan.Report)) error {
		for _, r := range revs {
			add(r)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	if g, w := got.Snapshot().Targets, want.Snapshot().Targets; !reflect.DeepEqual(g, w) {
		t.Errorf("streamed load differs from Load: got %+v, want %+v", g[0], w[0])
	}
	if n := strings.Count(log.String(), "target=removed-target revisions=3"); n != 1 {
		t.Errorf("got %d warnings about the removed target, want 1:\n%s", n, log.String())
	}
}

func TestLoadFuncErrorPublishesNothing(t *testing.T) {
	p := synth.Plan(4)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-07-15") })
	before := tr.Snapshot()
	boom := fmt.Errorf("disk gone")
	err := tr.LoadFunc(func(add func(plan.Report)) error {
		add(report(p, 0, 1, 5, 1))
		return boom
	})
	if err != boom {
		t.Errorf("got %v, want %v", err, boom)
	}
	if after := tr.Snapshot(); after != before {
		t.Errorf("got snapshot version %d, want the unchanged version %d", after.Version, before.Version)
	}
}

// A plan large enough to be evaluated on every CPU, its revisions streamed
// in at construction in a shuffled order with corrections among them, gives
// exactly what evaluating each target alone gives.
func TestLoadAtNewMatchesEvaluate(t *testing.T) {
	p := withGrowth(synth.Plan(parallelFrom + 123))
	asOf := day(p, "2019-07-20")
	rng := rand.New(rand.NewPCG(3, 4))
	var revs []plan.Report
	all := map[string][]plan.Report{}
	for i := range p.Targets {
		for m := 1; m <= 1+i%8; m++ {
			for rv := 1; rv <= 1+rng.IntN(2); rv++ {
				r := report(p, i, m, synth.Value(&p.Targets[i], period(m), i)+float64(rv), rv)
				revs = append(revs, r)
				all[r.Target] = append(all[r.Target], r)
			}
		}
	}
	rng.Shuffle(len(revs), func(i, j int) { revs[i], revs[j] = revs[j], revs[i] })
	revs = append(revs, plan.Report{Target: "gone-from-the-plan", Period: period(1), Value: 1, Revision: 1})
	tr, err := New(Config{Plan: p, Now: func() time.Time { return asOf }, Logger: discard,
		Revisions: func(add func(plan.Report)) error {
			for _, r := range revs {
				add(r)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	s := tr.Snapshot()
	if s.Version != 1 {
		t.Errorf("first snapshot has version %d, want 1: New evaluated more than once", s.Version)
	}
	for i := range p.Targets {
		tg := &p.Targets[i]
		want := plan.Evaluate(p, tg, all[tg.ID], asOf)
		if got := *s.Targets[i]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("target %s:\ngot  %+v\nwant %+v", tg.ID, got, want)
		}
	}

	// LoadFunc over the same revisions publishes the same progress.
	if err := tr.LoadFunc(func(add func(plan.Report)) error {
		for _, r := range revs {
			add(r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := show(tr.Snapshot().Targets), show(s.Targets); got != want {
		t.Error("LoadFunc of the same revisions changed the progress")
	}
}

// A stream that fails mid-way fails New, and LoadFunc publishes nothing.
func TestLoadStreamError(t *testing.T) {
	p := synth.Plan(8)
	broken := errors.New("disk on fire")
	stream := func(add func(plan.Report)) error {
		for m := 1; m <= 3; m++ {
			add(report(p, 0, m, 5, 1))
		}
		return broken
	}
	if _, err := New(Config{Plan: p, Logger: discard, Revisions: stream}); !errors.Is(err, broken) {
		t.Errorf("New: got %v, want the stream's error", err)
	}
	tr := newTracker(t, p, newClock(day(p, "2019-05-01")).now)
	before := tr.Snapshot()
	if err := tr.LoadFunc(stream); !errors.Is(err, broken) {
		t.Errorf("LoadFunc: got %v, want the stream's error", err)
	}
	if tr.Snapshot() != before {
		t.Error("LoadFunc published a snapshot from a failed stream")
	}
}

// show formats the progress the pointers point to (not the pointers).
func show(ts []*plan.Progress) string {
	var b strings.Builder
	for _, g := range ts {
		fmt.Fprintln(&b, *g)
	}
	return b.String()
}

// A commit gives the targets it touches a new Progress and shares every
// other target's with the snapshot before it, which stays as it was.
func TestCommitSharesUntouchedProgress(t *testing.T) {
	p := synth.Plan(8)
	tr := newTracker(t, p, newClock(day(p, "2019-05-20")).now)
	tr.Load([]plan.Report{report(p, 3, 1, 5, 1)})
	before := tr.Snapshot()
	shown := show(before.Targets)
	tr.Apply(report(p, 3, 2, 7, 1))
	after := tr.Snapshot()
	for i := range p.Targets {
		if shared := before.Targets[i] == after.Targets[i]; shared != (i != 3) {
			t.Errorf("target %d: shared %v, want %v", i, shared, i != 3)
		}
	}
	if before.Targets[3].Actual != 5 || after.Targets[3].Actual != 12 {
		t.Errorf("target 3: actual %v before and %v after, want 5 and 12", before.Targets[3].Actual, after.Targets[3].Actual)
	}
	if show(before.Targets) != shown {
		t.Error("the earlier snapshot changed")
	}
}

// TestKnownAtMatchesFullEvaluation stores revisions received at random
// instants, many of them after the clock (a database replayed with a
// fixed clock, figures migrated with their original dates), moves the
// clock forwards and sometimes back, and checks that what the tracker
// publishes equals a full evaluation at every instant it claims to be
// valid for: right after a refresh, and just before the refresh Run
// would schedule next.
func TestKnownAtMatchesFullEvaluation(t *testing.T) {
	p := withGrowth(synth.Plan(24))
	start := day(p, "2019-01-01")
	c := newClock(start)
	rng := rand.New(rand.NewPCG(5, 6))
	year := int64(365 * 24 * time.Hour)
	all := map[string][]plan.Report{}
	var revs []plan.Report
	for i := range p.Targets {
		for m := 1; m <= 12; m++ {
			for rv := 1; rv <= 1+rng.IntN(3); rv++ {
				r := report(p, i, m, figure(p, rng, i)/2, rv)
				r.Received = start.Add(time.Duration(rng.Int64N(year)))
				revs = append(revs, r)
				all[r.Target] = append(all[r.Target], r)
			}
		}
	}
	tr := newTracker(t, p, c.now)
	tr.Load(revs)
	check := func(step int, asOf time.Time) {
		t.Helper()
		s := tr.Snapshot()
		for i := range p.Targets {
			tg := &p.Targets[i]
			want := plan.Evaluate(p, tg, all[tg.ID], asOf)
			// The snapshot's own AsOf is when it was built; compare
			// everything else.
			if got := *s.Targets[i]; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("step %d, target %s as of %v:\ngot  %+v\nwant %+v", step, tg.ID, asOf, got, want)
			}
		}
	}
	for step := range 400 {
		d := time.Duration(rng.Int64N(int64(72 * time.Hour)))
		if rng.IntN(8) == 0 {
			d = -d
		}
		c.set(c.now().Add(d))
		wait := tr.refresh()
		check(step, c.now())
		if wait > time.Millisecond {
			check(step, c.now().Add(wait-time.Nanosecond))
		}
	}
}

// twoPlans is a synthetic plan split in two, the second with a later due
// day (20 instead of 10) and its own id, as two targets files would load.
func twoPlans() (a, b *plan.Plan) {
	whole := synth.Plan(8)
	a, b = new(plan.Plan), new(plan.Plan)
	*a, *b = *whole, *whole
	a.ID, b.ID = "district-2019", "city-2019"
	a.Targets, b.Targets = whole.Targets[:5], whole.Targets[5:]
	b.DueDay = 20
	return a, b
}

// Several plans in one tracker: each target is evaluated with its own
// plan (its due day, its id on the progress), exactly as plan.Evaluate
// does for that plan alone, and revisions find their target in any plan.
func TestSeveralPlans(t *testing.T) {
	a, b := twoPlans()
	// On 15 March, February's report is due for a (since 10 March) but not
	// yet for b (20 March).
	asOf := day(a, "2019-03-15")
	tr, err := New(Config{Plans: []*plan.Plan{a, b}, Now: func() time.Time { return asOf }, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	revs := []plan.Report{report(a, 0, 1, 3, 1), report(a, 0, 2, 4, 1), report(b, 1, 1, 7, 1), report(b, 1, 2, 9, 1)}
	tr.Apply(revs...)
	s := tr.Snapshot()
	if len(s.Targets) != 8 || len(s.Plans) != 2 {
		t.Fatalf("got %d targets of %d plans, want 8 of 2", len(s.Targets), len(s.Plans))
	}
	for _, tc := range []struct {
		name  string
		p     *plan.Plan
		k     int
		revs  []plan.Report
		month time.Month
	}{
		{"a target of the first plan has February evaluated (due 10 March)", a, 0, revs[:2], time.February},
		{"a target of the second plan has only January evaluated (February due 20 March)", b, 1, revs[2:], time.January},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, ok := s.Target(tc.p.Targets[tc.k].ID)
			if !ok {
				t.Fatal("target not in the snapshot")
			}
			if g.Plan != tc.p {
				t.Errorf("plan: got %s, want %s", g.Plan.ID, tc.p.ID)
			}
			if g.Evaluated.Month != tc.month {
				t.Errorf("evaluated: got %s, want month %d", g.Evaluated, tc.month)
			}
			want := plan.Evaluate(tc.p, &tc.p.Targets[tc.k], tc.revs, asOf)
			if !reflect.DeepEqual(*g, want) {
				t.Errorf("got %+v, want %+v", *g, want)
			}
		})
	}
	if got, ok := s.PlanTargets(b.ID); !ok || len(got) != 3 || got[0].Target != &b.Targets[0] {
		t.Errorf("PlanTargets(%s): got %d targets (%v), want b's 3 in order", b.ID, len(got), ok)
	}
}

func TestSeveralPlansRefuseASharedTargetID(t *testing.T) {
	a, b := twoPlans()
	b.Targets = append([]plan.Target{a.Targets[0]}, b.Targets...)
	_, err := New(Config{Plans: []*plan.Plan{a, b}})
	if want := `target "` + a.Targets[0].ID + `" is in plans "district-2019" and "city-2019"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want an error containing %s", err, want)
	}
}
