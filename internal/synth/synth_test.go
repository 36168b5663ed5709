package synth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/targetwatch/targetwatch/internal/planfile"
)

func TestPlan(t *testing.T) {
	tests := []struct {
		name         string
		n            int
		wantAgencies int
	}{
		{"a single target still gets an agency", 1, 1},
		{"a district plan has one agency per hundred targets", 1000, 10},
		{"a partial hundred rounds up", 1001, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Plan(tt.n)
			if err := p.Validate(); err != nil {
				t.Fatalf("Validate: got %v, want nil", err)
			}
			if got := len(p.Targets); got != tt.n {
				t.Errorf("targets: got %d, want %d", got, tt.n)
			}
			if got := len(p.Agencies); got != tt.wantAgencies {
				t.Errorf("agencies: got %d, want %d", got, tt.wantAgencies)
			}
		})
	}
}

func TestEveryQuoteIsInTheSource(t *testing.T) {
	p := Plan(len(shapes) * variants * 2)
	src := Source(p)
	if !utf8.ValidString(src) {
		t.Fatal("source is not valid UTF-8")
	}
	for _, tg := range p.Targets {
		if got := strings.Count(src, tg.Quote); got != 1 {
			t.Errorf("target %s: quote %q found %d times in the source, want once", tg.ID, tg.Quote, got)
		}
	}
}

func TestValueIsValidForItsTarget(t *testing.T) {
	p := Plan(len(shapes))
	for _, tg := range p.Targets {
		for _, m := range p.Periods() {
			prev := -1.0
			for seq := range 3 {
				v := Value(&tg, m, seq)
				if v < 0 {
					t.Errorf("%s %s seq %d: got %v, want >= 0", tg.ID, m, seq, v)
				}
				if v == prev {
					t.Errorf("%s %s seq %d: got %v again, want a different value per seq", tg.ID, m, seq, v)
				}
				prev = v
			}
		}
	}
}

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteFiles(dir, 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(b), "\n  - id: t-"); got != 10 {
		t.Errorf("target entries: got %d, want 10", got)
	}
	if _, err := os.Stat(filepath.Join(dir, SourceName)); err != nil {
		t.Errorf("source: got %v, want it written", err)
	}
	if _, err := WriteFiles(dir, 0); err == nil {
		t.Error("zero targets: got nil error, want one")
	}
}

func TestWriteYAMLIsDeterministic(t *testing.T) {
	var a, b strings.Builder
	if err := WriteYAML(&a, Plan(50)); err != nil {
		t.Fatal(err)
	}
	if err := WriteYAML(&b, Plan(50)); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("two runs differ, want identical output")
	}
}

// The generated file must pass the real loader, with every quote checked
// against the generated source, and load as the plan Plan builds.
func TestWriteFilesLoads(t *testing.T) {
	for _, n := range []int{1, 7, 1000} {
		dir := t.TempDir()
		path, err := WriteFiles(dir, n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := planfile.Load(path)
		if err != nil {
			t.Fatalf("%d targets: planfile.Load: %v", n, err)
		}
		want := Plan(n)
		if len(got.Targets) != n || len(got.Agencies) != len(want.Agencies) {
			t.Fatalf("%d targets: got %d targets and %d agencies, want %d and %d",
				n, len(got.Targets), len(got.Agencies), n, len(want.Agencies))
		}
		for i := range got.Targets {
			g, w := got.Targets[i], want.Targets[i]
			if g.ID != w.ID || g.Goal != w.Goal || g.Direction != w.Direction || g.Aggregation != w.Aggregation ||
				g.Quote != w.Quote || g.Agency != w.Agency || !g.Due.Equal(w.Due) {
				t.Errorf("%d targets: target %d: got %+v, want %+v", n, i, g, w)
			}
		}
	}
}
