// Package progress keeps the live progress of a plan in memory: an
// immutable plan.Snapshot, rebuilt when figures are committed and when the
// clock crosses an evaluation boundary (a report falling due, a month
// beginning, a milestone entering its last 30 days, a stored revision's
// received time: an evaluation counts only what was known at its
// instant). Everything that shows
// progress reads the snapshot; nothing reads the database per request.
package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Config configures a Tracker.
type Config struct {
	// Plan is the plan to track; it must not be modified afterwards.
	Plan *plan.Plan
	// Plans, when set, are the plans to track together, instead of Plan:
	// one snapshot holds their targets, whose ids must be unique across
	// them. None may be modified afterwards.
	Plans []*plan.Plan
	// Now is the service clock; nil means time.Now. A fixed clock (the
	// --as-of flag) never crosses a boundary, so only commits rebuild.
	Now func() time.Time
	// Logger receives rebuild notes; nil discards them.
	Logger *slog.Logger
	// Revisions, when set, streams the stored revisions into the tracker
	// before its first snapshot, as LoadFunc does afterwards; New then
	// evaluates every target once instead of twice.
	Revisions func(add func(plan.Report)) error
}

// maxWait bounds how long Run sleeps before it looks at the clock again,
// so a wall clock that jumps (suspend, NTP step) is noticed within a minute
// instead of at a boundary computed before the jump.
const maxWait = time.Minute

// Tracker holds the current progress snapshot of one or several plans.
//
// All methods are safe for concurrent use. The tracker's state belongs to
// one owner at a time: Run, while it runs, takes the revisions Add hands
// it and rebuilds at evaluation boundaries; Apply, Load and LoadFunc
// rebuild on their caller's goroutine. Add never evaluates anything, so
// the store's writer can call it after every commit and go on writing.
//
// Snapshot never waits and never returns nil: it reads the current
// snapshot through an atomic pointer, and while a rebuild runs it returns
// the one before. A snapshot is immutable and stays valid (and unchanged)
// after newer ones are published, so readers may keep it as long as they
// like. Sync waits, on a channel, until the revisions added before it are
// published.
type Tracker struct {
	plans  []*plan.Plan
	now    func() time.Time
	log    *slog.Logger
	bounds []time.Time
	// ids indexes the plan's targets; every snapshot shares its index
	// (at 100,000 targets a map of 5 MB).
	ids *plan.Snapshot

	// pmu guards pending and pendingGen: revisions handed to Add or Apply
	// that no rebuild has taken yet, and the generation they will be
	// published in.
	pmu        sync.Mutex
	pending    []plan.Report
	pendingGen uint64
	// wake tells Run that revisions are pending (capacity 1: one signal
	// stands for any number of Adds).
	wake chan struct{}
	// owners counts running Run loops; without one, Sync publishes
	// pending revisions itself.
	owners atomic.Int32

	// mu serialises rebuilds and guards the fields below it.
	mu        sync.Mutex
	published uint64          // last generation published
	months    [][]rev         // per target, every distinct revision of each month
	nmonths   int             // the plan's reporting months: the capacity of a months slice
	scratch   [][]plan.Report // per evaluating goroutine
	// The published snapshot is right for any as-of in [from, until): no
	// evaluation boundary and no revision's received time lies between.
	from, until       time.Time
	hasFrom, hasUntil bool
	// spare is the snapshot published before the current one, and lag the
	// targets on which the two differ. If no reader ever took spare, the
	// next incremental rebuild reuses its slice of pointers (after
	// catching up on lag) instead of copying the current one: a burst of
	// commits between two reads then costs the touched targets only, not
	// a copy of a province's 100,000 pointers per commit.
	spare *published
	lag   []int

	cur atomic.Pointer[published]

	// rebuilding, when set (by tests), runs in every rebuild after the
	// targets are evaluated and before the snapshot is published.
	rebuilding func(full bool)
}

// published is a snapshot with what the tracker needs to know about it.
type published struct {
	snap *plan.Snapshot
	// gen is the last generation of revisions the snapshot includes.
	gen uint64
	// state says whether a reader has taken the snapshot; see Snapshot.
	state atomic.Int32
	// next is closed when a newer snapshot replaces this one.
	next chan struct{}
}

