package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

// StatusOverdue is the overview's extra filter value for targets with
// reports missing, whatever their status.
const StatusOverdue = "overdue"

// urgency ranks what a supervisor must look at first: broken commitments,
// then slipping ones, then missing reports, then the healthy ones.
func urgency(g *plan.Progress) int {
	switch g.Status {
	case plan.Breached:
		return 0
	case plan.OffTrack:
		return 1
	case plan.Missed:
		return 2
	case plan.AtRisk:
		return 3
	}
	if len(g.Missing) > 0 {
		return 4
	}
	switch g.Status {
	case plan.OnTrack:
		return 5
	case plan.Achieved:
		return 6
	}
	return 7
}

// compareItems orders plan item numbers naturally: 2.10 after 2.9.
func compareItems(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		if errx == nil && erry == nil {
			if c := cmp.Compare(x, y); c != 0 {
				return c
			}
			continue
		}
		if c := strings.Compare(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// sortByUrgency returns the snapshot's targets, most urgent first, in item
// order within one level.
func sortByUrgency(s *plan.Snapshot) []*plan.Progress {
	out := make([]*plan.Progress, len(s.Targets))
	for i := range s.Targets {
		out[i] = s.Targets[i]
	}
	slices.SortStableFunc(out, func(a, b *plan.Progress) int {
		if c := cmp.Compare(urgency(a), urgency(b)); c != 0 {
			return c
		}
		return compareItems(a.Target.Item, b.Target.Item)
	})
	return out
}

// card is one target on the overview.
type card struct {
	ID, Item, Title, Agency string
	Milestone               bool
	Status                  plan.Status
	StatusText              string
	Actual, Goal, Expected  string // with units
	Summary                 string
	Bar                     bar
	Missing                 int
	MissingList             string
	LastReport              string
	URL                     string
}

// bar is a progress bar: the filled share and the marker at the expected
// value, both as percentages of the bar's width.
type bar struct {
	Show           bool
	Fill, Expected float64
	Over           bool // the actual is over a cap
}

func newBar(g *plan.Progress) bar {
	t := g.Target
	if t.Goal <= 0 || t.IsGrowth() { // a share of a growth rate means nothing
		return bar{}
	}
	clip := func(x float64) float64 { return max(0, min(100, x)) }
	b := bar{Show: true, Expected: clip(g.Expected / t.Goal * 100)}
	if g.HasActual {
		b.Fill = clip(g.Actual / t.Goal * 100)
		b.Over = (t.Direction == plan.AtMost || t.Direction == plan.ZeroGrowth) && g.Actual > t.Goal
	}
	return b
}

// withUnit writes n, a figure already formatted (plan.FormatNumber for a
// figure as typed, report.Number for a computed one), with its unit.
func withUnit(n string, unit string) string {
	if unit == "" {
		return n
	}
	if unit == "%" {
		return n + "%"
	}
	return n + " " + unit
}

func newCard(v *view, s *plan.Snapshot, g *plan.Progress) card {
	t := g.Target
	unit := report.Unit(t, v.Lang)
	c := card{
		ID: t.ID, Item: t.Item, Title: report.Title(t, v.Lang),
		Agency:     report.AgencyName(s.Plan, t.Agency, v.Lang),
		Milestone:  t.Kind == plan.Milestone,
		Status:     g.Status,
		StatusText: report.StatusText(g.Status, v.Lang),
		Goal:       withUnit(plan.FormatNumber(t.Goal), unit),
		Expected:   withUnit(report.Number(g.Expected), unit),
		Actual:     "—",
		Summary:    report.Summary(g, v.Lang),
		Bar:        newBar(g),
		Missing:    len(g.Missing),
		LastReport: v.T["never"],
		URL:        v.Link("/targets/" + t.ID),
	}
	if g.HasActual {
		c.Actual = withUnit(report.Number(g.Actual), unit)
	}
	if c.Milestone {
		c.Goal, c.Expected = v.T["milestone_done"], ""
		if g.HasActual {
			c.Actual = v.T["milestone_open"]
			if g.Actual >= 1 {
				c.Actual = v.T["milestone_done"]
			}
		}
	}
	var ms []string
	for _, m := range g.Missing {
		ms = append(ms, m.String())
	}
	c.MissingList = strings.Join(ms, ", ")
	if !g.LastReport.IsZero() {
		c.LastReport = ago(s.AsOf, g.LastReport, v.Lang)
	}
	return c
}

// overdueAgency sums one agency's missing reports.
type overdueAgency struct {
	Name    string
	URL     string
	Targets int
	Months  int
	Oldest  string
}

// chip is a status filter with its count.
type chip struct {
	Status   string
	Text     string
	Count    int
	URL      string
	Selected bool
}

type option struct {
	Value, Text string
	Selected    bool
}

type overviewData struct {
	Total    int
	Chips    []chip
	Agencies []option
	Statuses []option
	Agency   string
	Status   string
	Filtered bool
	ClearURL string
	Cards    []card
	Overdue  []overdueAgency
	Assumed  bool
	// Downloads links the execution report, one link per format.
	Downloads []option
	// Template names the selected agency and links its CSV import
	// template (Value is empty when no agency is selected); Templates
	// links the template in each format, the workbook first.
	Template  option
	Templates []option
	// Plans is the plan selector, empty when one plan is served.
	Plans []option
	// Bulletin links the printable supervision bulletin ("" without one).
	Bulletin string
	// PeriodNotice says the plan period has ended or not begun at the
	// snapshot's time, and how to replay it ("" during the period).
	PeriodNotice string
}

// periodNotice is the banner of a plan viewed outside its period, the
// page's twin of serve's warning.
func periodNotice(p *plan.Plan, asOf time.Time, t map[string]string) string {
	ph := p.PhaseAt(asOf)
	key := "period_ended"
	switch ph {
	case plan.During:
		return ""
	case plan.NotBegun:
		key = "period_not_begun"
	}
	return fmt.Sprintf(t[key], p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), p.ReplayDay(ph))
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request, v *view) {
	all := h.cfg.Snapshots.Snapshot()
	s, ok := h.onePlan(w, r, v, all)
	if !ok {
		return
	}
	h.fillHeader(v, s)
	q := r.URL.Query()
	agency, status := q.Get("agency"), q.Get("status")
	if agency != "" {
		if _, ok := s.Plan.Agency(agency); !ok {
			h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("%s: %q", v.T["agency"], agency))
			return
		}
	}
	if status != "" && status != StatusOverdue && !slices.Contains(plan.Statuses, plan.Status(status)) {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("%s: %q", v.T["status"], status))
		return
	}

	d := overviewData{Total: len(s.Targets), Agency: agency, Status: status, Filtered: agency != "" || status != "", ClearURL: v.Link("/")}
	d.PeriodNotice = periodNotice(s.Plan, s.AsOf, v.T)
	counts := map[plan.Status]int{}
	overdue := 0
	for i := range s.Targets {
		counts[s.Targets[i].Status]++
		if len(s.Targets[i].Missing) > 0 {
			overdue++
		}
	}
	for _, st := range statusOrder {
		if counts[st] == 0 {
			continue
		}
		d.Chips = append(d.Chips, chip{Status: string(st), Text: report.StatusText(st, v.Lang), Count: counts[st],
			URL: v.Link("/", "agency", agency, "status", string(st)), Selected: status == string(st)})
	}
	if overdue > 0 {
		d.Chips = append(d.Chips, chip{Status: StatusOverdue, Text: v.T["overdue"], Count: overdue,
			URL: v.Link("/", "agency", agency, "status", StatusOverdue), Selected: status == StatusOverdue})
	}

	if len(all.Plans) > 1 {
		for _, p := range all.Plans {
			d.Plans = append(d.Plans, option{Value: p.ID, Text: planTitle(p, v.Lang), Selected: p == s.Plan})
		}
	}
	d.Agencies = append(d.Agencies, option{Value: "", Text: v.T["all"]})
	for _, a := range s.Plan.Agencies {
		d.Agencies = append(d.Agencies, option{Value: a.ID, Text: report.AgencyName(s.Plan, a.ID, v.Lang), Selected: a.ID == agency})
		d.Assumed = d.Assumed || a.Assumed
	}
	d.Statuses = append(d.Statuses, option{Value: "", Text: v.T["all"]})
	for _, st := range statusOrder {
		d.Statuses = append(d.Statuses, option{Value: string(st), Text: report.StatusText(st, v.Lang), Selected: string(st) == status})
	}
	d.Statuses = append(d.Statuses, option{Value: StatusOverdue, Text: v.T["overdue"], Selected: status == StatusOverdue})

	for _, g := range sortByUrgency(s) {
		if agency != "" && g.Target.Agency != agency {
			continue
		}
		if status == StatusOverdue && len(g.Missing) == 0 || status != "" && status != StatusOverdue && string(g.Status) != status {
			continue
		}
		d.Cards = append(d.Cards, newCard(v, s, g))
	}
	d.Overdue = overdueByAgency(v, s)
	// Excel first: the clerks and readers of these files work in Excel.
	for _, f := range []struct{ format, text string }{{"xlsx", "Excel (.xlsx)"}, {"csv", "CSV"}, {"md", "Markdown"}, {"json", "JSON"}} {
		d.Downloads = append(d.Downloads, option{Value: v.Link("/report/" + f.format), Text: f.text})
	}
	if h.cfg.Figures != nil {
		d.Bulletin = v.Link("/report/bulletin")
	}
	if agency != "" {
		d.Template = option{Value: v.Link("/template/" + agency), Text: report.AgencyName(s.Plan, agency, v.Lang)}
		d.Templates = []option{{Value: v.Link("/template/" + agency + ".xlsx"), Text: "Excel (.xlsx)"}, {Value: d.Template.Value, Text: "CSV"}}
	}
	v.Title = v.T["overview"]
	h.render(w, r, http.StatusOK, "overview", v, d)
}

