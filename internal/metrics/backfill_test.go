package metrics

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// The backfill is valid OpenMetrics: each family once (a counter without
// its _total), each series' samples together in time order with the
// instant's timestamp, the added labels on every series, and # EOF.
func TestWriteOpenMetricsShape(t *testing.T) {
	s := fixture(t).Snapshot()
	instants := []time.Time{time.Unix(1560000000, 0), time.Unix(1560003600, 0), time.Unix(1560007200, 0)}
	var buf bytes.Buffer
	err := WriteOpenMetrics(&buf, History{
		Plans: s, Instants: instants, Targets: len(s.Targets),
		Target: func(i int, at func(int, *plan.Progress)) error {
			for k := range instants {
				at(k, s.Targets[i])
			}
			return nil
		},
		Labels: map[string]string{"job": "targetwatch", "instance": "tw:8080"},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.HasSuffix(text, "\n# EOF\n") {
		t.Errorf("the output does not end with # EOF")
	}
	types := map[string]int{}
	last := map[string]string{} // series → timestamp of its previous sample
	var prev string
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			types[strings.Fields(name)[0]]++
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line[strings.LastIndexByte(line, '}')+1:])
		series := line[:strings.LastIndexByte(line, '}')+1]
		if len(f) != 2 {
			t.Fatalf("want value and timestamp: %q", line)
		}
		if !strings.Contains(series, `instance="tw:8080",job="targetwatch"}`) {
			t.Fatalf("a series without the added labels: %q", line)
		}
		if ts, seen := last[series]; seen && (series != prev || f[1] <= ts) {
			t.Fatalf("the samples of %s are not together in time order", series)
		}
		last[series], prev = f[1], series
	}
	for _, name := range FamilyNames() {
		name = strings.TrimSuffix(name, "_total")
		if types[name] != 1 {
			t.Errorf("# TYPE %s: got %d, want once", name, types[name])
		}
	}
	// Every series has a sample at each of the three instants: the count
	// of samples is three times the number of series.
	if n := strings.Count(text, "\ntargetwatch_"); n != 3*len(last) {
		t.Errorf("got %d samples of %d series, want %d", n, len(last), 3*len(last))
	}
	if !strings.Contains(text, "# TYPE targetwatch_target_revisions counter\n") || !strings.Contains(text, "\ntargetwatch_target_revisions_total{") {
		t.Errorf("the counter family is not named without _total and sampled with it")
	}
}