// States of a published snapshot.
const (
	unseen int32 = iota // no reader has it; once replaced, a rebuild may reuse its slice
	seen                // a reader has it: it must never change
	reused              // replaced, and its slice reused by a rebuild: never returned
)

// rev is one revision of one month of one target, kept compact (24 bytes)
// because a province-sized plan holds millions of them: notes and token
// names are not needed to compute progress. Every revision is kept, not
// only the latest: an evaluation at an instant before a correction was
// received counts the figure it corrects.
type rev struct {
	month    int32 // Year*12 + Month-1
	revision int32 // a month would need two billion corrections to overflow it
	value    float64
	received int64 // UnixNano; noTime when the report carries no time
}

func monthOf(p plan.Period) int32 { return int32(p.Year*12 + int(p.Month) - 1) }

func (r rev) period() plan.Period {
	return plan.Period{Year: int(r.month / 12), Month: time.Month(r.month%12 + 1)}
}

const noTime = math.MinInt64

// New returns a tracker for cfg.Plan with no reports, its first snapshot
// already published.
func New(cfg Config) (*Tracker, error) {
	plans := cfg.Plans
	if plans == nil && cfg.Plan != nil {
		plans = []*plan.Plan{cfg.Plan}
	}
	if len(plans) == 0 {
		return nil, errors.New("progress: no plan")
	}
	ntargets, nmonths := 0, 0
	seen := map[string]string{}
	var bounds []time.Time
	for _, p := range plans {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("progress: %w", err)
		}
		for i := range p.Targets {
			id := p.Targets[i].ID
			if other, dup := seen[id]; dup {
				return nil, fmt.Errorf("progress: target %q is in plans %q and %q", id, other, p.ID)
			}
			seen[id] = p.ID
		}
		ntargets += len(p.Targets)
		nmonths = max(nmonths, len(p.Periods()))
		bounds = append(bounds, plan.Boundaries(p)...)
	}
	slices.SortFunc(bounds, time.Time.Compare)
	bounds = slices.CompactFunc(bounds, time.Time.Equal)
	t := &Tracker{
		plans:   plans,
		now:     cfg.Now,
		log:     cfg.Logger,
		bounds:  bounds,
		ids:     plan.NewSnapshotOf(plans),
		months:  make([][]rev, ntargets),
		nmonths: nmonths,
		wake:    make(chan struct{}, 1),
		// Generation 0 is the empty snapshot New publishes.
		pendingGen: 1,
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if cfg.Revisions != nil {
		if err := t.load(cfg.Revisions); err != nil {
			return nil, err
		}
	}
	t.rebuild(nil, true, t.published)
	return t, nil
}

// Snapshot returns the current progress without waiting. It never
// returns nil, and the snapshot never changes afterwards.
func (t *Tracker) Snapshot() *plan.Snapshot {
	for {
		p := t.cur.Load()
		if p.state.Load() == seen || p.state.CompareAndSwap(unseen, seen) {
			return p.snap
		}
		// p was replaced after we loaded it, and a rebuild has since
		// reused its slice: a newer snapshot is current. Only a publish
		// between the two loads sends us round again, so this never waits
		// for another goroutine.
	}
}

// Load replaces every report the tracker knows with revs (all stored
// revisions, in any order) and publishes a fully rebuilt snapshot. Call it
// at start, or to rebuild from the database; Apply is for what is committed
// afterwards. Revisions handed to a concurrent Apply are kept.
func (t *Tracker) Load(revs []plan.Report) {
	_ = t.LoadFunc(func(add func(plan.Report)) error {
		for _, r := range revs {
			add(r)
		}
		return nil
	})
}

// loadChunk is how many streamed revisions LoadFunc records at a time.
const loadChunk = 4096

// loadAhead is how many chunks each may read ahead of recording.
const loadAhead = 4

// LoadFunc is Load for revisions that each streams by calling add once per
// revision (in any order), so a caller reading them from the database need
// not hold them all at once: at a province's million revisions that slice
// alone is over 100 MB. each runs on a goroutine of its own while the
// caller's records what it has read so far (at start, SQLite reads on one
// core and the tracker records on the other). add must not be kept or
// called after each returns. If each returns an error, LoadFunc returns it
// and publishes nothing; the tracker then holds an incomplete set of
// reports, so call Load or LoadFunc again (or discard the tracker) before
// relying on it.
func (t *Tracker) LoadFunc(each func(add func(plan.Report)) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.months {
		t.months[i] = nil
	}
	if err := t.load(each); err != nil {
		return err
	}
	t.rebuild(nil, true, t.published)
	return nil
}

