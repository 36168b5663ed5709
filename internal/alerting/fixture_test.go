package alerting

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// The fixture plan (testdata/targets.yaml) replayed as of fixtureAsOf, with
// fixtureFigures submitted, puts every target in the state fixtureStates
// lists; the end-to-end test submits fixtureCorrection later on. The
// comments in targets.yaml give the arithmetic.
const (
	fixturePath = "internal/alerting/testdata/targets.yaml"
	// fixtureAsOf: the reports for January to June 2019 are due.
	fixtureAsOf = "2019-07-15"
	// The two agencies of the fixture, with ids the repo's
	// alertmanager.yml routes.
	water       = "water-affairs"
	landscaping = "landscaping"
)

// figure is one month's figure as submitted through the API.
type figure struct {
	target, period string
	value          float64
}

// monthly gives target's figures for consecutive months from January 2019.
func monthly(target string, values ...float64) []figure {
	var out []figure
	p := plan.Period{Year: 2019, Month: time.January}
	for _, v := range values {
		out = append(out, figure{target, p.String(), v})
		p = p.Next()
	}
	return out
}

var fixtureFigures = concat(
	monthly("inferior-water-bodies-eliminated", 28, 28, 28, 28, 28, 28),
	monthly("sewer-pipes-built", 0.5, 0.5, 0.5, 0.5, 0.5, 0.5),
	monthly("sludge-project-started", 0, 0, 0),
	monthly("resource-reuse-started", 0, 0, 0, 0, 0, 0),
	monthly("dry-waste-daily", 1800, 1800, 1800, 1800, 1800, 1800),
	monthly("sorting-compliance-share", 45, 50, 58),
	monthly("timed-collection-share", 20, 22, 25, 27, 29, 32),
	monthly("recycling-points-built", 30, 30, 30, 30, 30, 24),
)

// fixtureCorrection turns recycling-points-built from at risk to off track.
var fixtureCorrection = figure{"recycling-points-built", "2019-06", 0}

func concat(lists ...[]figure) []figure {
	var out []figure
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// fixtureStates is where each target stands after fixtureFigures.
var fixtureStates = []struct {
	target  string
	status  plan.Status
	missing int
}{
	{"inferior-water-bodies-eliminated", plan.OnTrack, 0},
	{"sewer-pipes-built", plan.OffTrack, 0},
	{"sludge-project-started", plan.Missed, 0},
	{"resource-reuse-started", plan.OnTrack, 0},
	{"dry-waste-daily", plan.Breached, 0},
	{"sorting-compliance-share", plan.OnTrack, 3},
	{"timed-collection-share", plan.Achieved, 0},
	{"recycling-points-built", plan.AtRisk, 0},
}

// healthyTargets must never raise an alert.
var healthyTargets = []string{"inferior-water-bodies-eliminated", "resource-reuse-started", "timed-collection-share"}

func loadFixture(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), fixturePath))
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	return p
}

// The end-to-end test trusts the fixture to produce these states; this
// test says so directly (through plan.Evaluate, the progress semantics the
// service uses) when a change of semantics breaks that trust, instead of
// leaving the end-to-end test to time out waiting for alerts.
func TestFixturePutsEachTargetInItsState(t *testing.T) {
	p := loadFixture(t)
	day, err := time.ParseInLocation("2006-01-02", fixtureAsOf, p.Location)
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2019, time.July, 12, 9, 0, 0, 0, p.Location)
	reports := map[string][]plan.Report{}
	for _, f := range fixtureFigures {
		per, err := plan.ParsePeriod(f.period)
		if err != nil {
			t.Fatal(err)
		}
		tg, ok := p.Target(f.target)
		if !ok {
			t.Fatalf("figure for %s: no such target in the fixture", f.target)
		}
		reports[f.target] = append(reports[f.target], plan.Report{Target: f.target, Period: per, Value: f.value, Revision: 1, Agency: tg.Agency, Received: received})
	}
	if len(fixtureStates) != len(p.Targets) {
		t.Errorf("fixtureStates covers %d targets, the fixture has %d", len(fixtureStates), len(p.Targets))
	}
	for _, want := range fixtureStates {
		tg, ok := p.Target(want.target)
		if !ok {
			t.Fatalf("%s: no such target in the fixture", want.target)
		}
		g := plan.Evaluate(p, tg, reports[want.target], day)
		if g.Status != want.status || len(g.Missing) != want.missing {
			t.Errorf("%s: got %s with %d months missing, want %s with %d", want.target, g.Status, len(g.Missing), want.status, want.missing)
		}
	}

	per, _ := plan.ParsePeriod(fixtureCorrection.period)
	tg, _ := p.Target(fixtureCorrection.target)
	revs := append(reports[tg.ID], plan.Report{Target: tg.ID, Period: per, Value: fixtureCorrection.value, Revision: 2, Note: "更正", Agency: tg.Agency, Received: received.Add(time.Hour)})
	if g := plan.Evaluate(p, tg, revs, day); g.Status != plan.OffTrack {
		t.Errorf("%s after the correction: got %s, want %s", tg.ID, g.Status, plan.OffTrack)
	}

	for _, a := range []string{water, landscaping} {
		if _, ok := p.Agency(a); !ok {
			t.Errorf("fixture has no agency %s", a)
		}
	}
}
