package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
)

// targetsFlag is the --targets flag, which may be given more than once:
// each file is one plan, and the plans are served (checked, reported)
// together. Without the flag it is targets.yaml.
type targetsFlag struct {
	paths []string
	set   bool
}

const defaultTargets = "targets.yaml"

func (f *targetsFlag) String() string { return strings.Join(f.list(), ",") }

// Set adds a file; the first one given replaces the default.
func (f *targetsFlag) Set(v string) error {
	if !f.set {
		f.paths, f.set = nil, true
	}
	f.paths = append(f.paths, v)
	return nil
}

// list is the files given, or the default.
func (f *targetsFlag) list() []string {
	if !f.set {
		return []string{defaultTargets}
	}
	return f.paths
}

// targetsVar defines --targets on fs.
func targetsVar(fs *flag.FlagSet, usage string) *targetsFlag {
	f := &targetsFlag{}
	fs.Var(f, "targets", usage+"; give it once per plan to use several plans together (default "+defaultTargets+")")
	return f
}

// loadPlans loads every targets file (printing the problems of each, as
// loadTargets does) and then checks them together (planfile.Together).
func loadPlans(e *env, paths []string, hint string) ([]*plan.Plan, error) {
	plans := make([]*plan.Plan, len(paths))
	var errs []error
	for i, path := range paths {
		p, err := loadTargets(e, path, hint)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		plans[i] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return plans, checkTogether(e, paths, plans, hint)
}

// checkTogether prints the problems between plans and returns one line
// summing them up, or nil.
func checkTogether(e *env, paths []string, plans []*plan.Plan, hint string) error {
	if len(plans) < 2 {
		return nil
	}
	if err := planfile.Together(paths, plans); err != nil {
		return reportProblems(e, fmt.Sprintf("the plans of %s taken together", strings.Join(paths, ", ")), hint, err)
	}
	return nil
}
