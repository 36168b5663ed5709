package planfile

import (
	"path/filepath"
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// The repository's own targets.yaml must load clean, and its headline
// commitments must keep the shape the plan gives them.
func TestRepoTargets(t *testing.T) {
	p, err := Load(filepath.Join("..", "..", "targets.yaml"))
	if err != nil {
		t.Fatalf("Load(targets.yaml):\n%v", err)
	}
	if p.Timezone != "Asia/Shanghai" || p.FirstPeriod().String() != "2019-01" || p.LastPeriod().String() != "2019-12" {
		t.Errorf("got timezone %s, months %s..%s, want Asia/Shanghai, 2019-01..2019-12", p.Timezone, p.FirstPeriod(), p.LastPeriod())
	}

	type shape struct {
		item        string
		direction   plan.Direction
		goal        float64
		aggregation plan.Aggregation
		approximate bool
	}
	headline := []struct {
		name string
		id   string
		want shape
	}{
		{"10.2 eliminates at least 329 inferior water segments", "inferior-water-bodies-eliminated", shape{"10.2", plan.AtLeast, 329, plan.Sum, false}},
		{"11.1 caps dry waste at 1743 t/day on average", "dry-waste-daily", shape{"11.1", plan.AtMost, 1743, plan.Mean, false}},
		{"4.6 brings in about 200 talents", "high-level-talents", shape{"4.6", plan.AtLeast, 200, plan.Sum, true}},
		{"6.2 phases out at least 120 firms", "inferior-firms-phased-out", shape{"6.2", plan.AtLeast, 120, plan.Sum, false}},
		{"11.1 raises wet waste to 330 t/day", "wet-waste-daily", shape{"11.1", plan.AtLeast, 330, plan.Mean, false}},
		{"11.1 raises recyclables to 101 t/day", "recyclables-daily", shape{"11.1", plan.AtLeast, 101, plan.Mean, false}},
		{"8.4 starts 13.5万 m² of housing", "housing-construction-started", shape{"8.4", plan.AtLeast, 135000, plan.Sum, false}},
		{"8.4 completes 9万 m² of housing", "housing-construction-completed", shape{"8.4", plan.AtLeast, 90000, plan.Sum, false}},
		{"6.8 allows no new illegal land use", "new-illegal-land-use", shape{"6.8", plan.ZeroGrowth, 0, plan.Sum, false}},
		{"17.3 allows no new illegal buildings", "new-illegal-buildings", shape{"17.3", plan.ZeroGrowth, 0, plan.Sum, false}},
		{"7.1 and 9.2 are one rural planning coverage target", "rural-unit-planning-coverage", shape{"7.1", plan.AtLeast, 100, plan.Last, true}},
		{"15.2 needs at least 50% integrated windows", "integrated-windows-share", shape{"15.2", plan.AtLeast, 50, plan.Last, false}},
	}
	for _, h := range headline {
		t.Run(h.name, func(t *testing.T) {
			tg, ok := p.Target(h.id)
			if !ok {
				t.Fatalf("target %s missing", h.id)
			}
			got := shape{tg.Item, tg.Direction, tg.Goal, tg.Aggregation, tg.Approximate}
			if got != h.want {
				t.Errorf("got %+v, want %+v", got, h.want)
			}
		})
	}

	counts := map[plan.Kind]int{}
	for _, tg := range p.Targets {
		counts[tg.Kind]++
		if tg.Kind == plan.Quantity && tg.UnitEN == "" {
			t.Errorf("target %s: no unit_en", tg.ID)
		}
		if tg.TitleEN == "" {
			t.Errorf("target %s: no title_en", tg.ID)
		}
	}
	if counts[plan.Quantity] < 23 || counts[plan.Milestone] < 15 {
		t.Errorf("got %d quantities and %d milestones, want at least 23 and 15", counts[plan.Quantity], counts[plan.Milestone])
	}
	for _, a := range p.Agencies {
		if !a.Assumed || a.NameEN == "" {
			t.Errorf("agency %s: assumed %v, name_en %q; the plan names no agency, so every one is assumed and named in English", a.ID, a.Assumed, a.NameEN)
		}
	}
}
