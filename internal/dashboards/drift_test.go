package dashboards

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

const regenerate = "go run ./cmd/targetwatch dashboards"

// TestCommittedDashboardsMatchTargets fails when dashboards/*.json is not
// exactly what the generator makes of the committed targets.yaml.
func TestCommittedDashboardsMatchTargets(t *testing.T) {
	root := testenv.RepoRoot()
	p, err := planfile.Load(filepath.Join(root, "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "dashboards")
	want := map[string]bool{}
	for _, d := range ds {
		want[d.File] = true
		got, err := os.ReadFile(filepath.Join(dir, d.File))
		if err != nil {
			t.Errorf("%v: run `%s` to generate it", err, regenerate)
			continue
		}
		if !bytes.Equal(got, d.JSON) {
			t.Errorf("dashboards/%s is out of date with targets.yaml or the generator: run `%s`", d.File, regenerate)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, e := range entries {
		if !want[e.Name()] {
			extra = append(extra, e.Name())
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("dashboards/ holds files the generator does not make: %v; Grafana would load them too, delete them", extra)
	}
}
