package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/url"

	"github.com/targetwatch/targetwatch/internal/msg"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/report"
)

func init() {
	commands["template"] = command{summary: "write an agency's template of the figures due (CSV or an Excel workbook), ready to fill in and import", run: runTemplate}
}

func runTemplate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("template", "--agency ID [--server URL | --targets FILE [--db FILE] [--as-of YYYY-MM-DD]] [--format csv|xlsx] [--out FILE]")
	agency := fs.String("agency", "", "the agency `ID` whose template to write")
	src := addSourceFlags(fs, "", "; without it every month due is listed")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	lang := docLangFlag(fs, e, "`LANGUAGE` of the helper columns and messages: zh or en (the template's default is zh)")
	format := fs.String("format", "csv", "`FORMAT` of the template: csv or xlsx (an Excel workbook where only the value cells can be edited)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if *agency == "" {
		return usageError("--agency is required")
	}
	if !plan.ValidID(*agency) {
		return usageError("--agency %q is not an agency id", *agency)
	}
	if *format != "csv" && *format != "xlsx" {
		return usageError("--format: want csv or xlsx, got %q", *format)
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
	if c != nil {
		q := url.Values{"lang": {*lang}}
		if err := c.download(ctx, "/api/v1/agencies/"+url.PathEscape(*agency)+"/template."+*format+"?"+q.Encode(), &buf); err != nil {
			return err
		}
	} else {
		snap, err := src.snapshot(ctx)
		if err != nil {
			return err
		}
		write := report.WriteTemplate
		if *format == "xlsx" {
			write = report.WriteTemplateXLSX
		}
		if err := write(&buf, snap, *agency, l); err != nil {
			if plan.KindOf(err) == plan.KindNotFound {
				return usageError("%v", err)
			}
			return err
		}
	}
	if *out == "" {
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	if err := writeTemplateFile(*out, buf.Bytes()); err != nil {
		return err
	}
	// Say what was written: a clerk who sees nothing wonders whether it
	// worked, and an empty template (nothing due) is worth knowing about.
	msg.Fprintf(e.stderr, e.language(), "wrote %s: %d rows to fill for agency %s\n", *out, templateRows(buf.Bytes()), *agency)
	return nil
}

// templateRows counts a template's rows after the header.
func templateRows(b []byte) int {
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) == 0 {
		return 0
	}
	return len(recs) - 1
}

// writeTemplateFile writes through a temporary file and a rename, so an
// interrupted run never leaves half a template.
func writeTemplateFile(path string, b []byte) error {
	return writeOutput(path, nil, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
