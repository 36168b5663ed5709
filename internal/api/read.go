package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// TargetJSON is a target with its current progress, as GET /targets and
// /targets/{id} return it. Optional figures are null when unknown (nothing
// reported, or a zero goal), never 0.
type TargetJSON struct {
	ID          string   `json:"id"`
	Plan        string   `json:"plan"`
	Item        string   `json:"item"`
	Title       string   `json:"title"`
	TitleEN     string   `json:"title_en,omitempty"`
	Agency      string   `json:"agency"`
	Kind        string   `json:"kind"`
	Direction   string   `json:"direction"`
	Aggregation string   `json:"aggregation"`
	Unit        string   `json:"unit"`
	Goal        float64  `json:"goal"`
	Approximate bool     `json:"approximate"`
	Due         string   `json:"due"`
	Deadline    string   `json:"deadline"`
	Evaluated   string   `json:"evaluated,omitempty"`
	Actual      *float64 `json:"actual"`
	Expected    float64  `json:"expected"`
	Projected   *float64 `json:"projected"`
	Progress    *float64 `json:"progress_ratio"`
	ExpectedR   *float64 `json:"expected_ratio"`
	Status      string   `json:"status"`
	Missing     []string `json:"missing"`
	LastReport  *string  `json:"last_report"`
	Corrections int      `json:"corrections"`
}

// TargetsJSON is the answer of GET /targets.
type TargetsJSON struct {
	AsOf    string       `json:"as_of"`
	Version uint64       `json:"version"`
	Targets []TargetJSON `json:"targets"`
}

func (s *server) targetJSON(g *plan.Progress) TargetJSON {
	t := g.Target
	loc := g.Plan.Location
	j := TargetJSON{
		ID: t.ID, Plan: g.Plan.ID, Item: t.Item, Title: t.Title, TitleEN: t.TitleEN, Agency: t.Agency,
		Kind: string(t.Kind), Direction: string(t.Direction), Aggregation: string(t.Aggregation),
		Unit: t.Unit, Goal: t.Goal, Approximate: t.Approximate,
		Due: t.Due.In(loc).Format(time.DateOnly), Expected: g.Expected, Status: string(g.Status),
		Missing: periods(g.Missing), Corrections: g.Corrections,
	}
	if !g.Deadline.IsZero() {
		j.Deadline = g.Deadline.In(loc).Format(time.RFC3339)
	}
	if !g.Evaluated.IsZero() {
		j.Evaluated = g.Evaluated.String()
	}
	if g.HasActual {
		j.Actual = ptr(g.Actual)
	}
	if g.HasProjected {
		j.Projected = ptr(g.Projected)
	}
	if r, ok := g.ProgressRatio(); ok {
		j.Progress = ptr(r)
	}
	if r, ok := g.ExpectedRatio(); ok {
		j.ExpectedR = ptr(r)
	}
	if !g.LastReport.IsZero() {
		j.LastReport = ptr(g.LastReport.In(loc).Format(time.RFC3339))
	}
	return j
}

func ptr[T any](v T) *T { return &v }

func periods(ps []plan.Period) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// asOf is the snapshot's moment in the time zone of its first plan.
func (s *server) asOf(snap *plan.Snapshot) string {
	return snap.AsOf.In(snap.Plan.Location).Format(time.RFC3339)
}

// planFilter reads ?plan=ID: the targets of that plan, or of every plan
// without the parameter. An unknown plan is 404 naming the parameter.
func planFilter(r *http.Request, snap *plan.Snapshot) ([]*plan.Progress, error) {
	if !r.URL.Query().Has("plan") {
		return snap.Targets, nil
	}
	id := r.URL.Query().Get("plan")
	targets, ok := snap.PlanTargets(id)
	if !ok {
		return nil, plan.Errorf(plan.KindNotFound, "plan", "unknown plan %q", plan.Clip(id, 60))
	}
	return targets, nil
}

