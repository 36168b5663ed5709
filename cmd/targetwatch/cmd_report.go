package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
	"github.com/targetwatch/targetwatch/internal/store"
)

func init() {
	commands["report"] = command{summary: "print the plan execution report (执行情况报告) as csv, md, json or an Excel workbook (xlsx), or the supervision bulletin (督查通报)", run: runReport}
}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("report", "[--server URL | --targets FILE --db FILE --as-of YYYY-MM-DD] [--format csv|md|json|xlsx|bulletin] [--lang zh|en] [--out FILE]")
	src := addSourceFlags(fs, "data/targetwatch.db", "")
	format := fs.String("format", "csv", "output `FORMAT`: csv, md, json, xlsx (an Excel workbook: use --out or redirect it to a file) or bulletin (the supervision bulletin, Markdown)")
	lang := docLangFlag(fs, e, "`LANGUAGE` of headers, sentences and messages: zh or en (the report's default is zh)")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
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
	l, err := parseLang(*lang)
	if err != nil {
		return err
	}
	c, err := src.client(e)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch {
	case c != nil:
		q := url.Values{"format": {string(f)}, "lang": {*lang}}
		err = c.download(ctx, "/api/v1/report?"+q.Encode(), &buf)
	case f == report.BulletinFormat:
		err = src.bulletin(ctx, &buf, l)
	default:
		var snap *plan.Snapshot
		if snap, err = src.snapshot(ctx); err == nil {
			err = report.Write(&buf, snap, f, l)
		}
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	return writeTemplateFile(*out, buf.Bytes())
}

// bulletin writes the supervision bulletin as of --as-of from the figures
// in --db, evaluated at that day and at the previous month's due day.
func (s *source) bulletin(ctx context.Context, buf *bytes.Buffer, lang report.Lang) error {
	plans, now, err := s.plans()
	if err != nil {
		return err
	}
	if _, err := os.Stat(*s.db); err != nil {
		return fmt.Errorf("database %s: %w", *s.db, err)
	}
	db, err := store.Open(ctx, *s.db)
	if err != nil {
		return err
	}
	defer db.Close()
	b, err := report.BuildBulletin(ctx, plan.NewSnapshotOf(plans), db, now(), lang)
	if err != nil {
		return err
	}
	return report.WriteBulletin(buf, b)
}
