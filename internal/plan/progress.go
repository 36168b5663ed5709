package plan

import (
	"math"
	"time"
)

// Status is where a target stands. Exactly one applies at a time.
type Status string

// Statuses, in the order of Statuses.
const (
	NoData   Status = "no_data"
	OnTrack  Status = "on_track"
	AtRisk   Status = "at_risk"
	OffTrack Status = "off_track"
	Achieved Status = "achieved"
	Missed   Status = "missed"
	Breached Status = "breached"
)

// Statuses lists every status; the metrics state set emits all of them.
var Statuses = []Status{NoData, OnTrack, AtRisk, OffTrack, Achieved, Missed, Breached}

// Progress is the evaluation of one target as of one moment.
type Progress struct {
	// Plan is the plan Target belongs to: with several plans loaded, the
	// one whose id labels the target's series.
	Plan   *Plan
	Target *Target

	// Evaluated is the last month whose report is due as of the evaluation
	// moment (clipped to the plan and the target's due month); zero when no
	// month is evaluated yet.
	Evaluated Period

	// Actual is the annual figure made from the current revisions;
	// HasActual is false when nothing has been reported.
	Actual    float64
	HasActual bool

	// Expected is the trajectory's value at the end of Evaluated.
	Expected float64

	// Projected is the figure expected at the deadline at the current pace.
	Projected    float64
	HasProjected bool

	Status Status

	// Missing lists evaluated months without a report.
	Missing []Period

	// LastReport is the commit time of the newest revision (zero if none).
	LastReport time.Time
	// Corrections counts revisions beyond the first of each period.
	Corrections int

	// Deadline is when the report proving the goal met is due.
	Deadline time.Time
}

// ProgressRatio is Actual/Goal; ok is false without data, with a zero goal
// and for a growth target (see GapPoints). It is finite: over a tiny goal
// it saturates (see Finite).
func (g *Progress) ProgressRatio() (r float64, ok bool) {
	if !g.HasActual || g.Target.Goal == 0 || g.Target.IsGrowth() {
		return 0, false
	}
	return Finite(g.Actual / g.Target.Goal), true
}

// ExpectedRatio is Expected/Goal; ok is false with a zero goal and for a
// growth target. It is finite like ProgressRatio.
func (g *Progress) ExpectedRatio() (r float64, ok bool) {
	if g.Target.Goal == 0 || g.Target.IsGrowth() {
		return 0, false
	}
	return Finite(g.Expected / g.Target.Goal), true
}

// GapPoints is, for a growth target with a figure, how many percentage
// points the latest figure is better than the goal, negative when it
// falls short: +0.1 for 6.6 against at least 6.5, −7.7 for −1.2 against
// it, +0.5 for −3.5 against at most −3 (a fall of 3.5 where 3 was asked).
// ok is false for other targets and without data. It shows where ratios
// show for other targets.
func (g *Progress) GapPoints() (gap float64, ok bool) {
	if !g.HasActual || !g.Target.IsGrowth() {
		return 0, false
	}
	return (g.Actual - g.Target.Goal) * growthSign(g.Target), true
}

// Finite saturates what a quotient or product of bounded figures can still
// overflow to (a figure over a goal of 1e-300), and a stored infinity shown
// as stored: ±Inf becomes the largest float of that sign, NaN becomes 0.
// JSON cannot carry ±Inf at all, and 1.8e308 says "far beyond" as well as
// +Inf would.
func Finite(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return 0
	case math.IsInf(x, 1):
		return math.MaxFloat64
	case math.IsInf(x, -1):
		return -math.MaxFloat64
	}
	return x
}

// Snapshot is the immutable progress of one or several plans as of one
// moment. Everything that shows progress (API, /metrics, status page,
// reports) reads a Snapshot, so all of them show the same numbers. It must
// not be modified once published.
type Snapshot struct {
	// Plan is the plan of a one-plan snapshot, and the first of Plans:
	// code that serves several plans reads Plans and Progress.Plan.
	Plan *Plan
	// Plans lists every plan the snapshot covers, in load order; Targets
	// holds their targets in the same order, plan after plan.
	Plans []*Plan
	AsOf  time.Time
	// Version increases with every rebuild; caches key on it.
	Version uint64
	// Targets holds one Progress per plan target, in plan order. Through
	// pointers, a snapshot shares the Progress of every target a commit
	// did not touch with the snapshot before it: republishing a province's
	// 100,000 targets copies 0.8 MB of pointers instead of 15 MB of
	// Progress. Neither the slice nor what it points to may be modified.
	Targets []*Progress

	index map[string]int
	// offsets[i] is where Plans[i]'s targets begin in Targets.
	offsets []int
}

