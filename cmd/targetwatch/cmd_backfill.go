package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"github.com/targetwatch/targetwatch/internal/metrics"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/store"
)

func init() {
	commands["backfill"] = command{summary: "write the progress metrics of past days as OpenMetrics with timestamps, for promtool tsdb create-blocks-from openmetrics", run: runBackfill}
}

// progressEvery is how often backfill tells how far it is on stderr, once
// it has run that long.
const progressEvery = 5 * time.Second

func runBackfill(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("backfill", "[--targets FILE ...] --db FILE --from YYYY-MM-DD --to YYYY-MM-DD [--step DURATION] [--job JOB] [--instance HOST:PORT] [--plan-cache FILE] --out FILE")
	targets := targetsVar(fs, "the targets `FILE`")
	dbPath := fs.String("db", "data/targetwatch.db", "the database `FILE`")
	planCache := fs.String("plan-cache", "", "read the checked plan from `FILE`, as serve does, if the program, the targets file and its source are unchanged; else check it in a child process and write it there; with several --targets, the second plan's cache is FILE.2 and so on (default: the --db file with "+planCacheSuffix+" appended; \"\": off)")
	from := fs.String("from", "", "the first `DAY` sampled, from midnight (YYYY-MM-DD, the first plan's time zone)")
	to := fs.String("to", "", "sample up to midnight starting this `DAY`, excluded: when live scraping began (YYYY-MM-DD, the first plan's time zone)")
	step := fs.Duration("step", time.Hour, "sample every `DURATION` (24h is fine for large plans)")
	out := fs.String("out", "", "write to `FILE` (- for standard output)")
	job := fs.String("job", plan.PrometheusJob, "the `JOB` label Prometheus gives the scraped series, so backfilled and scraped samples are one series (\"\": none)")
	instance := fs.String("instance", "", "the `INSTANCE` label of the scraped series: the host:port Prometheus scrapes, e.g. targetwatch:8080 (\"\": none)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usageError("--out is required")
	}
	if *step < time.Second || *step%time.Second != 0 {
		return usageError("--step: want whole seconds, at least 1s, got %v", *step)
	}
	if !flagGiven(fs, "plan-cache") {
		*planCache = *dbPath + planCacheSuffix
	}
	log, err := newLogger(e.stderr, "text", "warn")
	if err != nil {
		return err
	}
	// Through the plan cache, as serve: parsing a province's targets.yaml
	// here would take more memory than the whole backfill.
	paths := targets.list()
	plans := make([]*plan.Plan, len(paths))
	for i, path := range paths {
		if plans[i], err = loadPlan(ctx, e, path, planCacheFor(*planCache, i), log); err != nil {
			return reportProblems(e, path, "", err)
		}
	}
	if err := checkTogether(e, paths, plans, ""); err != nil {
		return err
	}
	s := plan.NewSnapshotOf(plans)
	instants, err := backfillInstants(*from, *to, *step, plans[0].Location)
	if err != nil {
		return err
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("database %s: %w", *dbPath, err)
	}
	revs, err := readBackfillFigures(ctx, s, *dbPath)
	if err != nil {
		return err
	}
	return writeOutput(*out, e.stdout, func(w io.Writer) error {
		labels := map[string]string{}
		if *job != "" {
			labels["job"] = *job
		}
		if *instance != "" {
			labels["instance"] = *instance
		}
		return backfill(w, e.stderr, s, revs, instants, labels)
	})
}

// backfillInstants lists the sampled instants: from midnight of from,
// every step, before midnight of to.
func backfillInstants(from, to string, step time.Duration, loc *time.Location) ([]time.Time, error) {
	var days [2]time.Time
	for i, d := range []struct{ flag, v string }{{"from", from}, {"to", to}} {
		if d.v == "" {
			return nil, usageError("--%s is required", d.flag)
		}
		t, err := time.ParseInLocation(time.DateOnly, d.v, loc)
		if err != nil {
			return nil, usageError("--%s: want YYYY-MM-DD, got %q", d.flag, d.v)
		}
		days[i] = t
	}
	if !days[0].Before(days[1]) {
		return nil, usageError("--to %s must be after --from %s", to, from)
	}
	var out []time.Time
	for t := days[0]; t.Before(days[1]); t = t.Add(step) {
		out = append(out, t)
	}
	return out, nil
}

// figure is one stored revision as evaluation needs it, kept small: a
// province's million revisions are held for the whole run.
type figure struct {
	period   plan.Period
	revision int
	value    float64
	received time.Time
}

// readBackfillFigures reads every stored revision, grouped by target in the
// order of the plans' targets (s indexes them); revisions of targets in none
// of the plans are left out, as serve leaves them out.
func readBackfillFigures(ctx context.Context, s *plan.Snapshot, dbPath string) ([][]figure, error) {
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	out := make([][]figure, targetCount(s.Plans))
	err = db.ForEachFigure(ctx, func(r plan.Report) error {
		if i, ok := s.Index(r.Target); ok {
			out[i] = append(out[i], figure{r.Period, r.Revision, r.Value, r.Received})
		}
		return nil
	})
	return out, err
}

// backfill writes the progress metrics of the plans s indexes at every
// instant, telling on stderr how far it is when it runs longer than
// progressEvery.
func backfill(w, stderr io.Writer, s *plan.Snapshot, figs [][]figure, instants []time.Time, labels map[string]string) error {
	bounds := make([][]time.Time, len(s.Plans))
	for i, p := range s.Plans {
		bounds[i] = plan.Boundaries(p)
	}
	n := targetCount(s.Plans)
	var family, target atomic.Int64
	start := time.Now()
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fmt.Fprintf(stderr, "backfill: metric family %d of %d, target %d of %d, %s\n",
					family.Load()+1, len(metrics.FamilyNames()), target.Load(), n, time.Since(start).Round(time.Second))
			}
		}
	}()
	var scratch []plan.Report
	err := metrics.WriteOpenMetrics(w, metrics.History{
		Plans:    s,
		Instants: instants,
		Targets:  n,
		Target: func(i int, at func(k int, g *plan.Progress)) error {
			target.Store(int64(i + 1))
			p, k := s.PlanOf(i)
			t := &p.Targets[k]
			scratch = scratch[:0]
			for _, f := range figs[i] {
				scratch = append(scratch, plan.Report{Target: t.ID, Period: f.period, Revision: f.revision, Value: f.value, Received: f.received})
			}
			plan.EvaluateEach(p, t, scratch, instants, bounds[slices.Index(s.Plans, p)], at)
			return nil
		},
		Progress: func(done, _ int) { family.Store(int64(done)) },
		Labels:   labels,
	})
	if err != nil {
		return err
	}
	if took := time.Since(start); took >= progressEvery {
		fmt.Fprintf(stderr, "backfill: %d targets at %d instants in %s\n", n, len(instants), took.Round(time.Second))
	}
	return nil
}

// targetCount is the number of targets of all the plans.
func targetCount(plans []*plan.Plan) int {
	n := 0
	for _, p := range plans {
		n += len(p.Targets)
	}
	return n
}

// writeOutput runs write on stdout for "-" (when stdout is not nil), else
// on a temporary file renamed to path once complete, so an interrupted run
// never leaves half a file that promtool or Excel would read. A path that
// exists and is not a regular file (a pipe, /dev/null) is written in
// place: renaming over it would replace the device or pipe with a file.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" && stdout != nil {
		return write(stdout)
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
