package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
)

// repoPlan loads the repository's targets.yaml and the text of its source.
func repoPlan(t *testing.T) (*plan.Plan, string) {
	t.Helper()
	path := filepath.Join("..", "..", "targets.yaml")
	p, err := planfile.Load(path)
	if err != nil {
		t.Fatalf("load targets.yaml: %v", err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(p.Source)))
	if err != nil {
		t.Fatalf("read source: %v", err)
	}
	src, err := Decode(b)
	if err != nil {
		t.Fatalf("decode source: %v", err)
	}
	return p, src
}

// TestRepoTargetsAudit is the coverage audit of the repository's own
// targets.yaml: every quantitative candidate of the plan is a target or
// ignored with a reason, every quote is in the plan, and the extractor
// finds every quantity target (100% recall).
func TestRepoTargetsAudit(t *testing.T) {
	p, src := repoPlan(t)
	cov := Check(p, src)
	for _, prob := range cov.Problems() {
		t.Errorf("targets.yaml: %s", prob)
	}
	quantity := 0
	for _, tg := range p.Targets {
		if tg.Kind == plan.Quantity {
			quantity++
		}
	}
	for _, m := range cov.Missed {
		t.Errorf("target %s (item %s, goal %v): the extractor does not find it", m.ID, m.Item, m.Goal)
	}
	found := cov.Matched + cov.Ignored + len(cov.Unaccounted)
	t.Logf("seed: %d quantity targets, recall %d/%d; %d quantitative candidates, %d are targets (precision %.2f), %d ignored",
		quantity, quantity-len(cov.Missed), quantity, found, cov.Matched, float64(cov.Matched)/float64(found), cov.Ignored)
	// Milestones are not audited (a plan is full of verbs); their recall
	// and precision by item are logged to keep an eye on them.
	msItems, candItems := map[string]bool{}, map[string]bool{}
	for _, tg := range p.Targets {
		if tg.Kind == plan.Milestone {
			msItems[tg.Item] = true
		}
	}
	ms, hit := 0, 0
	for _, c := range Extract(src) {
		if c.Kind == plan.Milestone {
			ms++
			candItems[c.Item] = true
			if msItems[c.Item] {
				hit++
			}
		}
	}
	found = 0
	for it := range msItems {
		if candItems[it] {
			found++
		}
	}
	t.Logf("seed milestones: targets in %d items, candidates in %d of them; %d of %d milestone candidates are in an item with a milestone target",
		len(msItems), found, hit, ms)
	for _, g := range p.Ignored {
		if strings.TrimSpace(g.Reason) == "" {
			t.Errorf("ignored item %s %q has no reason", g.Item, g.Text)
		}
	}
}

