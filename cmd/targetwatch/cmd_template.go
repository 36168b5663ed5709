package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/progress"
	"github.com/targetwatch/targetwatch/internal/report"
)

func init() {
	commands["template"] = command{summary: "write an agency's CSV template of the figures due, ready for Excel and import", run: runTemplate}
}

func runTemplate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("template", "--agency ID [--server URL | --targets FILE [--db FILE] [--as-of YYYY-MM-DD]] [--out FILE]")
	agency := fs.String("agency", "", "the agency `ID` whose template to write")
	server := fs.String("server", "", "ask a running targetwatch at `URL` (else work offline from --targets)")
	token := fs.String("token", "", "API `TOKEN` for --server (default $"+tokenEnv+")")
	targets := fs.String("targets", "targets.yaml", "the targets `FILE` (offline)")
	db := fs.String("db", "", "the database `FILE` (offline; without it every month due is listed)")
	asOf := fs.String("as-of", "", "list the months due as of noon of this `DAY` (YYYY-MM-DD; offline; default now)")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	lang := fs.String("lang", "zh", "`LANGUAGE` of the helper columns: zh or en")
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
	if *lang != "zh" && *lang != "en" {
		return usageError("--lang: want zh or en, got %q", *lang)
	}
	var buf bytes.Buffer
	if *server != "" {
		for _, name := range []string{"targets", "db", "as-of"} {
			if flagGiven(fs, name) {
				return usageError("--%s is for offline use; it cannot be combined with --server", name)
			}
		}
		c, err := newAPIClient(e, *server, *token)
		if err != nil {
			return err
		}
		q := url.Values{"lang": {*lang}}
		if err := c.download(ctx, "/api/v1/agencies/"+url.PathEscape(*agency)+"/template.csv?"+q.Encode(), &buf); err != nil {
			return err
		}
	} else {
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
		var snap *plan.Snapshot
		if *db != "" {
			if _, err := os.Stat(*db); err != nil {
				return usageError("--db: %v", err)
			}
			if snap, err = loadSnapshot(ctx, p, *db, at); err != nil {
				return err
			}
		} else {
			tr, err := progress.New(progress.Config{Plan: p, Now: func() time.Time { return at }})
			if err != nil {
				return err
			}
			snap = tr.Snapshot()
		}
		if err := report.WriteTemplate(&buf, snap, *agency, report.ParseLang(*lang)); err != nil {
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
	return writeTemplateFile(*out, buf.Bytes())
}

// writeTemplateFile writes through a temporary file and a rename, so an
// interrupted run never leaves half a template.
func writeTemplateFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
