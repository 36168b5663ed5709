package progress

import (
	"context"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// store stands in for the database: figures are committed to it before
// they are applied, as the API does.
type store struct {
	mu   sync.Mutex
	revs []plan.Report
}

func (s *store) commit(r plan.Report) {
	s.mu.Lock()
	s.revs = append(s.revs, r)
	s.mu.Unlock()
}

func (s *store) all() []plan.Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]plan.Report(nil), s.revs...)
}

// Replacing the tracker while figures are committed and applied and
// snapshots read: every snapshot is whole (the targets of exactly its
// plans), and after the last swap the progress is what a full evaluation
// of everything committed gives, so no Apply was lost between trackers.
func TestSwitchReplacesUnderLoad(t *testing.T) {
	a, b := twoPlans()
	asOf := day(a, "2019-12-31")
	now := func() time.Time { return asOf }
	db := &store{}
	build := func(plans ...*plan.Plan) (*Tracker, error) {
		return New(Config{Plans: plans, Now: now, Logger: discard, Revisions: func(add func(plan.Report)) error {
			for i, r := range db.all() {
				add(r)
				if i%16 == 0 {
					time.Sleep(50 * time.Microsecond) // a slow read widens the window
				}
			}
			return nil
		}})
	}
	first, err := build(a)
	if err != nil {
		t.Fatal(err)
	}
	sw := NewSwitch(first)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sw.Run(ctx)

	var wg sync.WaitGroup
	done := make(chan struct{})
	// Revision numbers are unique, so every figure is a newer revision.
	var revision atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for {
				select {
				case <-done:
					return
				default:
				}
				// Targets of a only: they are in every tracker.
				r := report(a, rng.IntN(len(a.Targets)), 1+rng.IntN(11), float64(rng.IntN(100)), int(revision.Add(1)))
				db.commit(r)
				// The API's way (Add on the writer, Sync in the handler)
				// and Apply's.
				if w%2 == 0 {
					sw.Add(r)
					if err := sw.Sync(ctx); err != nil {
						t.Error(err)
						return
					}
				} else {
					sw.Apply(r)
				}
			}
		})
	}
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			s := sw.Snapshot()
			n := 0
			for _, p := range s.Plans {
				n += len(p.Targets)
			}
			if n != len(s.Targets) {
				t.Errorf("a snapshot of %d plans holds %d targets, want %d", len(s.Plans), len(s.Targets), n)
				return
			}
		}
	})
	for i := range 6 {
		plans := []*plan.Plan{a}
		if i%2 == 0 {
			plans = append(plans, b)
		}
		if err := sw.Replace(func() (*Tracker, error) { return build(plans...) }); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()

	s := sw.Snapshot()
	if len(s.Plans) != 1 {
		t.Fatalf("got %d plans after the last swap, want 1", len(s.Plans))
	}
	byTarget := map[string][]plan.Report{}
	for _, r := range db.all() {
		byTarget[r.Target] = append(byTarget[r.Target], r)
	}
	for k := range a.Targets {
		want := plan.Evaluate(a, &a.Targets[k], byTarget[a.Targets[k].ID], asOf)
		got, _ := s.Target(a.Targets[k].ID)
		if got.Actual != want.Actual || got.HasActual != want.HasActual || !reflect.DeepEqual(got.Missing, want.Missing) {
			t.Errorf("%s: got actual %v (%v), missing %v; want %v (%v), %v", a.Targets[k].ID, got.Actual, got.HasActual, got.Missing, want.Actual, want.HasActual, want.Missing)
		}
	}
}

func TestSwitchKeepsTheTrackerWhenBuildFails(t *testing.T) {
	a, _ := twoPlans()
	first := newTracker(t, a, nil)
	sw := NewSwitch(first)
	if err := sw.Replace(func() (*Tracker, error) { return New(Config{}) }); err == nil {
		t.Fatal("got no error from a failed build, want its error")
	}
	if sw.Tracker() != first {
		t.Error("a failed build replaced the tracker")
	}
}
