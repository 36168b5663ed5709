package planfile

import (
	"math"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Milestone defaults: a milestone reports 1 once done, and once done it
// stays done, so the largest report counts.
const (
	milestoneUnit   = "项"
	milestoneUnitEN = "milestone"
)

// targets checks every target; period says whether Start and End are
// usable for the date rules.
func (b *builder) targets(period bool) {
	f := b.f
	if len(f.Targets) == 0 && !b.bad[&f.Targets] {
		b.errorf(b.node(&f.Targets, f), "no targets: a plan needs at least one")
	}
	first := make(map[string]*yaml.Node, len(f.Targets))
	b.p.Targets = make([]plan.Target, 0, len(f.Targets))
	for i := range f.Targets {
		ts := &f.Targets[i]
		if b.bad[ts] {
			continue
		}
		t := b.target(ts, period)
		if b.ok(&ts.ID) && t.ID != "" && plan.ValidID(t.ID) {
			if n := first[ts.ID]; n != nil {
				b.errorf(b.node(&ts.ID), "duplicate target id %q (first at line %d)", ts.ID, n.Line)
			} else {
				first[ts.ID] = b.node(&ts.ID)
			}
		}
		b.p.Targets = append(b.p.Targets, t)
	}
}

// oneOf formats the valid values of an enumeration for messages.
func oneOf[T ~string](vals []T) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = string(v)
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func valid[T ~string](vals []T, v string) bool {
	for _, x := range vals {
		if string(x) == v {
			return true
		}
	}
	return false
}

func (b *builder) target(ts *TargetSpec, period bool) plan.Target {
	t := plan.Target{
		ID:          ts.ID,
		Item:        ts.Item,
		Title:       ts.Title,
		TitleEN:     ts.TitleEN,
		Quote:       ts.Quote,
		Agency:      ts.Agency,
		Kind:        plan.Kind(ts.Kind),
		Direction:   plan.Direction(ts.Direction),
		Aggregation: plan.Aggregation(ts.Aggregation),
		Goal:        ts.Goal,
		Unit:        ts.Unit,
		UnitEN:      ts.UnitEN,
		Approximate: ts.Approximate,
		Due:         b.p.End,
	}

	if b.required(&ts.ID, ts, "id") && !plan.ValidID(ts.ID) {
		b.errorf(b.node(&ts.ID), "id %q is not a valid slug: %s", ts.ID, slugRule)
	}
	if b.required(&ts.Item, ts, "item") && !itemPattern.MatchString(ts.Item) {
		b.errorf(b.node(&ts.Item), "item %q is not a plan item number such as 10.2", ts.Item)
	}
	b.required(&ts.Title, ts, "title")
	if b.required(&ts.Quote, ts, "quote") {
		b.quote(ts)
	}
	if b.required(&ts.Agency, ts, "agency") {
		if !b.agencyIDs[ts.Agency] {
			b.errorf(b.node(&ts.Agency), "unknown agency %q: not in agencies", ts.Agency)
		}
	}
	if b.ok(&ts.CoAgencies) {
		t.CoAgencies = b.coAgencies(ts)
	}

	kindOK := false
	if b.required(&ts.Kind, ts, "kind") {
		kindOK = valid(plan.Kinds, ts.Kind)
		if !kindOK {
			b.errorf(b.node(&ts.Kind), "unknown kind %q (want %s)", ts.Kind, oneOf(plan.Kinds))
		}
	}
	milestone := kindOK && t.Kind == plan.Milestone
	quantity := kindOK && t.Kind == plan.Quantity
	growth := kindOK && t.Kind == plan.Growth

	if milestone {
		b.milestoneDefaults(ts, &t)
	}
	dirOK := b.direction(ts, milestone, quantity)
	var aggOK bool
	if growth {
		b.growth(ts, &t)
	} else {
		aggOK = b.aggregation(ts, milestone, quantity)
	}

	if !b.has(&ts.Unit) && quantity {
		b.errorf(b.node(ts), "missing unit")
	} else if b.ok(&ts.Unit) && strings.TrimSpace(ts.Unit) == "" {
		b.errorf(b.node(&ts.Unit), "unit is empty")
	}
	percent := t.IsPercent()
	if percent && aggOK && t.Aggregation == plan.Sum {
		b.errorf(b.node(&ts.Aggregation), "a percentage cannot be summed over months: use last, mean or max")
	}

	if !b.has(&ts.Goal) && (quantity || growth || !kindOK) {
		b.errorf(b.node(ts), "missing goal")
	} else if b.ok(&ts.Goal) {
		g := ts.Goal
		switch {
		case tooBig(g):
			b.errorf(b.node(&ts.Goal), "goal must be at most %s, got %s", plan.FormatNumber(plan.MaxFigure), plan.FormatNumber(g))
		case growth:
			// A growth rate may be negative (下降3% is goal −3) or above 100.
		case g < 0:
			b.errorf(b.node(&ts.Goal), "goal must not be negative, got %s", plan.FormatNumber(g))
		case milestone && g != 1:
			b.errorf(b.node(&ts.Goal), "a milestone's goal must be 1 (done), got %s", plan.FormatNumber(g))
		case dirOK && t.Direction == plan.ZeroGrowth && g != 0:
			b.errorf(b.node(&ts.Goal), "a zero_growth target's goal must be 0, got %s", plan.FormatNumber(g))
		case percent && g > 100:
			b.errorf(b.node(&ts.Goal), "a percentage goal must be within 0..100, got %s", plan.FormatNumber(g))
		}
	}

	if b.ok(&ts.Due) {
		due, err := timeIn(ts.Due, b.p)
		switch {
		case err != nil:
			b.errorf(b.node(&ts.Due), "due %q is not a date: want YYYY-MM-DD", ts.Due)
		case period && (due.Before(b.p.Start) || due.After(b.p.End)):
			b.errorf(b.node(&ts.Due), "due %s is outside the plan (%s..%s)", ts.Due, b.f.Start, b.f.End)
		default:
			t.Due = due
		}
	}

	if b.ok(ts.Baseline) {
		v := *ts.Baseline
		switch {
		case milestone:
			b.errorf(b.node(ts.Baseline), "a milestone takes no baseline")
		case growth:
			b.errorf(b.node(ts.Baseline), "a growth target takes no baseline: its goal is the rate expected every month")
		case aggOK && t.Aggregation != plan.Last && t.Aggregation != plan.Max:
			b.errorf(b.node(ts.Baseline), "baseline applies only to aggregation last or max (a level), not %s", t.Aggregation)
		case tooBig(v):
			b.errorf(b.node(ts.Baseline), "baseline must be at most %s, got %s", plan.FormatNumber(plan.MaxFigure), plan.FormatNumber(v))
		case v < 0:
			b.errorf(b.node(ts.Baseline), "baseline must not be negative, got %s", plan.FormatNumber(v))
		case percent && v > 100:
			b.errorf(b.node(ts.Baseline), "a percentage baseline must be within 0..100, got %s", plan.FormatNumber(v))
		default:
			t.Baseline, t.HasBaseline = v, true
		}
	}

	if b.ok(&ts.Trajectory) && growth {
		b.errorf(b.node(&ts.Trajectory), "a growth target takes no trajectory: its goal is the rate expected every month")
	} else if b.ok(&ts.Trajectory) {
		t.Trajectory = b.trajectory(ts, &t, milestone, aggOK, percent, period)
	}
	return t
}

// tooBig reports a figure of the plan beyond what a reported figure may be
// (YAML's .inf and .nan included), which plan.Validate refuses.
func tooBig(v float64) bool { return math.IsNaN(v) || math.Abs(v) > plan.MaxFigure }

// growth checks what is particular to a growth target: a direction of
// at_least or at_most, no aggregation (the latest cumulative figure
// counts, as with last) and the unit "%", its default.
func (b *builder) growth(ts *TargetSpec, t *plan.Target) {
	t.Aggregation = plan.Last
	if b.has(&ts.Aggregation) {
		b.errorf(b.node(&ts.Aggregation), "a growth target takes no aggregation: each month reports the cumulative growth so far and the latest counts")
	}
	if b.ok(&ts.Direction) && valid(plan.Directions, ts.Direction) {
		if d := plan.Direction(ts.Direction); d != plan.AtLeast && d != plan.AtMost {
			b.errorf(b.node(&ts.Direction), "a growth target's direction must be at_least (grow by at least the goal) or at_most (a fall: goal -3 for 下降3%%), got %s", d)
		}
	}
	if !b.has(&ts.Unit) {
		t.Unit = "%"
		if !b.has(&ts.UnitEN) {
			t.UnitEN = "%"
		}
	} else if b.ok(&ts.Unit) && ts.Unit != "%" {
		b.errorf(b.node(&ts.Unit), "a growth target's unit must be \"%%\" (a year-on-year rate), got %q", ts.Unit)
	}
}

// coAgencies checks the co-responsible agencies: known, not the lead
// agency, each once; it returns them sorted.
func (b *builder) coAgencies(ts *TargetSpec) []string {
	seen := make(map[string]bool, len(ts.CoAgencies))
	out := make([]string, 0, len(ts.CoAgencies))
	for i := range ts.CoAgencies {
		id := ts.CoAgencies[i]
		n := b.node(&ts.CoAgencies[i], &ts.CoAgencies)
		switch {
		case !b.agencyIDs[id]:
			b.errorf(n, "unknown co-agency %q: not in agencies", id)
		case id == ts.Agency:
			b.errorf(n, "co-agency %q is the lead agency: list it once, as agency", id)
		case seen[id]:
			b.errorf(n, "co-agency %q is listed twice", id)
		default:
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// milestoneDefaults fills what a milestone may leave out.
func (b *builder) milestoneDefaults(ts *TargetSpec, t *plan.Target) {
	if !b.has(&ts.Direction) {
		t.Direction = plan.Complete
	}
	if !b.has(&ts.Aggregation) {
		t.Aggregation = plan.Max
	}
	if !b.has(&ts.Goal) {
		t.Goal = 1
	}
	if !b.has(&ts.Unit) {
		t.Unit = milestoneUnit
	}
	if !b.has(&ts.UnitEN) {
		t.UnitEN = milestoneUnitEN
	}
}

// direction checks the direction and says whether it is a known one.
func (b *builder) direction(ts *TargetSpec, milestone, quantity bool) bool {
	if !b.has(&ts.Direction) {
		if !milestone {
			b.errorf(b.node(ts), "missing direction")
		}
		return milestone
	}
	if !b.ok(&ts.Direction) {
		return false
	}
	n := b.node(&ts.Direction)
	d := plan.Direction(ts.Direction)
	switch {
	case !valid(plan.Directions, ts.Direction):
		b.errorf(n, "unknown direction %q (want %s)", ts.Direction, oneOf(plan.Directions))
		return false
	case milestone && d != plan.Complete:
		b.errorf(n, "a milestone's direction must be complete, got %s", d)
	case quantity && d == plan.Complete:
		b.errorf(n, "direction complete is for milestones only: want at_least, at_most or zero_growth")
	}
	return true
}

// aggregation checks the aggregation and says whether it is a known one.
func (b *builder) aggregation(ts *TargetSpec, milestone, quantity bool) bool {
	if !b.has(&ts.Aggregation) {
		if !milestone {
			b.errorf(b.node(ts), "missing aggregation")
		}
		return milestone
	}
	if !b.ok(&ts.Aggregation) {
		return false
	}
	n := b.node(&ts.Aggregation)
	a := plan.Aggregation(ts.Aggregation)
	if !valid(plan.Aggregations, ts.Aggregation) {
		b.errorf(n, "unknown aggregation %q (want %s)", ts.Aggregation, oneOf(plan.Aggregations))
		return false
	}
	if milestone && a != plan.Max && a != plan.Last {
		b.errorf(n, "a milestone's aggregation must be max or last, got %s", a)
	}
	return true
}

// quote checks the quote against the source document: verbatim, and in the
// item the target claims when the document has that item's heading. The
// item's own text is searched first, so a plan of many targets is not
// searched end to end once per target.
func (b *builder) quote(ts *TargetSpec) {
	src := b.source
	if src == nil {
		return
	}
	n := b.node(&ts.Quote)
	itemOK := b.ok(&ts.Item) && itemPattern.MatchString(ts.Item) && len(src.items) > 0
	text, hasHeading := src.items[ts.Item]
	if itemOK && hasHeading && strings.Contains(text, ts.Quote) {
		return
	}
	if !strings.Contains(src.text, ts.Quote) {
		b.errorf(n, "quote does not appear verbatim in %s", b.f.Source)
		return
	}
	switch {
	case !itemOK:
	case !hasHeading:
		b.errorf(b.node(&ts.Item), "item %s has no heading in %s", ts.Item, b.f.Source)
	case src.itemOf(ts.Quote) != "":
		b.errorf(n, "quote is in item %s of %s, not in item %s", src.itemOf(ts.Quote), b.f.Source, ts.Item)
	default:
		b.errorf(n, "quote is not within item %s of %s", ts.Item, b.f.Source)
	}
}

// trajectory checks the planned path: months inside the plan and in order,
// values within the unit's range, and never falling for a sum.
func (b *builder) trajectory(ts *TargetSpec, t *plan.Target, milestone, aggOK, percent, period bool) []plan.Point {
	if milestone {
		b.errorf(b.node(&ts.Trajectory), "a milestone takes no trajectory")
		return nil
	}
	var out []plan.Point
	var prev *TrajectoryPoint
	for i := range ts.Trajectory {
		tp := &ts.Trajectory[i]
		mn := b.node(&tp.Month)
		m, err := plan.ParsePeriod(tp.Month)
		if err != nil {
			b.errorf(mn, "trajectory month %q: want YYYY-MM", tp.Month)
			continue
		}
		if period && (m.Before(b.p.FirstPeriod()) || b.p.LastPeriod().Before(m)) {
			b.errorf(mn, "trajectory month %s is outside the plan (%s..%s)", tp.Month, b.p.FirstPeriod(), b.p.LastPeriod())
			continue
		}
		if len(out) > 0 && !out[len(out)-1].Period.Before(m) {
			b.errorf(mn, "trajectory month %s does not come after %s", tp.Month, out[len(out)-1].Period)
			continue
		}
		if !b.ok(&tp.Value) {
			continue
		}
		vn := b.node(&tp.Value)
		switch {
		case tooBig(tp.Value):
			b.errorf(vn, "trajectory value must be at most %s, got %s", plan.FormatNumber(plan.MaxFigure), plan.FormatNumber(tp.Value))
		case tp.Value < 0:
			b.errorf(vn, "trajectory value must not be negative, got %s", plan.FormatNumber(tp.Value))
		case percent && tp.Value > 100:
			b.errorf(vn, "a percentage trajectory value must be within 0..100, got %s", plan.FormatNumber(tp.Value))
		case aggOK && t.Aggregation == plan.Sum && prev != nil && tp.Value < prev.Value:
			b.errorf(vn, "trajectory of a sum target must not decrease: %s at %s is below %s at %s",
				plan.FormatNumber(tp.Value), tp.Month, plan.FormatNumber(prev.Value), prev.Month)
		}
		out = append(out, plan.Point{Period: m, Value: tp.Value})
		prev = tp
	}
	return out
}
