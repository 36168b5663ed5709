package progress

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/synth"
)

// running starts tr.Run and stops it when the test ends.
func running(t *testing.T, tr *Tracker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// gate makes the tracker's rebuilds stop before publishing until released:
// entered receives whether each stopped rebuild is a full one.
type gate struct {
	entered chan bool
	release chan struct{}
}

func newGate(tr *Tracker) *gate {
	g := &gate{entered: make(chan bool, 16), release: make(chan struct{})}
	tr.rebuilding = func(full bool) {
		select {
		case g.entered <- full:
		default: // nobody is counting rebuilds this late in the test
		}
		<-g.release
	}
	return g
}

// within fails the test unless f returns within five seconds: what it
// checks must not wait at all, and a shared machine may be slow.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still waiting after five seconds", what)
	}
}

// TestAddSyncMatchesFullEvaluation is TestApplyMatchesFullEvaluation
// through the owner: random commits handed over by Add (several between
// two Syncs at times, so Run takes them together), reads at random (so
// rebuilds sometimes reuse the spare slice and sometimes copy), clock
// moves across due days and months. After each Sync the snapshot must
// equal evaluating every target from scratch, and every snapshot a reader
// took must still read as when it was taken.
func TestAddSyncMatchesFullEvaluation(t *testing.T) {
	p := withGrowth(synth.Plan(40))
	c := newClock(day(p, "2019-01-05"))
	tr := newTracker(t, p, c.now)
	running(t, tr)
	h := newHistory(p, 5)
	type held struct {
		s    *plan.Snapshot
		seen string
	}
	var kept []held
	for step := range 400 {
		if h.rng.IntN(10) == 0 {
			c.set(c.now().Add(time.Duration(h.rng.IntN(96)) * time.Hour))
		}
		for range 1 + h.rng.IntN(3) {
			tr.Add(h.commit())
		}
		if h.rng.IntN(3) == 0 {
			continue // more commits before anyone waits
		}
		if err := tr.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if h.rng.IntN(2) == 0 {
			continue // nobody reads this one: the next rebuild may reuse it
		}
		s := tr.Snapshot()
		if len(kept) < 50 {
			kept = append(kept, held{s, show(s.Targets)})
		}
		h.check(t, step, s)
	}
	for _, k := range kept {
		if show(k.s.Targets) != k.seen {
			t.Errorf("snapshot version %d changed after a reader took it", k.s.Version)
		}
	}
}

// While Run is in the middle of a rebuild, Add returns at once and
// Snapshot returns the snapshot before, whose slice the rebuild does not
// touch (it reuses the one published before that, which no reader took).
// Sync waits until the rebuild has published, and not longer.
func TestAddAndSnapshotDoNotWaitForARebuild(t *testing.T) {
	p := synth.Plan(8)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-07-15") })
	first := tr.cur.Load()
	tr.Apply(report(p, 0, 1, 10, 1))
	before := tr.Snapshot()
	g := newGate(tr)
	running(t, tr)

	tr.Add(report(p, 1, 1, 20, 1))
	if full := <-g.entered; full {
		t.Fatal("a commit inside the same boundaries rebuilt every target")
	}
	if got := first.state.Load(); got != reused {
		t.Errorf("the first snapshot, never read: got state %d, want reused (%d)", got, reused)
	}
	within(t, "Add during a rebuild", func() { tr.Add(report(p, 2, 1, 30, 1)) })
	within(t, "Snapshot during a rebuild", func() {
		if got := tr.Snapshot(); got != before {
			t.Errorf("got snapshot version %d, want the one before the rebuild (%d)", got.Version, before.Version)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tr.Sync(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sync while the rebuild is held: got %v, want the context's deadline", err)
	}

	close(g.release)
	within(t, "Sync after the rebuild is released", func() {
		if err := tr.Sync(context.Background()); err != nil {
			t.Error(err)
		}
	})
	s := tr.Snapshot()
	for i, want := range []float64{10, 20, 30} {
		if g, _ := s.Target(synth.TargetID(i)); g.Actual != want {
			t.Errorf("target %d after Sync: got actual %v, want %v", i, g.Actual, want)
		}
	}
	if g, _ := before.Target(synth.TargetID(1)); g.Actual != 0 {
		t.Errorf("the snapshot before changed: target 1 got actual %v, want 0", g.Actual)
	}
}

// After the clock crosses a due day, the full rebuild happens on Run: a
// commit handed over meanwhile returns at once, and the snapshot Sync
// waits for has every target evaluated for the new month.
func TestAddAfterABoundaryLeavesTheFullRebuildToRun(t *testing.T) {
	p := synth.Plan(8)
	c := newClock(day(p, "2019-07-09"))
	tr := newTracker(t, p, c.now)
	before := tr.Snapshot()
	g := newGate(tr)
	running(t, tr)

	c.set(day(p, "2019-07-10")) // June's figures fall due
	within(t, "Add after the boundary", func() { tr.Add(report(p, 0, 6, 1, 1)) })
	if full := <-g.entered; !full {
		t.Fatal("the first rebuild after the boundary re-evaluated only the touched target")
	}
	within(t, "Add during the full rebuild", func() { tr.Add(report(p, 1, 6, 1, 1)) })
	within(t, "Snapshot during the full rebuild", func() {
		if got := tr.Snapshot(); got != before {
			t.Errorf("got snapshot version %d, want the one before the rebuild (%d)", got.Version, before.Version)
		}
	})
	close(g.release)
	if err := tr.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := tr.Snapshot()
	if got := s.Targets[5].Evaluated; got != period(6) {
		t.Errorf("an untouched target after the due moment: got evaluated %v, want 2019-06", got)
	}
	for i := range 2 {
		if got := s.Targets[i].Actual; got != 1 {
			t.Errorf("target %d: got actual %v, want its June figure 1", i, got)
		}
	}
}

// Sync does not depend on Run: without one it publishes itself, and a
// Sync waiting on a Run that stops is let go by Run's last publish.
func TestSyncWithoutRun(t *testing.T) {
	p := synth.Plan(4)
	tr := newTracker(t, p, func() time.Time { return day(p, "2019-07-15") })
	tr.Add(report(p, 0, 1, 5, 1))
	within(t, "Sync with no Run", func() {
		if err := tr.Sync(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if got := tr.Snapshot().Targets[0].Actual; got != 5 {
		t.Errorf("after Sync with no Run: got actual %v, want 5", got)
	}

	g := newGate(tr)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { tr.Run(ctx); close(stopped) }()
	tr.Add(report(p, 1, 1, 6, 1))
	<-g.entered // Run took target 1's figure and is held
	tr.Add(report(p, 2, 1, 7, 1))
	synced := make(chan error, 1)
	go func() { synced <- tr.Sync(context.Background()) }()
	cancel()
	close(g.release)
	<-stopped
	within(t, "Sync across Run's end", func() {
		if err := <-synced; err != nil {
			t.Error(err)
		}
	})
	s := tr.Snapshot()
	for i, want := range []float64{5, 6, 7} {
		if got := s.Targets[i].Actual; got != want {
			t.Errorf("target %d: got actual %v, want %v", i, got, want)
		}
	}
}
