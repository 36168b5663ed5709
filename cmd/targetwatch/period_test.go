package main

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/testenv"
)

// TestServeWarnsOutsideThePlanPeriod: the repository's plan runs through
// 2019; serve warns when the clock is past or before it and names the
// --as-of that replays it, and says nothing during the year.
func TestServeWarnsOutsideThePlanPeriod(t *testing.T) {
	p, err := planfile.Load(filepath.Join(testenv.RepoRoot(), "targets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		now  time.Time
		want []string // in the log; none: no warning
	}{
		{"a first run years later warns that the year has ended", time.Date(2026, 12, 3, 15, 0, 0, 0, p.Location),
			[]string{"level=WARN", `msg="the plan period has ended: every status is final"`, "end=2019-12-31", "now=2026-12-03", `replay="targetwatch serve --as-of 2019-12-31"`}},
		{"a run before the year warns that it has not begun", time.Date(2018, 6, 1, 9, 0, 0, 0, p.Location),
			[]string{"level=WARN", `msg="the plan period has not begun: nothing is due yet"`, "start=2019-01-01", `replay="targetwatch serve --as-of 2019-01-01"`}},
		{"a run during the year says nothing", time.Date(2019, 10, 15, 12, 0, 0, 0, p.Location), nil},
		{"the last day of the year is still the year", time.Date(2019, 12, 31, 23, 59, 0, 0, p.Location), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			warnOutsidePeriod(slog.New(slog.NewTextHandler(&buf, nil)), []*plan.Plan{p}, c.now)
			if c.want == nil && buf.Len() > 0 {
				t.Errorf("got log %q, want none", buf.String())
			}
			for _, w := range c.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("got log %q, want it to contain %q", buf.String(), w)
				}
			}
		})
	}
}