// load records what each streams, and whatever Apply has queued, without
// publishing. The caller holds mu.
func (t *Tracker) load(each func(add func(plan.Report)) error) error {
	chunks := make(chan []plan.Report, loadAhead)
	free := make(chan []plan.Report, loadAhead+2)
	errc := make(chan error, 1)
	go func() {
		defer close(chunks)
		buf := make([]plan.Report, 0, loadChunk)
		errc <- each(func(r plan.Report) {
			buf = append(buf, r)
			if len(buf) == loadChunk {
				chunks <- buf
				select {
				case buf = <-free:
				default:
					buf = make([]plan.Report, 0, loadChunk)
				}
			}
		})
		if len(buf) > 0 {
			chunks <- buf
		}
	}()
	var unknown map[string]int
	for c := range chunks {
		t.recordInto(c, &unknown)
		select {
		case free <- c[:0]:
		default:
		}
	}
	if err := <-errc; err != nil {
		return err
	}
	t.warnUnknown(unknown)
	batch, gen := t.takePending()
	t.record(batch)
	t.published = gen
	return nil
}

// Add hands newly committed revisions to Run and returns at once: it
// never evaluates, so the store's writer may call it after each commit.
// Call Sync to wait until a snapshot includes them. Each revision counts
// from its received time, as in plan.Evaluate. A revision replaces one the
// month already has with the same number, so replaying a revision is
// harmless; revisions of unknown targets are logged and ignored.
func (t *Tracker) Add(revs ...plan.Report) {
	if len(revs) == 0 {
		return
	}
	t.pmu.Lock()
	t.pending = append(t.pending, revs...)
	t.pmu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default: // Run has a signal waiting already
	}
}

// Apply is Add followed by publishing on the caller's goroutine: a
// snapshot that includes revs is published before it returns, whether or
// not Run is running. Only the targets they touch are re-evaluated (all of
// them when the clock has crossed a boundary since the last snapshot).
// Concurrent Apply calls share rebuilds.
func (t *Tracker) Apply(revs ...plan.Report) {
	if len(revs) == 0 {
		return
	}
	t.pmu.Lock()
	t.pending = append(t.pending, revs...)
	mine := t.pendingGen
	t.pmu.Unlock()

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.published >= mine {
		return // a concurrent rebuild published ours with its own
	}
	t.flush()
}

// Sync waits until the published snapshot includes every revision handed
// to Add or Apply before Sync was called, or until ctx is done. It waits
// on Run; when no Run is running, it publishes them itself.
func (t *Tracker) Sync(ctx context.Context) error {
	t.pmu.Lock()
	want := t.pendingGen
	if len(t.pending) == 0 {
		// Everything added is taken: published, or being rebuilt.
		want--
	}
	t.pmu.Unlock()
	for {
		p := t.cur.Load()
		if p.gen >= want {
			return nil
		}
		if t.owners.Load() == 0 {
			t.mu.Lock()
			if t.published < want {
				t.flush()
			}
			t.mu.Unlock()
			continue
		}
		select {
		case <-p.next:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// flush records every pending revision and publishes a snapshot that
// includes them. The caller holds mu.
func (t *Tracker) flush() {
	batch, gen := t.takePending()
	touched := t.record(batch)
	t.rebuild(touched, false, gen)
}

// takePending hands the waiting revisions to the caller, who must hold mu
// and publish them as generation gen.
func (t *Tracker) takePending() (batch []plan.Report, gen uint64) {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	batch, gen = t.pending, t.pendingGen
	t.pending = nil
	t.pendingGen++
	return batch, gen
}

// Run owns the snapshot until ctx is done: it publishes what Add hands it
// as soon as it can (every pending revision in one rebuild), and rebuilds
// every target whenever the clock crosses an evaluation boundary. It
// sleeps until the next boundary (at most a minute at a time) or the next
// Add rather than polling. Run one at a time.
func (t *Tracker) Run(ctx context.Context) {
	t.owners.Add(1)
	defer func() {
		// Sync calls waiting from now on publish for themselves; the ones
		// already waiting on Run are let go by this last publish.
		t.owners.Add(-1)
		t.mu.Lock()
		if t.pendingCount() > 0 {
			t.flush()
		}
		t.mu.Unlock()
	}()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
		case <-timer.C:
		}
		timer.Reset(t.refresh())
	}
}

// refresh publishes the pending revisions, or rebuilds every target if
// the clock has left the snapshot's validity, and returns how long the
// snapshot stays valid (at most maxWait, at least a millisecond).
func (t *Tracker) refresh() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	switch {
	case t.pendingCount() > 0:
		t.flush() // a full rebuild if the clock has crossed a boundary
	case !t.valid(now):
		t.rebuild(nil, true, t.published)
	}
	wait := maxWait
	if t.hasUntil {
		wait = min(wait, t.until.Sub(now))
	}
	return max(wait, time.Millisecond)
}

