package progress

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Switch serves the progress of one Tracker at a time and replaces it
// with another, built from a new set of plans, in one step: the live
// reload of the targets files. Readers see the old tracker's snapshots up
// to the swap and the new one's after it, never a mixture, and never a
// tracker that is still loading.
//
// Revisions applied while the new tracker loads are not lost: the new
// tracker reads every stored revision, and whatever is applied from the
// moment Replace begins is applied to it again before the swap (applying
// a revision twice is harmless). So a figure committed before its Apply
// call is in the new tracker whichever side of the swap that call falls.
//
// All methods are safe for concurrent use.
type Switch struct {
	// mu is held shared by Apply and exclusively by the swap, so no Apply
	// is between trackers when they change.
	mu  sync.RWMutex
	cur atomic.Pointer[Tracker]

	// replace serialises Replace calls.
	replace sync.Mutex
	// rmu guards replay: the revisions applied since a Replace began, nil
	// when none is running.
	rmu    sync.Mutex
	replay *[]plan.Report

	// runCtx is the context Run was given; stop ends the current
	// tracker's Run.
	runMu  sync.Mutex
	runCtx context.Context
	stop   context.CancelFunc
}

// NewSwitch returns a switch serving t.
func NewSwitch(t *Tracker) *Switch {
	s := &Switch{}
	s.cur.Store(t)
	return s
}

// Tracker returns the tracker currently served.
func (s *Switch) Tracker() *Tracker { return s.cur.Load() }

// Snapshot returns the current tracker's snapshot: complete, immutable,
// never nil.
func (s *Switch) Snapshot() *plan.Snapshot { return s.cur.Load().Snapshot() }

// Add hands revs to the current tracker (Tracker.Add) and records them
// for a tracker being built by Replace. It returns at once, except that
// it waits out a swap in progress (microseconds: the swap applies the
// recorded revisions and changes a pointer).
func (s *Switch) Add(revs ...plan.Report) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.record(revs)
	s.cur.Load().Add(revs...)
}

// Apply is Add that publishes before it returns (Tracker.Apply): the
// served snapshot then includes revs.
func (s *Switch) Apply(revs ...plan.Report) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.record(revs)
	s.cur.Load().Apply(revs...)
}

// record keeps revs for the tracker a running Replace is building.
func (s *Switch) record(revs []plan.Report) {
	s.rmu.Lock()
	if s.replay != nil {
		*s.replay = append(*s.replay, revs...)
	}
	s.rmu.Unlock()
}

// Sync waits until the served snapshot includes every revision added
// before the call (Tracker.Sync), following a swap that happens while it
// waits: the new tracker has them too.
func (s *Switch) Sync(ctx context.Context) error {
	for {
		t := s.cur.Load()
		if err := t.Sync(ctx); err != nil {
			return err
		}
		if s.cur.Load() == t {
			return nil
		}
	}
}

// Replace builds a new tracker with build, which should read every stored
// revision (New with Config.Revisions), and swaps it in. If build fails,
// the current tracker stays and its error is returned.
func (s *Switch) Replace(build func() (*Tracker, error)) error {
	s.replace.Lock()
	defer s.replace.Unlock()
	s.rmu.Lock()
	s.replay = &[]plan.Report{}
	s.rmu.Unlock()
	defer func() {
		s.rmu.Lock()
		s.replay = nil
		s.rmu.Unlock()
	}()

	next, err := build()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.rmu.Lock()
	missed := *s.replay
	s.rmu.Unlock()
	next.Apply(missed...)
	s.cur.Store(next)
	s.mu.Unlock()

	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.runCtx != nil {
		s.stop()
		s.start(next)
	}
	return nil
}

// Run runs the current tracker's Run, and each replacement's after a
// swap, until ctx is done.
func (s *Switch) Run(ctx context.Context) {
	s.runMu.Lock()
	s.runCtx = ctx
	s.start(s.cur.Load())
	s.runMu.Unlock()
	<-ctx.Done()
}

// start runs t until the switch's context ends or t is replaced. The
// caller holds runMu.
func (s *Switch) start(t *Tracker) {
	ctx, cancel := context.WithCancel(s.runCtx)
	s.stop = cancel
	go t.Run(ctx)
}
