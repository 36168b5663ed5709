package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
)

func init() {
	commands["check"] = command{summary: "validate targets.yaml and summarise the plan", run: runCheck}
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("check", "[--targets FILE]... [--plan-cache FILE [--quiet]]")
	targets := targetsVar(fs, "the targets `FILE` to check; the plan document it names as source is read relative to it")
	planCache := fs.String("plan-cache", "", "also write the checked plan to this cache `FILE`, which serve then starts from (serve's default is the database file with "+planCacheSuffix+" appended)")
	quiet := fs.Bool("quiet", false, "print no summary, only problems")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q (the file goes in --targets)", fs.Arg(0))
	}
	paths := targets.list()
	var plans []*plan.Plan
	var err error
	switch {
	case *planCache == "":
		plans, err = loadPlans(e, paths, "")
	case len(paths) > 1:
		return usageError("--plan-cache takes one --targets file")
	default:
		var p *plan.Plan
		p, err = loadTargetsCached(e, paths[0], *planCache)
		plans = []*plan.Plan{p}
	}
	if err != nil {
		return err
	}
	for _, path := range paths {
		if data, err := os.ReadFile(path); err == nil {
			for _, w := range planfile.Warnings(path, data) {
				fmt.Fprintln(e.stderr, w)
			}
		}
	}
	if !*quiet {
		for i, p := range plans {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			printSummary(e.stdout, paths[i], p)
		}
	}
	return nil
}

// loadTargetsCached is loadTargets through the plan cache in cacheFile,
// which it writes when it was not good for the targets file.
func loadTargetsCached(e *env, path, cacheFile string) (*plan.Plan, error) {
	if err := os.MkdirAll(filepath.Dir(cacheFile), 0o750); err != nil {
		return nil, fmt.Errorf("plan cache: %w", err)
	}
	p, info, err := planfile.LoadCached(path, cacheFile)
	if err != nil {
		return nil, reportProblems(e, path, "", err)
	}
	if info.WriteErr != nil {
		return nil, info.WriteErr
	}
	return p, nil
}

// printSummary fits the plan on one screen: what it is, when, and how its
// targets split by kind, direction, aggregation and agency.
func printSummary(w io.Writer, file string, p *plan.Plan) {
	fmt.Fprintf(w, "%s: ok\n\n", file)
	fmt.Fprintf(w, "plan       %s  %s\n", p.ID, p.Title)
	if p.TitleEN != "" {
		fmt.Fprintf(w, "           %s\n", p.TitleEN)
	}
	fmt.Fprintf(w, "period     %s .. %s (%s), %s reports due on day %d of the next month\n",
		p.Start.Format("2006-01-02"), p.End.Format("2006-01-02"), p.Timezone, p.Frequency, p.DueDay)
	fmt.Fprintf(w, "source     %s (every quote found verbatim)\n", p.Source)
	fmt.Fprintf(w, "thresholds at_risk %s, off_track %s, cap_warning %s",
		plan.FormatNumber(p.Thresholds.AtRisk), plan.FormatNumber(p.Thresholds.OffTrack), plan.FormatNumber(p.Thresholds.CapWarning))
	for i := range p.Targets {
		if p.Targets[i].IsGrowth() { // the band matters only to growth targets
			fmt.Fprintf(w, ", growth_points %s", plan.FormatNumber(p.Thresholds.GrowthPoints))
			break
		}
	}
	fmt.Fprintln(w)

	kinds := map[plan.Kind]int{}
	dirs := map[plan.Direction]int{}
	aggs := map[plan.Aggregation]int{}
	approx := 0
	byAgency := map[string]map[plan.Kind]int{}
	for _, t := range p.Targets {
		kinds[t.Kind]++
		dirs[t.Direction]++
		aggs[t.Aggregation]++
		if t.Approximate {
			approx++
		}
		if byAgency[t.Agency] == nil {
			byAgency[t.Agency] = map[plan.Kind]int{}
		}
		byAgency[t.Agency][t.Kind]++
	}
	shown := plan.Kinds
	if kinds[plan.Growth] == 0 { // most plans have none: keep their summary as it was
		shown = []plan.Kind{plan.Quantity, plan.Milestone}
	}
	fmt.Fprintf(w, "\ntargets    %d: %s; %d approximate\n", len(p.Targets), counts(shown, kinds), approx)
	fmt.Fprintf(w, "direction  %s\n", counts(plan.Directions, dirs))
	fmt.Fprintf(w, "aggregate  %s\n", counts(plan.Aggregations, aggs))

	assumed := 0
	for _, a := range p.Agencies {
		if a.Assumed {
			assumed++
		}
	}
	fmt.Fprintf(w, "\nagencies   %d (%d assumed: the plan names none)\n", len(p.Agencies), assumed)
	width := 0
	for _, a := range p.Agencies {
		width = max(width, len(a.ID))
	}
	for _, a := range p.Agencies {
		k := byAgency[a.ID]
		// The Chinese name goes last: its display width would break columns.
		fmt.Fprintf(w, "  %-*s %3d quantity %3d milestone  %s\n", width, a.ID, k[plan.Quantity], k[plan.Milestone], a.Name)
	}
	fmt.Fprintf(w, "\nignored    %d numeric phrases of the source are not targets, each with a reason\n", len(p.Ignored))
}

// counts formats "a 3, b 0, c 1" in the order of vals, zeros included so
// every summary has the same shape.
func counts[T ~string](vals []T, n map[T]int) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprintf("%s %d", v, n[v])
	}
	return strings.Join(parts, ", ")
}
