package synth

import (
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
)

// A plan of 10 targets split in 3: 3, 3 and 4 targets (10·1/3 = 3,
// 10·2/3 = 6), every file checking on its own and all together.
func TestWriteSplitFiles(t *testing.T) {
	paths, err := WriteSplitFiles(t.TempDir(), 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	var plans []*plan.Plan
	for _, path := range paths {
		p, err := planfile.Load(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		plans = append(plans, p)
	}
	if err := planfile.Together(paths, plans); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{3, 3, 4} {
		if got := len(plans[i].Targets); got != want {
			t.Errorf("plan %d: got %d targets, want %d", i+1, got, want)
		}
	}
	if plans[2].ID != "synthetic-10-03" || plans[2].Targets[3].ID != TargetID(9) {
		t.Errorf("got plan %s ending with %s, want synthetic-10-03 ending with %s", plans[2].ID, plans[2].Targets[3].ID, TargetID(9))
	}
}
