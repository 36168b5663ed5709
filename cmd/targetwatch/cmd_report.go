package main

import (
	"context"
	"net/url"

	"github.com/targetwatch/targetwatch/internal/report"
)

func init() {
	commands["report"] = command{summary: "print the plan execution report (执行情况报告) as csv, md or json", run: runReport}
}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("report", "[--server URL | --targets FILE --db FILE --as-of YYYY-MM-DD] [--format csv|md|json] [--lang zh|en]")
	src := addSourceFlags(fs, "data/targetwatch.db", "")
	format := fs.String("format", "csv", "output `FORMAT`: csv, md or json")
	lang := docLangFlag(fs, e, "`LANGUAGE` of headers, sentences and messages: zh or en (the report's default is zh)")
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
	if c != nil {
		q := url.Values{"format": {string(f)}, "lang": {*lang}}
		return c.download(ctx, "/api/v1/report?"+q.Encode(), e.stdout)
	}
	snap, err := src.snapshot(ctx)
	if err != nil {
		return err
	}
	return report.Write(e.stdout, snap, f, l)
}