func TestCheck(t *testing.T) {
	const src = "1.1新建污水管道16公里，确保新开工13.5万平方米；推进区档案馆新馆建成启用。\n1.2办好第三届运动会，淘汰劣势企业120家。\n"
	sewer := plan.Target{ID: "sewer", Item: "1.1", Quote: "新建污水管道16公里", Kind: plan.Quantity, Goal: 16, Unit: "公里"}
	housing := plan.Target{ID: "housing", Item: "1.1", Quote: "确保新开工13.5万平方米", Kind: plan.Quantity, Goal: 13.5, Unit: "万平方米"}
	firms := plan.Target{ID: "firms", Item: "1.2", Quote: "淘汰劣势企业120家", Kind: plan.Quantity, Goal: 120, Unit: "家"}
	archive := plan.Target{ID: "archive", Item: "1.1", Quote: "推进区档案馆新馆建成启用", Kind: plan.Milestone, Goal: 1}
	tests := []struct {
		name     string
		targets  []plan.Target
		ignored  []plan.Ignored
		problems []string
	}{
		{"every candidate a target passes; 13.5 万平方米 is 135000 平方米",
			[]plan.Target{sewer, housing, firms, archive}, nil, nil},
		{"an ignored candidate passes",
			[]plan.Target{sewer, housing}, []plan.Ignored{{Item: "1.2", Text: "120家", Reason: "counted by the city"}}, nil},
		{"a candidate that is neither fails",
			[]plan.Target{sewer, housing}, nil,
			[]string{`item 1.2: "120家" (120 家, at_least) is neither a target with value 120 nor ignored; quote: 淘汰劣势企业120家`}},
		{"a target in another item does not account for a candidate",
			[]plan.Target{sewer, housing, {ID: "firms", Item: "1.1", Quote: "淘汰劣势企业120家", Kind: plan.Quantity, Goal: 120}}, nil,
			[]string{`item 1.2: "120家" (120 家, at_least) is neither a target with value 120 nor ignored; quote: 淘汰劣势企业120家`}},
		{"a target with another value does not account for a candidate",
			[]plan.Target{sewer, housing, {ID: "firms", Item: "1.2", Quote: "淘汰劣势企业120家", Kind: plan.Quantity, Goal: 12}}, nil,
			[]string{`item 1.2: "120家" (120 家, at_least) is neither a target with value 120 nor ignored; quote: 淘汰劣势企业120家`}},
		{"a quote that is not in the source fails",
			[]plan.Target{sewer, housing, {ID: "firms", Item: "1.2", Quote: "淘汰劣势企业121家", Kind: plan.Quantity, Goal: 120}}, nil,
			[]string{`target firms (item 1.2): quote "淘汰劣势企业121家" is not in the source document`}},
		{"one target accounts for one candidate only",
			[]plan.Target{sewer, housing, firms, {ID: "firms-again", Item: "1.2", Quote: "淘汰劣势企业120家", Kind: plan.Quantity, Goal: 120}}, nil, nil},
		{"an ignored entry that names no candidate fails",
			[]plan.Target{sewer, housing, firms}, []plan.Ignored{{Item: "1.2", Text: "第三届", Reason: "an ordinal"}},
			[]string{`ignored item 1.2 "第三届": no such candidate in the source document; remove the entry`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &plan.Plan{Targets: tt.targets, Ignored: tt.ignored}
			got := Check(p, src).Problems()
			if strings.Join(got, "\n") != strings.Join(tt.problems, "\n") {
				t.Errorf("got problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.problems, "\n"))
			}
		})
	}
}

func TestCheckReportsRecall(t *testing.T) {
	p := &plan.Plan{Targets: []plan.Target{
		{ID: "sewer", Item: "1.1", Quote: "新建污水管道16公里", Kind: plan.Quantity, Goal: 16},
		{ID: "satisfaction", Item: "1.1", Quote: "满意度明显提升", Kind: plan.Quantity, Goal: 90},
	}}
	cov := Check(p, "1.1新建污水管道16公里，满意度明显提升。")
	if len(cov.Missed) != 1 || cov.Missed[0].ID != "satisfaction" {
		t.Errorf("got missed %v, want [satisfaction]", cov.Missed)
	}
	if !cov.OK() {
		t.Errorf("got problems %q, want none: a missed target is the extractor's gap, not the file's", cov.Problems())
	}
}

func TestCheckCountsEachStatement(t *testing.T) {
	const src = "2.1居民小区垃圾分类达标率达到90%，解决率、满意率分别达到90%、92%。\n"
	rate := func(id, quote string, goal float64) plan.Target {
		return plan.Target{ID: id, Item: "2.1", Quote: quote, Kind: plan.Quantity, Goal: goal, Unit: "%"}
	}
	p := &plan.Plan{Targets: []plan.Target{
		rate("sorting", "居民小区垃圾分类达标率达到90%", 90),
		rate("satisfaction", "解决率、满意率分别达到90%、92%", 92),
	}}
	got := Check(p, src).Problems()
	want := `item 2.1: "达到90%" (90 %, at_least) is neither a target with value 90 nor ignored; quote: 解决率、满意率分别达到90%、92%`
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want [%q]: the second 90%% needs a target of its own", got, want)
	}
}
