package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

type fact struct {
	Label, Value string
}

type revRow struct {
	Period    string
	Span      int // rows the period cell spans; 0 on continuation rows
	Revision  int
	Value     string
	Note      string
	Who       string
	When      string
	Current   bool
	Missing   bool
	NotDueYet bool
}

type targetData struct {
	Card      card
	Item      string
	Quote     string
	PlanTitle string
	Facts     []fact
	Chart     *chart
	Rows      []revRow
	BackURL   string
}

func (h *Handler) target(w http.ResponseWriter, r *http.Request, v *view) {
	s := h.cfg.Snapshots.Snapshot()
	g, ok := s.Target(r.PathValue("id"))
	if !ok {
		h.fail(w, r, http.StatusNotFound, "")
		return
	}
	// The page is the target's plan's: its title, zone and months.
	if len(s.Plans) > 1 {
		s, _ = s.Only(g.Plan.ID)
		v.plan = g.Plan.ID
	}
	h.fillHeader(v, s)
	t := g.Target
	revs, err := h.cfg.History.History(r.Context(), t.ID)
	if err != nil {
		h.log.ErrorContext(r.Context(), "read history", "target", t.ID, "err", err)
		h.fail(w, r, http.StatusInternalServerError, "")
		return
	}
	// The page shows the history as it stood at the snapshot's instant:
	// what was received later does not exist yet.
	revs = plan.KnownAt(revs, s.AsOf)
	loc := s.Plan.Location
	if loc == nil {
		loc = time.UTC
	}
	c := newCard(v, s, g)
	unit := report.Unit(t, v.Lang)
	d := targetData{
		Card: c, Item: fmt.Sprintf(v.T["item"], t.Item), Quote: t.Quote,
		PlanTitle: v.PlanName, BackURL: v.Link("/"),
	}
	d.Facts = []fact{
		{v.T["agency"], c.Agency},
		{v.T["goal"], c.Goal},
		{v.T["actual"], c.Actual},
	}
	if !c.Milestone {
		d.Facts = append(d.Facts, fact{v.T["expected"], c.Expected})
		if pts, ok := g.GapPoints(); ok {
			d.Facts = append(d.Facts, fact{v.T["gap_goal"], signed(pts) + " " + v.T["points"]})
		} else if g.HasActual {
			d.Facts = append(d.Facts, fact{v.T["gap"], withUnit(signed(g.Actual-g.Expected), unit)})
		}
		if g.HasProjected {
			d.Facts = append(d.Facts, fact{v.T["projection"], withUnit(report.Number(g.Projected), unit)})
		}
	}
	d.Facts = append(d.Facts,
		fact{v.T["deadline"], g.Deadline.In(loc).Format("2006-01-02")},
		fact{v.T["months_missing"], strconv.Itoa(len(g.Missing))},
		fact{v.T["last_report"], c.LastReport},
		fact{v.T["corrections"], strconv.Itoa(g.Corrections)},
	)
	d.Rows = revisionRows(v, s.Plan, g, revs, loc)
	d.Chart = newChart(v, s, g, revs, h.cfg.Evaluate)
	v.Title = c.Item + " " + c.Title
	h.render(w, r, http.StatusOK, "target", v, d)
}

