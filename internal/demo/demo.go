// Package demo makes a realistic, deterministic year of monthly reports for
// a plan and stores it through the store's real write path, so a fresh
// clone can show the status page, the metrics, the alerts and the
// dashboards with data that tells a story:
//
//   - most targets are on track, reported early each month by their
//     agency's demo token;
//   - one count falls well behind its schedule (off track) and one slips a
//     little (at risk);
//   - one daily-rate cap is breached by a hot summer;
//   - the milestone due first (if any is due by the last demo month) is
//     reported not done, so it is missed or at risk;
//   - one agency stops reporting after July, so its August and September
//     reports are overdue;
//   - a few figures are corrected with a reason a week after they were
//     first sent.
//
// The same plan and months always give the same figures and commit times;
// only the token secrets are random.
package demo

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/store"
)

// DefaultThrough is the last month the demo reports: the quick start shows
// the plan as of mid-October 2019.
var DefaultThrough = plan.Period{Year: 2019, Month: time.September}

// Figure is one figure of the demo year: what an agency sent, and when.
type Figure struct {
	Agency string
	Target string
	Period plan.Period
	Value  float64
	Note   string
	At     time.Time // commit time, in the plan's time zone
}

// Story says which targets the demo made slip, so tests and people can
// check the page against it. Empty fields mean the plan had no target of
// the right shape.
type Story struct {
	OffTrack      string   // target reported at about three quarters of its pace
	AtRisk        string   // target reported slightly behind
	Breached      string   // cap exceeded over the summer
	Milestone     string   // milestone due within the demo months, reported not done
	OverdueAgency string   // agency that stopped reporting after July
	Corrected     []string // targets with a corrected figure
}

// Year computes the demo figures for p from its first month through
// through, in commit order.
func Year(p *plan.Plan, through plan.Period) ([]Figure, Story) {
	g := newGenerator(p, through)
	return g.figures(), g.story
}

type generator struct {
	p       *plan.Plan
	through plan.Period
	months  []plan.Period
	story   Story
	roles   map[string]string // target id → role in the story
}

const (
	roleOffTrack  = "off_track"
	roleAtRisk    = "at_risk"
	roleBreached  = "breached"
	roleMilestone = "milestone"
)

func newGenerator(p *plan.Plan, through plan.Period) *generator {
	g := &generator{p: p, through: through, roles: map[string]string{}}
	for _, m := range p.Periods() {
		if !through.Before(m) {
			g.months = append(g.months, m)
		}
	}
	g.cast()
	return g
}

// cast picks the targets that slip: a preferred one where the repo's plan
// has it, else the first of the right shape in plan order, so any plan
// gets a story.
func (g *generator) cast() {
	pickTarget := func(role string, prefer []string, ok func(t *plan.Target) bool) string {
		for _, id := range prefer {
			if t, found := g.p.Target(id); found && ok(t) && g.roles[id] == "" {
				g.roles[id] = role
				return id
			}
		}
		for i := range g.p.Targets {
			t := &g.p.Targets[i]
			if ok(t) && g.roles[t.ID] == "" {
				g.roles[t.ID] = role
				return t.ID
			}
		}
		return ""
	}
	countUp := func(t *plan.Target) bool {
		return t.Kind == plan.Quantity && t.Direction == plan.AtLeast && t.Aggregation == plan.Sum && t.Goal > 0 && !t.Approximate
	}
	g.story.Breached = pickTarget(roleBreached, []string{"dry-waste-daily"}, func(t *plan.Target) bool {
		return t.Kind == plan.Quantity && t.Direction == plan.AtMost && t.Goal > 0 && t.Aggregation == plan.Mean
	})
	if g.story.Breached == "" {
		g.story.Breached = pickTarget(roleBreached, nil, func(t *plan.Target) bool {
			return t.Kind == plan.Quantity && t.Direction == plan.AtMost && t.Goal > 0
		})
	}
	g.story.OffTrack = pickTarget(roleOffTrack, []string{"inferior-firms-phased-out"}, countUp)
	g.story.AtRisk = pickTarget(roleAtRisk, []string{"recycling-points-built"}, countUp)

	// The milestone due first, if the demo months reach within 30 days of
	// its due date (the engine's at-risk window).
	var first *plan.Target
	for i := range g.p.Targets {
		t := &g.p.Targets[i]
		if t.Kind == plan.Milestone && (first == nil || t.Due.Before(first.Due)) {
			first = t
		}
	}
	if first != nil && len(g.months) > 0 && first.Due.Before(g.months[len(g.months)-1].End(g.p.Location).AddDate(0, 1, 30)) {
		g.roles[first.ID] = roleMilestone
		g.story.Milestone = first.ID
	}

	// The agency that stops reporting: preferably one whose targets play
	// no other part, so its overdue months are the only thing wrong.
	busy := map[string]bool{}
	for id := range g.roles {
		t, _ := g.p.Target(id)
		busy[t.Agency] = true
	}
	for _, id := range []string{"civil-affairs"} {
		if _, ok := g.p.Agency(id); ok && !busy[id] && g.hasTargets(id) {
			g.story.OverdueAgency = id
			break
		}
	}
	if g.story.OverdueAgency == "" {
		for _, a := range g.p.Agencies {
			if !busy[a.ID] && g.hasTargets(a.ID) {
				g.story.OverdueAgency = a.ID
				break
			}
		}
	}

	// Corrections: the first three plain count targets not in the story.
	for i := range g.p.Targets {
		t := &g.p.Targets[i]
		if len(g.story.Corrected) < 3 && countUp(t) && g.roles[t.ID] == "" && t.Agency != g.story.OverdueAgency {
			g.story.Corrected = append(g.story.Corrected, t.ID)
		}
	}
}