// statusOrder lists statuses in the overview's order of urgency.
var statusOrder = []plan.Status{plan.Breached, plan.OffTrack, plan.Missed, plan.AtRisk, plan.OnTrack, plan.Achieved, plan.NoData}

func overdueByAgency(v *view, s *plan.Snapshot) []overdueAgency {
	by := map[string]*overdueAgency{}
	oldest := map[string]plan.Period{}
	var ids []string
	for i := range s.Targets {
		g := s.Targets[i]
		if len(g.Missing) == 0 {
			continue
		}
		id := g.Target.Agency
		o, ok := by[id]
		if !ok {
			o = &overdueAgency{Name: report.AgencyName(s.Plan, id, v.Lang), URL: v.Link("/", "agency", id, "status", StatusOverdue)}
			by[id] = o
			ids = append(ids, id)
		}
		o.Targets++
		o.Months += len(g.Missing)
		if m := g.Missing[0]; oldest[id].IsZero() || m.Before(oldest[id]) {
			oldest[id] = m
		}
	}
	out := make([]overdueAgency, 0, len(ids))
	for _, id := range ids {
		by[id].Oldest = oldest[id].String()
		out = append(out, *by[id])
	}
	slices.SortStableFunc(out, func(a, b overdueAgency) int { return cmp.Compare(b.Months, a.Months) })
	return out
}

// fillHeader sets what the layout shows of the plan and the snapshot.
func (h *Handler) fillHeader(v *view, s *plan.Snapshot) {
	v.PlanName = planTitle(s.Plan, v.Lang)
	loc := s.Plan.Location
	if loc == nil {
		loc = time.UTC
	}
	v.AsOf = s.AsOf.In(loc).Format("2006-01-02 15:04")
}

// planTitle is a plan's title in lang, falling back to Chinese.
func planTitle(p *plan.Plan, lang report.Lang) string {
	if lang == report.English && p.TitleEN != "" {
		return p.TitleEN
	}
	return p.Title
}