// pendingCount is how many revisions wait for a rebuild.
func (t *Tracker) pendingCount() int {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	return len(t.pending)
}

// valid reports whether the published snapshot is still right at asOf.
func (t *Tracker) valid(asOf time.Time) bool {
	if t.hasFrom && asOf.Before(t.from) {
		return false
	}
	return !t.hasUntil || asOf.Before(t.until)
}

// record merges revs into the per-month state and returns the indices of
// the targets whose state changed. The caller holds mu.
func (t *Tracker) record(revs []plan.Report) []int {
	var unknown map[string]int
	touched := t.recordInto(revs, &unknown)
	t.warnUnknown(unknown)
	return touched
}

// warnUnknown logs, once per target, the revisions record ignored because
// their target is not in the plan.
func (t *Tracker) warnUnknown(unknown map[string]int) {
	for _, id := range slices.Sorted(maps.Keys(unknown)) {
		t.log.Warn("reports for a target not in the plan ignored", "target", id, "revisions", unknown[id])
	}
}

// recordInto is record without the warning: it counts revisions of targets
// not in the plan into *unknown (made on first use), so LoadFunc can warn
// once for all its chunks.
func (t *Tracker) recordInto(revs []plan.Report, unknown *map[string]int) []int {
	var touched []int
	for i := range revs {
		r := &revs[i]
		ti, ok := t.ids.Index(r.Target)
		if !ok {
			// A target removed from targets.yaml keeps its stored
			// revisions; they no longer count.
			if *unknown == nil {
				*unknown = map[string]int{}
			}
			(*unknown)[r.Target]++
			continue
		}
		nr := rev{month: monthOf(r.Period), revision: int32(r.Revision), value: r.Value, received: noTime}
		if !r.Received.IsZero() {
			nr.received = r.Received.UnixNano()
		}
		ms := t.months[ti]
		j := slices.IndexFunc(ms, func(m rev) bool { return m.month == nr.month && m.revision == nr.revision })
		switch {
		case j < 0:
			if ms == nil {
				// Most targets report every month once: one allocation
				// of the final size beats five of doubling ones.
				ms = make([]rev, 0, t.nmonths)
			}
			t.months[ti] = append(ms, nr)
		default:
			ms[j] = nr
		}
		touched = append(touched, ti)
	}
	slices.Sort(touched)
	return slices.Compact(touched)
}

// evaluate computes one target's progress from its recorded months, using
// the scratch space of evaluating goroutine w. The caller holds mu.
func (t *Tracker) evaluate(w, i int, asOf time.Time) plan.Progress {
	p, k := t.ids.PlanOf(i)
	scratch := t.scratch[w][:0]
	for _, m := range t.months[i] {
		r := plan.Report{Period: m.period(), Value: m.value, Revision: int(m.revision)}
		if m.received != noTime {
			r.Received = time.Unix(0, m.received).In(p.Location)
		}
		scratch = append(scratch, r)
	}
	t.scratch[w] = scratch
	return plan.Evaluate(p, &p.Targets[k], scratch, asOf)
}

// narrow shrinks the validity window [from, until) around asOf to the
// received times of target i's revisions: one received after asOf starts
// counting at its received time, and one received at or before it stops
// counting if the clock goes back before that. With the wall clock every
// commit is received before the rebuild that publishes it, so only stored
// figures dated in the future (or a clock stepped back) narrow the window
// in a way that forces an extra rebuild. The caller holds mu.
func (t *Tracker) narrow(asOf time.Time, i int) {
	at := asOf.UnixNano()
	for _, m := range t.months[i] {
		switch {
		case m.received == noTime:
		case m.received <= at:
			if !t.hasFrom || m.received > t.from.UnixNano() {
				t.from, t.hasFrom = time.Unix(0, m.received), true
			}
		default:
			if !t.hasUntil || m.received < t.until.UnixNano() {
				t.until, t.hasUntil = time.Unix(0, m.received), true
			}
		}
	}
}

