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
	for _, g := range p.Ignored {
		if strings.TrimSpace(g.Reason) == "" {
			t.Errorf("ignored item %s %q has no reason", g.Item, g.Text)
		}
	}
}
