package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/report"
	"github.com/targetwatch/targetwatch/internal/store"
)

// loadTargets loads the targets file. Validation problems are printed on
// stderr one per line, FILE:LINE:COL first, for editors and CI logs, and the
// error only counts them ("2 problems in FILE", then hint if any); other
// errors are returned as they are.
func loadTargets(e *env, path, hint string) (*plan.Plan, error) {
	p, err := planfile.Load(path)
	if err != nil {
		return nil, reportProblems(e, path, hint, err)
	}
	return p, nil
}

// reportProblems prints the validation problems in err one per line and
// returns the error loadTargets describes; other errors come back as
// they are.
func reportProblems(e *env, path, hint string, err error) error {
	var probs planfile.Errors
	if !errors.As(err, &probs) {
		return err
	}
	for _, pr := range probs {
		fmt.Fprintln(e.stderr, pr)
	}
	msg := fmt.Sprintf("%d %s in %s", len(probs), plural(len(probs), "problem"), path)
	if hint != "" {
		msg += "; " + hint
	}
	return errors.New(msg)
}

// plural adds an s to noun unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// source is where report and template read progress from: a running
// targetwatch (--server, --token), or, offline, the targets file, the
// database and a day (--targets, --db, --as-of).
type source struct {
	fs                      *flag.FlagSet
	server, token, db, asOf *string
	targets                 *targetsFlag
}

// addSourceFlags defines the flags of a source on fs. dbDefault "" makes
// --db optional: without it the plan is read without figures.
func addSourceFlags(fs *flag.FlagSet, dbDefault, dbUsage string) *source {
	return &source{
		fs:      fs,
		server:  fs.String("server", "", "ask a running targetwatch at `URL` (else work offline from --targets)"),
		token:   fs.String("token", "", "API `TOKEN` for --server (default $"+tokenEnv+")"),
		targets: targetsVar(fs, "the targets `FILE` (offline)"),
		db:      fs.String("db", dbDefault, "the database `FILE` (offline"+dbUsage+")"),
		asOf:    fs.String("as-of", "", "evaluate as of noon of this `DAY` (YYYY-MM-DD, plan time zone), as serve --as-of does (offline; default now)"),
	}
}

// client is the API client of --server, or nil offline. Offline flags
// given with --server are a usage error rather than silently ignored.
func (s *source) client(e *env) (*apiClient, error) {
	if *s.server == "" {
		return nil, nil
	}
	for _, name := range []string{"targets", "db", "as-of"} {
		if flagGiven(s.fs, name) {
			return nil, usageError("--%s is for offline use; it cannot be combined with --server", name)
		}
	}
	return newAPIClient(e, *s.server, *s.token)
}

// snapshot is what the service would show as of --as-of, read directly
// from the files: every figure stored in --db, or none without one. A
// database file that does not exist is an error; opening it would create
// an empty one and report a year without figures.
func (s *source) snapshot(ctx context.Context) (*plan.Snapshot, error) {
	plans, now, err := s.plans()
	if err != nil {
		return nil, err
	}
	if *s.db == "" {
		tr, err := progress.New(progress.Config{Plans: plans, Now: now})
		if err != nil {
			return nil, err
		}
		return tr.Snapshot(), nil
	}
	if _, err := os.Stat(*s.db); err != nil {
		return nil, fmt.Errorf("database %s: %w", *s.db, err)
	}
	return loadSnapshot(ctx, plans, *s.db, now())
}

// plans loads the --targets files, checked together, and the --as-of
// clock.
func (s *source) plans() ([]*plan.Plan, func() time.Time, error) {
	paths := s.targets.list()
	plans := make([]*plan.Plan, len(paths))
	for i, path := range paths {
		p, err := planfile.Load(path)
		if err != nil {
			return nil, nil, err
		}
		plans[i] = p
	}
	if err := planfile.Together(paths, plans); err != nil {
		return nil, nil, err
	}
	now, _, err := asOfClock(*s.asOf, plans[0].Location)
	if err != nil {
		return nil, nil, err
	}
	return plans, now, nil
}

// asOfClock is the clock --as-of DAY (YYYY-MM-DD in loc) sets: fixed at
// noon of that day, so the day is inside whatever boundary falls on it (due
// dates are at midnight) and reads the same in every time zone within twelve
// hours of the plan's. An empty day is the wall clock, and fixed is false.
func asOfClock(day string, loc *time.Location) (now func() time.Time, fixed bool, err error) {
	if day == "" {
		return time.Now, false, nil
	}
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return nil, false, usageError("--as-of: want YYYY-MM-DD, got %q", day)
	}
	noon := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc)
	return func() time.Time { return noon }, true, nil
}

// parseLang checks a --lang flag: zh or en.
func parseLang(s string) (report.Lang, error) {
	if s != "zh" && s != "en" {
		return "", usageError("--lang: want zh or en, got %q", s)
	}
	return report.ParseLang(s), nil
}

// loadSnapshot evaluates every stored figure the way the service does, as
// of a fixed moment.
func loadSnapshot(ctx context.Context, plans []*plan.Plan, dbPath string, asOf time.Time) (*plan.Snapshot, error) {
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tr, _, err := loadTracker(ctx, plans, db, func() time.Time { return asOf }, nil)
	if err != nil {
		return nil, err
	}
	return tr.Snapshot(), nil
}
