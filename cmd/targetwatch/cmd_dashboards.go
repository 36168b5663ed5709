package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/targetwatch/targetwatch/internal/dashboards"
)

func init() {
	commands["dashboards"] = command{summary: "generate the Grafana dashboards from targets.yaml", run: runDashboards}
}

func runDashboards(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("dashboards", "[--targets targets.yaml]... [--out dashboards/]")
	targets := targetsVar(fs, "the targets `FILE`")
	out := fs.String("out", "dashboards", "directory the dashboard JSON files are written to")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	plans, err := loadPlans(e, targets.list(), "")
	if err != nil {
		return err
	}
	ds, err := dashboards.Generate(plans...)
	if err != nil {
		return err
	}
	if err := dashboards.Write(ctx, *out, ds); err != nil {
		return err
	}
	for _, d := range ds {
		fmt.Fprintf(e.stdout, "wrote %s (%s)\n", filepath.Join(*out, d.File), d.Title)
	}
	return nil
}
