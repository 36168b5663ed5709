package demo

import (
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/store"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

func repoPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// storedRevisions reads every revision stored in the database at path.
func storedRevisions(t *testing.T, path string) []plan.Report {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	revs, err := db.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

// evaluate builds what the service would show as of asOf from the stored
// revisions.
func evaluate(t *testing.T, p *plan.Plan, path string, asOf time.Time) map[string]plan.Progress {
	t.Helper()
	by := map[string][]plan.Report{}
	for _, r := range storedRevisions(t, path) {
		by[r.Target] = append(by[r.Target], r)
	}
	out := map[string]plan.Progress{}
	for i := range p.Targets {
		tg := &p.Targets[i]
		out[tg.ID] = plan.Evaluate(p, tg, by[tg.ID], asOf)
	}
	return out
}

func TestFillTellsTheStoryAsOfMidOctober(t *testing.T) {
	p := repoPlan(t)
	path := filepath.Join(t.TempDir(), "demo.db")
	res, err := Fill(context.Background(), path, p, DefaultThrough)
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2019, 10, 15, 12, 0, 0, 0, p.Location)
	got := evaluate(t, p, path, asOf)

	counts := map[plan.Status]int{}
	for _, g := range got {
		counts[g.Status]++
	}
	t.Logf("as of %s: %v; story %+v; %d figures, %d corrections, %d tokens", asOf.Format(time.DateOnly), counts, res.Story, res.Figures, res.Changes, res.Tokens)

	for _, tc := range []struct {
		name string
		id   string
		want []plan.Status
	}{
		{"the slow count is off track", res.Story.OffTrack, []plan.Status{plan.OffTrack}},
		{"the slightly slow count is at risk", res.Story.AtRisk, []plan.Status{plan.AtRisk}},
		{"the hot summer breaches the cap", res.Story.Breached, []plan.Status{plan.Breached}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.id == "" {
				t.Fatal("got no target cast, want one")
			}
			if g := got[tc.id]; !containsStatus(tc.want, g.Status) {
				t.Errorf("%s: got %s, want %v", tc.id, g.Status, tc.want)
			}
		})
	}
	if res.Story.Milestone != "" {
		if g := got[res.Story.Milestone]; g.Status != plan.Missed && g.Status != plan.AtRisk {
			t.Errorf("milestone %s: got %s, want missed or at_risk", res.Story.Milestone, g.Status)
		}
	}
	if counts[plan.OnTrack]+counts[plan.Achieved] <= len(p.Targets)/2 {
		t.Errorf("got %d on track and %d achieved of %d, want most targets healthy", counts[plan.OnTrack], counts[plan.Achieved], len(p.Targets))
	}
	overdue := 0
	for _, g := range got {
		if len(g.Missing) > 0 {
			if g.Target.Agency != res.Story.OverdueAgency {
				t.Errorf("%s: got missing %v, want only agency %s to be overdue", g.Target.ID, g.Missing, res.Story.OverdueAgency)
			}
			overdue++
		}
	}
	if overdue == 0 {
		t.Errorf("got no overdue reports, want agency %s's", res.Story.OverdueAgency)
	}
	if got, want := res.Changes, len(res.Story.Corrected); got != want || want == 0 {
		t.Errorf("got %d corrections, want %d (and at least one)", got, want)
	}
	for _, id := range res.Story.Corrected {
		if got[id].Corrections != 1 {
			t.Errorf("%s: got %d corrections, want 1", id, got[id].Corrections)
		}
	}
}

func TestFillRefusesADatabaseWithFigures(t *testing.T) {
	p := repoPlan(t)
	path := filepath.Join(t.TempDir(), "demo.db")
	if _, err := Fill(context.Background(), path, p, DefaultThrough); err != nil {
		t.Fatal(err)
	}
	before := len(storedRevisions(t, path))
	_, err := Fill(context.Background(), path, p, DefaultThrough)
	if err == nil || !strings.Contains(err.Error(), "already holds figures") {
		t.Fatalf("got %v, want a refusal naming the non-empty database", err)
	}
	if after := len(storedRevisions(t, path)); after != before {
		t.Errorf("got %d revisions after the refusal, want %d (nothing changed)", after, before)
	}
}

func TestYearIsDeterministic(t *testing.T) {
	p := repoPlan(t)
	a, sa := Year(p, DefaultThrough)
	b, sb := Year(p, DefaultThrough)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(sa, sb) {
		t.Fatal("got two different demo years from the same plan, want the same figures")
	}
	for _, f := range a {
		if DefaultThrough.Before(f.Period) {
			t.Errorf("%s: got a figure for %s, want none after %s", f.Target, f.Period, DefaultThrough)
		}
		if !f.At.After(f.Period.End(p.Location)) {
			t.Errorf("%s %s: got commit time %s, want after the month ended", f.Target, f.Period, f.At)
		}
	}
}

func TestThroughAnEarlierMonth(t *testing.T) {
	p := repoPlan(t)
	figs, _ := Year(p, plan.Period{Year: 2019, Month: time.March})
	for _, f := range figs {
		if f.Period.Month > time.March {
			t.Fatalf("%s: got a figure for %s, want none after 2019-03", f.Target, f.Period)
		}
	}
	if len(figs) == 0 {
		t.Fatal("got no figures through March, want some")
	}
}

func containsStatus(ss []plan.Status, s plan.Status) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Every demo figure is a decimal as a bureau would type it, at most one
// decimal place: the float nearest "1.4", never 1.4000000000000001, which
// the API, the revision table and the CSV would otherwise show.
func TestFiguresHaveNoFloatNoise(t *testing.T) {
	figs, _ := Year(repoPlan(t), DefaultThrough)
	noisy := 0
	for _, f := range figs {
		// The shortest decimal that reads back as the value.
		s := strconv.FormatFloat(f.Value, 'f', -1, 64)
		if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 1 {
			noisy++
			if noisy <= 5 {
				t.Errorf("%s %s: got %s, want at most one decimal", f.Target, f.Period, s)
			}
		}
	}
	if noisy > 0 || len(figs) < 400 {
		t.Errorf("%d of %d figures have float noise, want 0 of more than 400", noisy, len(figs))
	}
}
