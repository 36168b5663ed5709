package dashboards

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Template variable names. VarTargetID must stay "target_id": alerts link to
// /d/targetwatch-target?var-target_id=ID.
const (
	VarDatasource = "datasource"
	VarPlan       = plan.LabelPlan
	VarAgency     = plan.LabelAgency
	VarTargetID   = plan.LabelTargetID
)

// matcher is one label matcher of a selector, e.g. target_id="x".
type matcher struct{ label, op, value string }

func eq(label, value string) matcher { return matcher{label, "=", value} }

// oneOf matches any of the given ids. Ids are slugs (plan.ValidID), so they
// need no regexp quoting; the QuoteMeta is a guard for plans built in code.
func oneOf(label string, values []string) matcher {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = regexp.QuoteMeta(v)
	}
	return matcher{label, "=~", strings.Join(q, "|")}
}

// sel writes a PromQL selector; values are quoted with %q, which escapes
// exactly what PromQL string literals need. Every family but agency_info
// (agencies are shared by plans) carries the plan label, and every
// selector of one is scoped to the plan chosen in $plan, so two plans in
// one Prometheus never show in each other's panels.
func sel(metric string, ms ...matcher) string {
	if metric != plan.MetricAgencyInfo {
		ms = append([]matcher{eq(plan.LabelPlan, varRef(VarPlan))}, ms...)
	}
	if len(ms) == 0 {
		return metric
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%s%s%q", m.label, m.op, m.value)
	}
	return metric + "{" + strings.Join(parts, ", ") + "}"
}

// varRef is a Grafana variable reference inside a query.
func varRef(name string) string { return "$" + name }

// scope says which targets a panel shows: all of them, or those of the
// agency chosen in the $agency variable, optionally of one kind only.
type scope struct {
	agencyVar bool
	kind      plan.Kind // "" for every kind
}

// info is the target_info selector of the scope.
func (s scope) info() string {
	var ms []matcher
	if s.agencyVar {
		ms = append(ms, eq(plan.LabelAgency, varRef(VarAgency)))
	}
	if s.kind != "" {
		ms = append(ms, eq(plan.LabelKind, string(s.kind)))
	}
	return sel(plan.MetricTargetInfo, ms...)
}

// join multiplies expr by the scope's target_info series, which both filters
// expr to the scope (and to $plan) and copies the named info labels onto it. target_info is
// always 1, so values are unchanged; group_left lets expr carry several
// series per target (the status state set does).
func (s scope) join(expr string, labels ...string) string {
	return fmt.Sprintf("(%s) * on (%s, %s) group_left (%s) %s",
		expr, plan.LabelPlan, plan.LabelTargetID, strings.Join(labels, ", "), s.info())
}

// statusCode gives each status a number for the "most at risk" ranking and
// for value mappings: higher is worse.
var statusCode = map[plan.Status]int{
	plan.Achieved: 1,
	plan.OnTrack:  2,
	plan.NoData:   3,
	plan.AtRisk:   4,
	plan.OffTrack: 5,
	plan.Missed:   6,
	plan.Breached: 7,
}

// statusCodeExpr turns the status state set into one series per target
// whose value is the statusCode of its current status. Every state is
// always emitted, so this returns a series for every target.
func statusCodeExpr(ms ...matcher) string {
	terms := make([]string, len(plan.Statuses))
	for i, st := range plan.Statuses {
		terms[i] = fmt.Sprintf("%s * %d", sel(plan.MetricTargetStatus, append(slices.Clone(ms), eq(plan.LabelStatus, string(st)))...), statusCode[st])
	}
	return fmt.Sprintf("max without (%s) (%s)", plan.LabelStatus, strings.Join(terms, " or "))
}

// gaugeClass says how a quantity target's gauge reads.
type gaugeClass int

const (
	// pace: actual/expected, at least 1 is on track (at_least targets).
	pace gaugeClass = iota
	// share: actual/goal of a cap; nearer 1 is worse.
	share
	// level: the raw actual of a goal-0 target; anything above 0 is a breach.
	level
)

func classOf(t *plan.Target) gaugeClass {
	switch {
	case t.Goal == 0:
		return level
	case t.Direction == plan.AtMost || t.Direction == plan.ZeroGrowth:
		return share
	}
	return pace
}

// gaugeExpr is one series per target of targets: its gauge value by
// class, or NaN for a target with no figures yet (Grafana maps NaN to
// 无数据), so every target keeps its gauge.
func gaugeExpr(targets []*plan.Target) string {
	var byClass [3][]string
	var all []string
	for _, t := range targets {
		c := classOf(t)
		byClass[c] = append(byClass[c], t.ID)
		all = append(all, t.ID)
	}
	actual := func(ids []string) string { return sel(plan.MetricTargetActual, oneOf(plan.LabelTargetID, ids)) }
	var parts []string
	if ids := byClass[pace]; len(ids) > 0 {
		// Before the first month is evaluated nothing is expected yet:
		// any figure is on track (1) rather than a division by zero.
		parts = append(parts,
			fmt.Sprintf("%s / (%s > 0)", actual(ids), sel(plan.MetricTargetExpected, oneOf(plan.LabelTargetID, ids))),
			fmt.Sprintf("%s * 0 + 1", actual(ids)))
	}
	if ids := byClass[share]; len(ids) > 0 {
		parts = append(parts, fmt.Sprintf("%s / %s", actual(ids), sel(plan.MetricTargetGoal, oneOf(plan.LabelTargetID, ids))))
	}
	if ids := byClass[level]; len(ids) > 0 {
		parts = append(parts, actual(ids))
	}
	parts = append(parts, fmt.Sprintf("%s * NaN", sel(plan.MetricTargetGoal, oneOf(plan.LabelTargetID, all))))
	return strings.Join(parts, " or ")
}