// revisionRows lists every reporting month up to the last evaluated one (and
// any later month already reported) with all its revisions, newest month
// first, the way a clerk looks for what changed lately.
func revisionRows(v *view, p *plan.Plan, g *plan.Progress, revs []plan.Report, loc *time.Location) []revRow {
	byPeriod := map[plan.Period][]plan.Report{}
	for _, rv := range revs {
		byPeriod[rv.Period] = append(byPeriod[rv.Period], rv)
	}
	last := p.FirstPeriod().Prev()
	if !g.Evaluated.IsZero() {
		last = g.Evaluated
	}
	for m := range byPeriod {
		if last.Before(m) {
			last = m
		}
	}
	var rows []revRow
	for m := last; !m.Before(p.FirstPeriod()); m = m.Prev() {
		rs := byPeriod[m]
		if len(rs) == 0 {
			missing := slices.Contains(g.Missing, m)
			rows = append(rows, revRow{Period: m.String(), Span: 1, Missing: missing, NotDueYet: !missing && (g.Evaluated.IsZero() || g.Evaluated.Before(m))})
			continue
		}
		slices.SortStableFunc(rs, func(a, b plan.Report) int { return a.Revision - b.Revision })
		for i, rv := range rs {
			row := revRow{
				Period: m.String(), Revision: rv.Revision, Value: valueText(v, g.Target, rv.Value),
				Note: rv.Note, Who: rv.TokenName, Current: i == len(rs)-1,
			}
			if rv.Agency != "" {
				row.Who = fmt.Sprintf("%s (%s)", rv.TokenName, report.AgencyName(p, rv.Agency, v.Lang))
			}
			if !rv.Received.IsZero() {
				row.When = rv.Received.In(loc).Format("2006-01-02 15:04")
			}
			if i == 0 {
				row.Span = len(rs)
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func valueText(v *view, t *plan.Target, x float64) string {
	if t.Kind == plan.Milestone {
		if x >= 1 {
			return v.T["milestone_done"]
		}
		return v.T["milestone_open"]
	}
	return withUnit(plan.FormatNumber(plan.Finite(x)), report.Unit(t, v.Lang))
}

// chart is an inline SVG line chart of one target over the plan's months.
type chart struct {
	W, H                   int
	X0, Y0, X1, Y1         float64 // plot area: left, top, right, bottom
	XTicks, YTicks         []tick
	Actual, Expected, Proj string // polyline points
	Dots                   []point
	GoalY                  float64
	ShowGoal               bool
	Title, Desc            string
	Legend                 []legend
}

type tick struct {
	X, Y  float64
	Label string
}

type point struct {
	X, Y  float64
	Label string
}

type legend struct {
	X     float64
	Class string
	Text  string
}

// newChart evaluates the target at the due date of each month, so each
// point is what the page showed then (with today's corrections applied).
func newChart(v *view, s *plan.Snapshot, g *plan.Progress, revs []plan.Report, eval EvaluateFunc) *chart {
	p, t := s.Plan, g.Target
	months := p.Periods()
	if dp := t.DuePeriod(); !dp.IsZero() {
		for len(months) > 0 && dp.Before(months[len(months)-1]) {
			months = months[:len(months)-1]
		}
	}
	if len(months) == 0 {
		return nil
	}
	type sample struct {
		actual, expected float64
		hasActual        bool
	}
	samples := make([]sample, len(months))
	evaluated := -1
	top, bottom := t.Goal, t.Goal
	for i, m := range months {
		var upto []plan.Report
		for _, rv := range revs {
			if !m.Before(rv.Period) {
				rv.Received = time.Time{} // known: filtered by the caller
				upto = append(upto, rv)
			}
		}
		// One hour after the month's report fell due: the month is
		// evaluated whatever the engine does at the exact boundary. Each
		// month is drawn from the figures known at the page's instant,
		// late ones and corrections included, not from what had arrived
		// by that month's due date.
		pr := eval(p, t, upto, p.DueAt(m).Add(time.Hour))
		samples[i] = sample{actual: pr.Actual, expected: pr.Expected, hasActual: pr.HasActual}
		if !g.Evaluated.IsZero() && !g.Evaluated.Before(m) {
			evaluated = i
			if pr.HasActual {
				top = max(top, pr.Actual)
				bottom = min(bottom, pr.Actual)
			}
		}
		top = max(top, pr.Expected)
	}
	if g.HasProjected {
		top = max(top, g.Projected)
	}
	top = niceCeil(top * 1.05)
	if top <= 0 {
		top = 1
	}
	// A daily rate moves a few percent around its cap or floor: an axis
	// from zero would flatten it into a line. Counts and levels start at
	// zero, where their story starts.
	low := 0.0
	if t.Aggregation == plan.Mean && t.Kind == plan.Quantity && bottom > 0 {
		step := niceCeil((top - bottom) / 2)
		low = math.Floor(bottom*0.95/step) * step
		if low >= bottom || low < 0 {
			low = 0
		}
	}

	c := &chart{W: 720, H: 320, X0: 64, Y0: 36, X1: 704, Y1: 280,
		Title: v.T["chart"], Desc: v.T["chart_desc"], ShowGoal: t.Kind != plan.Milestone}
	n := float64(len(months))
	x := func(i int) float64 { return round1(c.X0 + (float64(i)+0.5)/n*(c.X1-c.X0)) }
	y := func(val float64) float64 { return round1(c.Y1 - (val-low)/(top-low)*(c.Y1-c.Y0)) }
	unit := report.Unit(t, v.Lang)
	for i, m := range months {
		label := strconv.Itoa(int(m.Month)) + "月"
		if v.Lang == report.English {
			label = m.Month.String()[:3]
		}
		c.XTicks = append(c.XTicks, tick{X: x(i), Y: c.Y1 + 18, Label: label})
	}
	for k := 0; k <= 4; k++ {
		val := low + (top-low)*float64(k)/4
		c.YTicks = append(c.YTicks, tick{X: c.X0 - 8, Y: y(val), Label: report.Number(val)})
	}
	c.GoalY = y(t.Goal)
	var exp, act []string
	for i, sm := range samples {
		exp = append(exp, pt(x(i), y(sm.expected)))
		if i <= evaluated && sm.hasActual {
			act = append(act, pt(x(i), y(sm.actual)))
			c.Dots = append(c.Dots, point{X: x(i), Y: y(sm.actual), Label: months[i].String() + ": " + withUnit(report.Number(sm.actual), unit)})
		}
	}
	c.Expected = join(exp)
	c.Actual = join(act)
	if g.HasProjected && evaluated >= 0 && evaluated < len(months)-1 && samples[evaluated].hasActual {
		c.Proj = join([]string{pt(x(evaluated), y(samples[evaluated].actual)), pt(x(len(months)-1), y(g.Projected))})
	}
	c.Legend = []legend{
		{X: c.X0, Class: "actual", Text: v.T["legend_actual"]},
		{X: c.X0 + 130, Class: "expected", Text: v.T["legend_expected"]},
		{X: c.X0 + 260, Class: "goal", Text: v.T["legend_goal"]},
		{X: c.X0 + 390, Class: "projection", Text: v.T["legend_projection"]},
	}
	return c
}

func pt(x, y float64) string {
	return strconv.FormatFloat(x, 'f', -1, 64) + "," + strconv.FormatFloat(y, 'f', -1, 64)
}

func join(ps []string) string {
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += " "
		}
		out += p
	}
	return out
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// niceCeil rounds up to 1, 2, 2.5 or 5 times a power of ten so the axis
// ticks are round numbers.
func niceCeil(x float64) float64 {
	if x <= 0 {
		return 0
	}
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if x <= f*e {
			return f * e
		}
	}
	return 10 * e
}

// signed writes a difference with its sign, + included.
func signed(x float64) string {
	if x > 0 {
		return "+" + report.Number(x)
	}
	return report.Number(x)
}