func (g *generator) hasTargets(agency string) bool {
	return slices.ContainsFunc(g.p.Targets, func(t plan.Target) bool { return t.Agency == agency })
}

// noise is a deterministic number in [0, 1) for a key.
func noise(parts ...string) float64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	// FNV alone barely changes its high bits when only the last byte
	// differs, so mix it (the splitmix64 finaliser).
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// lastReported is the last month an agency reports.
func (g *generator) lastReported(agency string) plan.Period {
	if agency == g.story.OverdueAgency && len(g.months) > 2 {
		return g.months[len(g.months)-3]
	}
	if len(g.months) == 0 {
		return plan.Period{}
	}
	return g.months[len(g.months)-1]
}

// submittedAt is when an agency sends a month's figures: a working morning
// or afternoon between the 2nd and the 8th of the next month, before the
// 10th when they are due.
func (g *generator) submittedAt(agency string, m plan.Period) time.Time {
	n := m.Next()
	day := 2 + int(noise(agency, m.String(), "day")*7)
	hour := 9 + int(noise(agency, m.String(), "hour")*8)
	minute := int(noise(agency, m.String(), "minute") * 60)
	return time.Date(n.Year, n.Month, day, hour, minute, 0, 0, g.p.Location)
}

func (g *generator) figures() []Figure {
	var out []Figure
	for i := range g.p.Targets {
		out = append(out, g.series(&g.p.Targets[i])...)
	}
	slices.SortStableFunc(out, func(a, b Figure) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Target, b.Target)
	})
	return out
}

// expected is the engine's expected value at the end of month m.
func (g *generator) expected(t *plan.Target, m plan.Period) float64 {
	return plan.Evaluate(g.p, t, nil, g.p.DueAt(m).Add(time.Hour)).Expected
}

