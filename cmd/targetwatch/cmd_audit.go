package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/targetwatch/targetwatch/internal/extract"
	"github.com/targetwatch/targetwatch/internal/plan"
)

func init() {
	commands["audit"] = command{summary: "check that targets.yaml covers every commitment of its plan document", run: runAudit}
}

func runAudit(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("audit", "[--targets FILE]... [--suggest]")
	targets := targetsVar(fs, "the targets `FILE`; its source document is read relative to it")
	suggest := fs.Bool("suggest", false, "on failure, print `ignored:` entries for the unaccounted candidates to stdout, reasons left TODO")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q (the file goes in --targets)", fs.Arg(0))
	}
	// Each plan is audited against its own document; every file is
	// audited even after one fails, so one run shows every problem.
	var errs []error
	for _, path := range targets.list() {
		if err := auditOne(e, path, *suggest); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// auditOne audits one targets file against its source document.
func auditOne(e *env, targetsPath string, suggest bool) error {
	p, err := loadTargets(e, targetsPath, "fix them first (targetwatch check)")
	if err != nil {
		return err
	}
	srcPath := filepath.Join(filepath.Dir(targetsPath), filepath.FromSlash(p.Source))
	b, err := os.ReadFile(srcPath)
	if err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	src, err := extract.Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", p.Source, err)
	}
	cov := extract.Check(p, src)
	if lines := cov.Problems(); len(lines) > 0 {
		for _, l := range lines {
			fmt.Fprintf(e.stderr, "%s: %s\n", targetsPath, l)
		}
		if suggest && len(cov.Unaccounted) > 0 {
			fmt.Fprintf(e.stdout, "# Entries for ignored: in %s; give each a reason or make it a target.\n", targetsPath)
			for _, c := range cov.Unaccounted {
				fmt.Fprintf(e.stdout, "  - item: %q\n    text: %q\n    reason: %s # %s\n", c.Item, c.Text, extract.Placeholder, strings.ReplaceAll(c.Quote, "\n", ""))
			}
		}
		return fmt.Errorf("%d %s: make each candidate a target or list it under ignored: with a reason", len(lines), plural(len(lines), "problem"))
	}
	quantity := 0
	for _, t := range p.Targets {
		if t.Kind == plan.Quantity {
			quantity++
		}
	}
	fmt.Fprintf(e.stdout, "%s: ok: %d quantitative candidates in %s, %d are targets, %d ignored; every quote found\n",
		targetsPath, cov.Matched+cov.Ignored, p.Source, cov.Matched, cov.Ignored)
	if len(cov.Missed) > 0 {
		// Not a failure: the extractor's recall, which a person should know
		// before trusting the audit.
		fmt.Fprintf(e.stdout, "note: the extractor finds %d of %d quantity targets; not found:", quantity-len(cov.Missed), quantity)
		for _, t := range cov.Missed {
			fmt.Fprintf(e.stdout, " %s", t.ID)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}
