package web

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// twoPlans serves the repository's plan with the example second plan,
// examples/city-2019.yaml (two targets), as of the fixture's moment.
func twoPlans(t *testing.T) (*Handler, *plan.Snapshot) {
	t.Helper()
	f := newFixture(t)
	city, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "examples", "city-2019.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := progress.New(progress.Config{Plans: []*plan.Plan{f.plan, city}, Now: func() time.Time { return f.snap.AsOf }})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Snapshots: tr, History: f.db, Auth: f.db})
	if err != nil {
		t.Fatal(err)
	}
	return h, tr.Snapshot()
}

// With several plans the overview shows one plan at a time, named in the
// page's title, with a selector to switch; every link keeps the plan, and
// a target's page is its own plan's.
func TestOverviewPerPlan(t *testing.T) {
	h, s := twoPlans(t)
	district, city := s.Plans[0], s.Plans[1]
	tests := []struct {
		name, target string
		title        string
		cards        int
		notTitle     string
	}{
		{"without ?plan the first plan is shown", "/", district.Title, len(district.Targets), city.Title + "</span>"},
		{"?plan= switches to the city's plan", "/?plan=city-2019", city.Title, 2, district.Title + "</span>"},
		{"a target of the city's plan is shown in its plan", "/targets/city-sewer-pipes-built", city.Title, 0, district.Title + "</span>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, h, tc.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d, want 200", resp.StatusCode)
			}
			if !strings.Contains(body, "<title>") || !strings.Contains(body, "· "+tc.title+"</title>") {
				t.Errorf("the title does not name %s", tc.title)
			}
			if strings.Contains(body, tc.notTitle) {
				t.Errorf("the page names the other plan in its header")
			}
			if got := len(attrs(body, "target")); tc.cards > 0 && got != tc.cards {
				t.Errorf("got %d target cards, want %d", got, tc.cards)
			}
		})
	}
	_, body := get(t, h, "/?plan=city-2019")
	if !strings.Contains(body, `<select name="plan">`) || !strings.Contains(body, `<option value="city-2019" selected>`) {
		t.Error("the overview has no plan selector with the city's plan selected")
	}
	if !strings.Contains(body, "/targets/city-sewer-pipes-built?plan=city-2019") {
		t.Error("links from the city's overview do not keep the plan")
	}
	if resp, _ := get(t, h, "/?plan=nope"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown plan: got %d, want 400", resp.StatusCode)
	}
}

// The import template offered on a plan's overview holds that plan's rows
// only: water-affairs owns three targets in the district plan
// (inferior-water-bodies-eliminated, sewer-pipes-built,
// sludge-project-started) and one in the city's (city-sewer-pipes-built).
func TestTemplatePerPlan(t *testing.T) {
	h, _ := twoPlans(t)
	_, page := get(t, h, "/?plan=city-2019&agency=water-affairs")
	if !strings.Contains(page, `href="/template/water-affairs?plan=city-2019" download`) {
		t.Error("the city overview's template link does not carry the plan")
	}
	tests := []struct {
		name, target string
		code         int
		want, not    []string
	}{
		{"the city plan's template has the city's target only", "/template/water-affairs?plan=city-2019", 200,
			[]string{"city-sewer-pipes-built,"}, []string{"\nsewer-pipes-built,", "sludge-project-started,"}},
		{"the district plan's template has the district's targets only", "/template/water-affairs?plan=jiading-2019", 200,
			[]string{"inferior-water-bodies-eliminated,", "\nsewer-pipes-built,", "sludge-project-started,"}, []string{"city-sewer-pipes-built,"}},
		{"without ?plan the template covers both plans", "/template/water-affairs", 200,
			[]string{"city-sewer-pipes-built,", "sludge-project-started,"}, nil},
		{"an unknown plan is refused", "/template/water-affairs?plan=nope", 400, nil, nil},
		{"an agency outside the selected plan has no template", "/template/civil-affairs?plan=city-2019", 404, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, h, tc.target)
			if resp.StatusCode != tc.code {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the template lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("the template has %q from the other plan", n)
				}
			}
		})
	}
}
