package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/targetwatch/targetwatch/internal/demo"
	"github.com/targetwatch/targetwatch/internal/msg"
	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
	"github.com/targetwatch/targetwatch/internal/report"
)

func init() {
	commands["demo"] = command{summary: "fill a new database with a realistic demo year of reports", run: runDemo}
}

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("demo", "[--db FILE] [--targets FILE] [--through YYYY-MM]")
	db := fs.String("db", "data/targetwatch.db", "the database `FILE` to fill; it must hold no figures yet")
	targets := fs.String("targets", "targets.yaml", "the targets `FILE`")
	through := fs.String("through", demo.DefaultThrough.String(), "the last `MONTH` (YYYY-MM) the demo reports")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	last, err := plan.ParsePeriod(*through)
	if err != nil {
		return usageError("--through: %v", err)
	}
	p, err := planfile.Load(*targets)
	if err != nil {
		return err
	}
	if last.Before(p.FirstPeriod()) || p.LastPeriod().Before(last) {
		return usageError("--through %s is outside the plan (%s .. %s)", last, p.FirstPeriod(), p.LastPeriod())
	}
	res, err := demo.Fill(ctx, *db, p, last)
	if err != nil {
		return err
	}
	// Show the demo the way the quick start will: mid-month after the last
	// reported month, once its reports were due.
	n := last.Next()
	asOf := time.Date(n.Year, n.Month, 15, 12, 0, 0, 0, p.Location)
	snap, err := loadSnapshot(ctx, []*plan.Plan{p}, *db, asOf)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo: stored %d figures and %d corrections for %d targets, %s .. %s, in %s\n",
		res.Figures, res.Changes, len(p.Targets), p.FirstPeriod(), last, *db)
	fmt.Fprintf(e.stdout, "as of %s: %s\n", asOf.Format("2006-01-02"), statusCounts(snap))
	s := res.Story
	var story []string
	add := func(label, v string) {
		if v != "" {
			story = append(story, label+" "+v)
		}
	}
	add("off track:", s.OffTrack)
	add("at risk:", s.AtRisk)
	add("cap breached:", s.Breached)
	add("milestone not done:", s.Milestone)
	add("overdue agency:", s.OverdueAgency)
	add("corrected:", strings.Join(s.Corrected, ", "))
	fmt.Fprintf(e.stdout, "story: %s\n", strings.Join(story, "; "))
	dbFlag := ""
	if flagGiven(fs, "db") {
		dbFlag = " --db " + *db
	}
	fmt.Fprintf(e.stdout, "next: targetwatch serve%s --as-of %s, then open http://127.0.0.1:8080/\n", dbFlag, asOf.Format("2006-01-02"))
	// The demo's own tokens were issued to fill it and their secrets are
	// gone; a clerk trying the bureau commands needs a token of their own.
	agency := s.OverdueAgency
	if agency == "" && len(p.Agencies) > 0 {
		agency = p.Agencies[0].ID
	}
	issue := dbFlag
	if flagGiven(fs, "targets") {
		issue += " --targets " + *targets
	}
	msg.Fprintf(e.stdout, e.language(), "to report as an agency, issue it a token (its secret is shown once): targetwatch token issue%s --agency %s --name NAME\n", issue, agency)
	return nil
}

// statusCounts is one line: how many targets are in each status.
func statusCounts(s *plan.Snapshot) string {
	counts := map[plan.Status]int{}
	for i := range s.Targets {
		counts[s.Targets[i].Status]++
	}
	var parts []string
	for _, st := range plan.Statuses {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", report.StatusText(st, report.English), counts[st]))
		}
	}
	return strings.Join(parts, ", ")
}