// series makes one target's monthly figures and any correction.
func (g *generator) series(t *plan.Target) []Figure {
	last := g.lastReported(t.Agency)
	var out []Figure
	var prevLevel float64
	cum := 0.0
	due := t.DuePeriod()
	for k, m := range g.months {
		if last.Before(m) || due.Before(m) {
			break
		}
		r := noise(t.ID, m.String())
		var v float64
		switch {
		case t.Kind == plan.Milestone:
			v = g.milestone(t, m)
		case t.Direction == plan.ZeroGrowth:
			v = 0
		case t.Direction == plan.AtMost && t.Aggregation == plan.Mean:
			v = g.capRate(t, k, r)
		case t.Direction == plan.AtMost:
			// A cap on a count: spend about two thirds of the allowance.
			v = t.Goal / float64(len(g.p.Periods())) * (0.55 + 0.2*r)
		case t.Aggregation == plan.Mean:
			// A floor on a daily rate: comfortably above it.
			v = t.Goal * (1.03 + 0.09*r)
		case t.Aggregation == plan.Sum:
			target := g.expected(t, m) * g.pace(t, r)
			c := roundUp(t, target)
			if c < cum {
				c = cum
			}
			v = c - cum
			cum = c
		default: // last, max: a level moving up towards the goal
			lvl := roundUp(t, g.expected(t, m)*g.pace(t, r))
			lvl = min(max(lvl, prevLevel), t.Goal)
			if t.IsPercent() {
				lvl = min(lvl, 100)
			}
			prevLevel = lvl
			v = lvl
		}
		v = roundValue(t, v)
		f := Figure{Agency: t.Agency, Target: t.ID, Period: m, Value: v, At: g.submittedAt(t.Agency, m)}
		if t.Agency == g.story.OverdueAgency && m == last {
			// The last report it sent was already late.
			f.At = g.p.DueAt(m).AddDate(0, 0, 6).Add(10 * time.Hour)
		}
		out = append(out, f)
		if t.Kind == plan.Milestone && v == 1 {
			break // an achieved milestone owes no further reports
		}
	}
	return g.correct(t, out)
}

// pace is how far ahead of (or behind) its schedule a target runs.
func (g *generator) pace(t *plan.Target, r float64) float64 {
	switch g.roles[t.ID] {
	case roleOffTrack:
		return 0.74 + 0.04*r
	case roleAtRisk:
		return 0.94 + 0.03*r
	}
	return 1.01 + 0.08*noise(t.ID, "pace") + 0.03*r
}

// capRate: the breached cap runs hot from May, enough that the year's mean
// is over the cap; other caps stay well under it.
func (g *generator) capRate(t *plan.Target, k int, r float64) float64 {
	if g.roles[t.ID] != roleBreached {
		return t.Goal * (0.86 + 0.06*r)
	}
	season := []float64{0.975, 0.965, 0.99, 1.005, 1.025, 1.045, 1.06, 1.055, 1.035, 1.01, 0.99, 0.98}
	return t.Goal * (season[k%12] + 0.01*r)
}

// milestone: most stay "not done" until late in the year; every fourth is
// done in a month between March and September; the story's milestone is
// never done.
func (g *generator) milestone(t *plan.Target, m plan.Period) float64 {
	if g.roles[t.ID] == roleMilestone {
		return 0
	}
	if noise(t.ID, "done") < 0.25 {
		doneMonth := time.March + time.Month(noise(t.ID, "month")*7)
		if !m.Before(plan.Period{Year: m.Year, Month: doneMonth}) {
			return 1
		}
	}
	return 0
}

var corrections = []struct {
	factor float64
	note   string
}{
	{0.1, "更正: 原报数据录入时多输一位, 已与台账核对"},
	{1.25, "补报: 月底完成验收的项目漏报, 现补充计入"},
	{0.8, "更正: 剔除重复统计的项目, 以区级台账为准"},
}

// correct makes the story's corrections: the figure first sent is wrong,
// the right one follows with a reason about a week later.
func (g *generator) correct(t *plan.Target, figs []Figure) []Figure {
	i := slices.Index(g.story.Corrected, t.ID)
	if i < 0 || len(figs) < 3 {
		return figs
	}
	c := corrections[i]
	j := len(figs)/3 + i // a month early in the year, different per target
	if j >= len(figs) {
		j = len(figs) - 1
	}
	right := figs[j]
	wrong := right
	wrong.Value = roundValue(t, right.Value/c.factor)
	if wrong.Value == right.Value {
		wrong.Value = roundValue(t, right.Value+1)
	}
	right.Note = c.note
	right.At = wrong.At.AddDate(0, 0, 7)
	out := slices.Clone(figs)
	out[j] = wrong
	return append(out, right)
}

// roundUp rounds a cumulative figure up to the unit's precision, so a
// target paced at or above its schedule never falls below it by rounding.
func roundUp(t *plan.Target, x float64) float64 {
	s := step(t)
	return math.Ceil(x/s-1e-9) / (1 / s)
}

