package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/testenv"
)

// A miniature full run: both systems, every step, tiny sizes. It proves
// the benchmark still works against the current binary and leaves no
// process behind.
func TestRunMiniature(t *testing.T) {
	testenv.SkipIfShort(t, "starts servers")
	pgw := testenv.LookPath(t, "prometheus-pushgateway", "pushgateway")
	tw := testenv.Targetwatch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, log strings.Builder
	args := []string{
		"-targetwatch", tw, "-pushgateway", pgw, "-dir", t.TempDir(),
		"-sizes", "20,40", "-ingest-targets", "10", "-ingest-for", "1s", "-rounds", "2",
		"-scrapes", "2", "-months", "2", "-batch", "15", "-mixed-for", "500ms",
		"-mixed-scrape-every", "50ms", "-pushgateway-max-targets", "20",
		"-start-targets", "40", "-start-revisions", "200", "-gobench", "",
	}
	if err := run(ctx, args, &out, &log); err != nil {
		t.Fatalf("run: %v\nlog:\n%s", err, log.String())
	}
	table := out.String()
	for _, want := range []string{
		"| ingest, 1 client: figures/s",
		"| ingest, 8 clients: latency p50 / p99",
		"| ingest, 8 clients: figures/s in each round, alternating",
		"| /metrics, 20 targets: median / p90, gzip",
		"| RSS serving scrapes, 40 targets (peak)",
		"| start to ready, 40 targets, 80 revisions (RSS)",
		"| start to ready, 40 targets, 200 revisions (RSS)",
		"| growth 20→40: scrape median",
		"| ingest, 8 clients, 40 targets: figures/s without / with a scrape every 50ms",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table: no row %q in\n%s", want, table)
		}
	}
	t.Logf("table:\n%s", table)
	if strings.Contains(table, "errors)") {
		t.Errorf("table reports failed requests:\n%s", table)
	}
}
