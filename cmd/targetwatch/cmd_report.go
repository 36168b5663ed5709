package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/report"
	"github.com/targetwatch/targetwatch/internal/store"
)

func init() {
	commands["report"] = command{summary: "print the plan execution report (执行情况报告) as csv, md or json", run: runReport}
}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("report", "[--server URL | --targets FILE --db FILE --as-of YYYY-MM-DD] [--format csv|md|json] [--lang zh|en]")
	server := fs.String("server", "", "ask a running targetwatch at `URL` (else read --targets and --db directly)")
	token := fs.String("token", "", "API `TOKEN` for --server (default $TARGETWATCH_TOKEN)")
	targets := fs.String("targets", "targets.yaml", "the targets `FILE` (without --server)")
	db := fs.String("db", "data/targetwatch.db", "the database `FILE` (without --server)")
	asOf := fs.String("as-of", "", "evaluate as of noon of this `DAY` (YYYY-MM-DD, plan time zone), as serve --as-of does; default now; without --server")
	format := fs.String("format", "csv", "output `FORMAT`: csv, md or json")
	lang := fs.String("lang", "zh", "`LANGUAGE` of headers and sentences: zh or en")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return usageError("--format: %v", err)
	}
	if *lang != "zh" && *lang != "en" {
		return usageError("--lang: want zh or en, got %q", *lang)
	}
	if *server != "" {
		for _, name := range []string{"targets", "db", "as-of"} {
			if flagGiven(fs, name) {
				return usageError("--%s reads the database directly; it cannot be combined with --server", name)
			}
		}
		c, err := newAPIClient(e, *server, *token)
		if err != nil {
			return err
		}
		q := url.Values{"format": {string(f)}, "lang": {*lang}}
		return c.download(ctx, "/api/v1/report?"+q.Encode(), e.stdout)
	}
	p, err := planfile.Load(*targets)
	if err != nil {
		return err
	}
	at := time.Now()
	if *asOf != "" {
		day, err := parseDay(*asOf, p.Location)
		if err != nil {
			return usageError("--as-of: %v", err)
		}
		at = day.Add(12 * time.Hour)
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("database %s: %w", *db, err)
	}
	snap, err := loadSnapshot(ctx, p, *db, at)
	if err != nil {
		return err
	}
	return report.Write(e.stdout, snap, f, report.ParseLang(*lang))
}

// parseDay reads YYYY-MM-DD as the start of that day in loc.
func parseDay(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("want YYYY-MM-DD, got %q", s)
	}
	return t, nil
}

// loadSnapshot evaluates every stored figure the way the service does, as
// of a fixed moment.
func loadSnapshot(ctx context.Context, p *plan.Plan, dbPath string, asOf time.Time) (*plan.Snapshot, error) {
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	revs, err := db.Revisions(ctx)
	if err != nil {
		return nil, err
	}
	tr, err := progress.New(progress.Config{Plan: p, Now: func() time.Time { return asOf }})
	if err != nil {
		return nil, err
	}
	tr.Load(revs)
	return tr.Snapshot(), nil
}