func (s *server) listTargets(w http.ResponseWriter, r *http.Request) {
	snap := s.progress.Snapshot()
	targets, err := planFilter(r, snap)
	if err != nil {
		writeProblem(w, r, s.log, err)
		return
	}
	out := TargetsJSON{AsOf: s.asOf(snap), Version: snap.Version, Targets: make([]TargetJSON, 0, len(targets))}
	for _, g := range targets {
		out.Targets = append(out.Targets, s.targetJSON(g))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// PlanJSON is one plan as GET /plans lists it.
type PlanJSON struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	TitleEN  string `json:"title_en,omitempty"`
	Timezone string `json:"timezone"`
	Start    string `json:"start"`
	End      string `json:"end"`
	DueDay   int    `json:"due_day"`
	Targets  int    `json:"targets"`
	Agencies int    `json:"agencies"`
}

// PlansJSON is the answer of GET /plans: the plans served, in the order
// of the --targets flags.
type PlansJSON struct {
	AsOf    string     `json:"as_of"`
	Version uint64     `json:"version"`
	Plans   []PlanJSON `json:"plans"`
}

func (s *server) listPlans(w http.ResponseWriter, r *http.Request) {
	snap := s.progress.Snapshot()
	out := PlansJSON{AsOf: s.asOf(snap), Version: snap.Version, Plans: make([]PlanJSON, 0, len(snap.Plans))}
	for _, p := range snap.Plans {
		out.Plans = append(out.Plans, PlanJSON{
			ID: p.ID, Title: p.Title, TitleEN: p.TitleEN, Timezone: p.Timezone,
			Start: p.Start.Format(time.DateOnly), End: p.End.Format(time.DateOnly), DueDay: p.DueDay,
			Targets: len(p.Targets), Agencies: len(p.Agencies),
		})
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

func (s *server) getTarget(w http.ResponseWriter, r *http.Request) {
	snap := s.progress.Snapshot()
	g, ok := snap.Target(r.PathValue("id"))
	if !ok {
		writeProblem(w, r, s.log, plan.Errorf(plan.KindNotFound, "id", "unknown target %q", plan.Clip(r.PathValue("id"), 60)))
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.targetJSON(g))
}

// RevisionJSON is one revision in a period's history.
type RevisionJSON struct {
	Revision  int       `json:"revision"`
	Value     float64   `json:"value"`
	Note      string    `json:"note"`
	Agency    string    `json:"agency"`
	TokenName string    `json:"token_name"`
	Received  time.Time `json:"received"`
}

// PeriodJSON is a period's current figure and every revision of it.
type PeriodJSON struct {
	Period    string         `json:"period"`
	Value     float64        `json:"value"`
	Revision  int            `json:"revision"`
	ETag      string         `json:"etag"`
	Revisions []RevisionJSON `json:"revisions"`
}

// ReportsJSON is the answer of GET /targets/{id}/reports.
type ReportsJSON struct {
	Target  string       `json:"target"`
	Periods []PeriodJSON `json:"periods"`
}

func (s *server) getReports(w http.ResponseWriter, r *http.Request) {
	t, tp, ok := s.target(r.PathValue("id"))
	if !ok {
		writeProblem(w, r, s.log, plan.Errorf(plan.KindNotFound, "id", "unknown target %q", plan.Clip(r.PathValue("id"), 60)))
		return
	}
	hist, err := s.store.History(r.Context(), t.ID)
	if err != nil {
		writeProblem(w, r, s.log, err)
		return
	}
	// With the clock fixed in the past, revisions received later do not
	// exist yet, as in every evaluation.
	hist = plan.KnownAt(hist, s.now())
	out := ReportsJSON{Target: t.ID, Periods: []PeriodJSON{}}
	for _, rev := range hist {
		n := len(out.Periods)
		if n == 0 || out.Periods[n-1].Period != rev.Period.String() {
			out.Periods = append(out.Periods, PeriodJSON{Period: rev.Period.String()})
			n++
		}
		p := &out.Periods[n-1]
		// The figure as stored; an infinity, which JSON cannot carry,
		// saturates.
		v := plan.Finite(rev.Value)
		p.Value, p.Revision, p.ETag = v, rev.Revision, etag(rev.Revision)
		p.Revisions = append(p.Revisions, RevisionJSON{
			Revision: rev.Revision, Value: v, Note: rev.Note, Agency: rev.Agency,
			TokenName: rev.TokenName, Received: rev.Received.In(tp.Location),
		})
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// MissingJSON is the answer of GET /agencies/{id}/missing.
type MissingJSON struct {
	Agency  string          `json:"agency"`
	AsOf    string          `json:"as_of"`
	Targets []MissingTarget `json:"targets"`
}

// MissingTarget lists one target's periods that are due and unreported.
// Role is "lead" for the agency's own targets, whose missing months are
// its overdue reports, and "co" for targets it supports as a co-agency,
// listed after them so it sees what its lead still owes.
type MissingTarget struct {
	Target  string   `json:"target"`
	Item    string   `json:"item"`
	Title   string   `json:"title"`
	Role    string   `json:"role"`
	Missing []string `json:"missing"`
}

func (s *server) getMissing(w http.ResponseWriter, r *http.Request) {
	snap := s.progress.Snapshot()
	a, ok := snap.Agency(r.PathValue("id"))
	if !ok {
		writeProblem(w, r, s.log, plan.Errorf(plan.KindNotFound, "id", "unknown agency %q", plan.Clip(r.PathValue("id"), 60)))
		return
	}
	out := MissingJSON{Agency: a.ID, AsOf: s.asOf(snap), Targets: []MissingTarget{}}
	var co []MissingTarget
	for _, g := range snap.Targets {
		t := g.Target
		row := MissingTarget{Target: t.ID, Item: t.Item, Title: t.Title, Role: "lead", Missing: periods(g.Missing)}
		switch {
		case t.Agency == a.ID:
			out.Targets = append(out.Targets, row)
		case t.HasCoAgency(a.ID):
			row.Role = "co"
			co = append(co, row)
		}
	}
	out.Targets = append(out.Targets, co...)
	s.writeJSON(w, r, http.StatusOK, out)
}

// ReloadAnswer is the answer of a successful POST /-/reload: the plans
// now served.
type ReloadAnswer struct {
	Plans   []string `json:"plans"`
	Targets int      `json:"targets"`
}

// reload re-reads the plans for an administrator. A reload that fails
// changes nothing and is 422 with one item per problem (FILE:LINE:COL:
// message), the same lines the log shows.
func (s *server) reload(w http.ResponseWriter, r *http.Request) {
	if who := principal(r); who.Role != plan.RoleAdmin {
		writeProblem(w, r, s.log, plan.Errorf(plan.KindForbidden, "Authorization", "only an administrator token may reload the plans"))
		return
	}
	if err := s.reloadPlans(r.Context()); err != nil {
		var items multiError
		for _, line := range strings.Split(err.Error(), "\n") {
			items = append(items, plan.Errorf(plan.KindInvalid, "targets", "%s", line))
		}
		writeProblem(w, r, s.log, items.asError())
		return
	}
	snap := s.progress.Snapshot()
	out := ReloadAnswer{Targets: len(snap.Targets), Plans: []string{}}
	for _, p := range snap.Plans {
		out.Plans = append(out.Plans, p.ID)
	}
	s.writeJSON(w, r, http.StatusOK, out)
}