// roundValue rounds to the unit's precision. It divides the whole number
// of steps by the steps per unit (10, exact) instead of multiplying by the
// step (0.1, inexact): 14/10 is the float nearest 1.4, the way a bureau
// types it, while 14·0.1 is 1.4000000000000001.
func roundValue(t *plan.Target, x float64) float64 {
	s := step(t)
	return math.Round(x/s) / (1 / s)
}

// step is the precision a bureau reports in: whole units for counts, one
// decimal for rates, areas in 亩, lengths and percentages. 1/step is a
// whole number.
func step(t *plan.Target) float64 {
	switch {
	case t.Kind == plan.Milestone:
		return 1
	case t.IsPercent(), strings.Contains(t.Unit, "/"), t.Unit == "亩", t.Unit == "公里":
		return 0.1
	}
	return 1
}

// Result says what Fill stored.
type Result struct {
	Story   Story
	Tokens  int // demo tokens issued, one per agency that reports
	Figures int // figures created
	Changes int // corrections stored
	Through plan.Period
}

// Fill opens (creating) the database at path and stores the demo year
// through store.Submit, one batch per agency and month as a bureau's
// import would, each attributed to that agency's demo token and committed
// at the figure's own time. It refuses a database that already holds
// figures, so it never mixes demo data with real data.
func Fill(ctx context.Context, path string, p *plan.Plan, through plan.Period) (*Result, error) {
	figs, story := Year(p, through)
	var mu sync.Mutex
	now := time.Date(through.Year, through.Month, 1, 0, 0, 0, 0, p.Location)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db, err := store.Open(ctx, path, store.WithClock(clock))
	if err != nil {
		return nil, err
	}
	defer db.Close()

	n := 0
	err = db.ForEachRevision(ctx, func(plan.Report) error { n++; return errStop })
	if err != nil && err != errStop {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return nil, fmt.Errorf("%s already holds figures; the demo fills only an empty database (choose another --db)", path)
	}

	res := &Result{Story: story, Through: through}
	who := map[string]plan.Principal{}
	for _, a := range p.Agencies {
		if !slices.ContainsFunc(figs, func(f Figure) bool { return f.Agency == a.ID }) {
			continue
		}
		_, secret, err := db.IssueToken(ctx, TokenName(a.ID), a.ID, plan.RoleAgency)
		if err != nil {
			return nil, fmt.Errorf("demo: issue token for %s: %w", a.ID, err)
		}
		pr, err := db.Authenticate(ctx, secret)
		if err != nil {
			return nil, fmt.Errorf("demo: token for %s: %w", a.ID, err)
		}
		who[a.ID] = pr
		res.Tokens++
	}

	// One batch per agency and commit time, in commit order.
	for i := 0; i < len(figs); {
		j := i
		var subs []store.Submission
		for ; j < len(figs) && figs[j].Agency == figs[i].Agency && figs[j].At.Equal(figs[i].At); j++ {
			f := figs[j]
			t, _ := p.Target(f.Target)
			if err := plan.CheckValue(t, f.Value); err != nil {
				return nil, fmt.Errorf("demo: %s %s: %w", f.Target, f.Period, err)
			}
			subs = append(subs, store.Submission{Target: f.Target, Period: f.Period, Value: f.Value, Note: f.Note})
		}
		mu.Lock()
		now = figs[i].At
		mu.Unlock()
		outs, err := db.Submit(ctx, who[figs[i].Agency], subs, store.SubmitOptions{})
		if err != nil {
			return nil, fmt.Errorf("demo: store %s's figures of %s: %w", figs[i].Agency, figs[i].At.Format("2006-01-02"), err)
		}
		for _, o := range outs {
			switch o.Result {
			case store.Created:
				res.Figures++
			case store.Corrected:
				res.Changes++
			}
		}
		i = j
	}
	if err := db.Close(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return res, nil
}

var errStop = fmt.Errorf("stop")

// TokenName is the label of an agency's demo token, shown as the submitter
// in every revision history, so nobody mistakes demo figures for real ones.
func TokenName(agency string) string { return "demo-" + agency }