// parallelFrom is the plan size from which a full rebuild evaluates on
// every CPU: below it, starting goroutines costs more than it saves.
const parallelFrom = 4096

// evaluateAll evaluates every target into targets, in parallel for large
// plans (a province's 100,000 targets take 0.4 s on one core). The caller
// holds mu.
func (t *Tracker) evaluateAll(targets []plan.Progress, asOf time.Time) {
	workers := 1
	if len(targets) >= parallelFrom {
		workers = runtime.GOMAXPROCS(0)
	}
	for len(t.scratch) < workers {
		t.scratch = append(t.scratch, nil)
	}
	if workers == 1 {
		for i := range targets {
			targets[i] = t.evaluate(0, i, asOf)
		}
		return
	}
	var wg sync.WaitGroup
	per := (len(targets) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(targets))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				targets[i] = t.evaluate(w, i, asOf)
			}
		})
	}
	wg.Wait()
}

// rebuild publishes a new snapshot, including revisions through
// generation gen: every target re-evaluated when full is set or the clock
// has left the published snapshot's validity, else only touched ones. The
// caller holds mu.
func (t *Tracker) rebuild(touched []int, full bool, gen uint64) {
	asOf := t.now()
	var old *plan.Snapshot
	cur := t.cur.Load()
	if cur != nil {
		old = cur.snap
	}
	if old == nil || !t.valid(asOf) {
		full = true
	}
	var version uint64 = 1
	if old != nil {
		version = old.Version + 1
	}
	var next *plan.Snapshot
	if full {
		start := time.Now()
		targets := make([]plan.Progress, len(t.months))
		t.evaluateAll(targets, asOf)
		next = t.ids.WithTargets(asOf, version, plan.Pointers(targets))
		t.log.Info("progress rebuilt", "targets", len(targets), "as_of", asOf.In(t.plans[0].Location).Format(time.RFC3339), "version", version, "took", time.Since(start))
		i := sort.Search(len(t.bounds), func(i int) bool { return t.bounds[i].After(asOf) })
		t.hasFrom, t.hasUntil = i > 0, i < len(t.bounds)
		if t.hasFrom {
			t.from = t.bounds[i-1]
		}
		if t.hasUntil {
			t.until = t.bounds[i]
		}
		for i := range t.months {
			t.narrow(asOf, i)
		}
		// Every target differs from the snapshot before.
		t.spare, t.lag = nil, t.lag[:0]
	} else {
		next = old.WithTargets(asOf, version, t.incremental(old, touched, asOf))
		for _, i := range touched {
			t.narrow(asOf, i)
		}
		t.spare, t.lag = cur, append(t.lag[:0], touched...)
	}
	if t.rebuilding != nil {
		t.rebuilding(full)
	}
	t.published = gen
	p := &published{snap: next, gen: gen, next: make(chan struct{})}
	t.cur.Store(p)
	if cur != nil {
		close(cur.next)
	}
}

// incremental returns the targets of the snapshot after old in which only
// touched ones are re-evaluated. Targets nobody touched keep their
// progress, shared with old: nothing they depend on has changed, since the
// clock is still inside the same boundaries. A touched target gets a new
// Progress, never an update of the shared one. The slice is the spare
// snapshot's, brought up to date, when no reader ever took that one; else
// a copy of old's. The caller holds mu.
func (t *Tracker) incremental(old *plan.Snapshot, touched []int, asOf time.Time) []*plan.Progress {
	var targets []*plan.Progress
	if t.spare != nil && t.spare.state.CompareAndSwap(unseen, reused) {
		targets = t.spare.snap.Targets
		for _, i := range t.lag {
			targets[i] = old.Targets[i]
		}
	} else {
		targets = slices.Clone(old.Targets)
	}
	if len(t.scratch) == 0 {
		t.scratch = append(t.scratch, nil)
	}
	fresh := make([]plan.Progress, len(touched))
	for j, i := range touched {
		fresh[j] = t.evaluate(0, i, asOf)
		targets[i] = &fresh[j]
	}
	return targets
}