// NewSnapshot indexes p's targets by id; targets must hold one Progress
// per target of p, in plan order (nil makes a snapshot that only indexes,
// for WithTargets to fill). The snapshot points into targets, and sets the
// Plan of each that has none to p.
func NewSnapshot(p *Plan, asOf time.Time, version uint64, targets []Progress) *Snapshot {
	for i := range targets {
		if targets[i].Plan == nil {
			targets[i].Plan = p
		}
	}
	s := NewSnapshotOf([]*Plan{p})
	s.AsOf, s.Version, s.Targets = asOf, version, Pointers(targets)
	return s
}

// NewSnapshotOf indexes the targets of several plans, whose target ids
// must be unique across them, and holds no progress: WithTargets fills it.
func NewSnapshotOf(plans []*Plan) *Snapshot {
	n := 0
	for _, p := range plans {
		n += len(p.Targets)
	}
	s := &Snapshot{Plans: plans, index: make(map[string]int, n), offsets: make([]int, len(plans))}
	if len(plans) > 0 {
		s.Plan = plans[0]
	}
	n = 0
	for i, p := range plans {
		s.offsets[i] = n
		for k := range p.Targets {
			s.index[p.Targets[k].ID] = n + k
		}
		n += len(p.Targets)
	}
	return s
}

// PlanOf returns the plan of the target at position i of Targets, and the
// target's position within that plan.
func (s *Snapshot) PlanOf(i int) (*Plan, int) {
	j := len(s.offsets) - 1
	for j > 0 && s.offsets[j] > i {
		j--
	}
	return s.Plans[j], i - s.offsets[j]
}

// PlanByID returns the plan with the given id.
func (s *Snapshot) PlanByID(id string) (*Plan, bool) {
	for _, p := range s.Plans {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}

// PlanTargets returns the progress of the targets of the plan with the
// given id, in plan order; ok is false when no plan has that id.
func (s *Snapshot) PlanTargets(id string) (targets []*Progress, ok bool) {
	for j, p := range s.Plans {
		if p.ID == id {
			lo := s.offsets[j]
			return s.Targets[lo : lo+len(p.Targets)], true
		}
	}
	return nil, false
}

// Only returns the part of s that is the plan with the given id: its
// plan, its targets' progress, the same moment and version.
func (s *Snapshot) Only(id string) (*Snapshot, bool) {
	targets, ok := s.PlanTargets(id)
	if !ok {
		return nil, false
	}
	if len(s.Plans) == 1 {
		return s, true
	}
	p, _ := s.PlanByID(id)
	o := NewSnapshotOf([]*Plan{p})
	o.AsOf, o.Version, o.Targets = s.AsOf, s.Version, targets
	return o, true
}

// Agency returns the agency with the given id from whichever plan has it
// (plans that share an agency give it the same name).
func (s *Snapshot) Agency(id string) (*Agency, bool) {
	for _, p := range s.Plans {
		if a, ok := p.Agency(id); ok {
			return a, true
		}
	}
	return nil, false
}

// Pointers points at each element of targets, in order (nil for nil).
func Pointers(targets []Progress) []*Progress {
	if targets == nil {
		return nil
	}
	out := make([]*Progress, len(targets))
	for i := range targets {
		out[i] = &targets[i]
	}
	return out
}

// Index returns the position of a target in the plan and in Targets.
func (s *Snapshot) Index(id string) (int, bool) {
	i, ok := s.index[id]
	return i, ok
}

// Target returns the progress of one target.
func (s *Snapshot) Target(id string) (*Progress, bool) {
	i, ok := s.index[id]
	if !ok || i >= len(s.Targets) {
		return nil, false
	}
	return s.Targets[i], true
}

// WithTargets returns a snapshot of the same plan and target set as s with
// new progress, sharing s's id index instead of rebuilding it. targets must
// hold the same targets in the same order as s.Targets. It lets a tracker
// republish a large plan after a few targets change in time proportional to
// copying, not hashing, every target.
func (s *Snapshot) WithTargets(asOf time.Time, version uint64, targets []*Progress) *Snapshot {
	return &Snapshot{Plan: s.Plan, Plans: s.Plans, AsOf: asOf, Version: version, Targets: targets, index: s.index, offsets: s.offsets}
}
