// Package metrics exports progress as Prometheus metrics.
//
// Two paths produce the same families from a plan.Snapshot:
//
//   - Collector, a prometheus.Collector building const metrics in Collect,
//     for registries, tests and tools that want the client_golang way;
//   - Handler, the service's GET /metrics, which renders the progress
//     families once per snapshot version into compressed chunks, re-renders
//     only the chunks whose targets changed, and serves those bytes with the
//     live output of an ordinary registry (request counters, Go and process
//     collectors) appended. A scrape of a province-sized plan then costs a
//     copy of cached bytes instead of building millions of metrics.
//
// Neither path reads the database: both read the snapshot they are given.
package metrics

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// family is one progress metric family. The collector and the renderer
// both emit exactly what its functions produce, so they cannot drift apart.
type family struct {
	name string
	help string
	typ  prometheus.ValueType
	// labels are the label names in the order the text format shows them
	// (sorted, as client_golang sorts them).
	labels []string
	// perTarget emits the family's samples for one target; nil for
	// families that are not per target.
	perTarget func(g *plan.Progress, a *agencyNames, emit emitFunc)
	// perAgency emits the family's samples for one agency.
	perAgency func(a *plan.Agency, emit emitFunc)
	// perPlan emits the family's samples for one plan.
	perPlan func(p *plan.Plan, emit emitFunc)
}

// emitFunc receives one sample: its value and its label values in the
// family's label order.
type emitFunc func(v float64, labelValues ...string)

// agencyNames resolves agency ids to names for target_info, once per plan
// rather than once per target.
type agencyNames map[string]string

func newAgencyNames(s *plan.Snapshot) *agencyNames {
	a := make(agencyNames)
	for _, ag := range agencies(s) {
		a[ag.ID] = ag.Name
	}
	return &a
}

// agencies lists the agencies of every plan of s once each, in plan order;
// plans that share an agency give it the same name (planfile checks that).
func agencies(s *plan.Snapshot) []*plan.Agency {
	var out []*plan.Agency
	seen := map[string]bool{}
	for _, p := range s.Plans {
		for i := range p.Agencies {
			if a := &p.Agencies[i]; !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// statusValues lists the statuses in the order their series are emitted.
var statusValues = func() []string {
	s := make([]string, len(plan.Statuses))
	for i, st := range plan.Statuses {
		s[i] = string(st)
	}
	return s
}()

// targetLabel are the labels of a per-target family with no metadata: the
// plan (so that several plans never collide in Prometheus) and the target.
var targetLabel = []string{plan.LabelPlan, plan.LabelTargetID}

// planDate formats a plan's first or last day for targetwatch_plan_info.
func planDate(t time.Time) string { return t.Format(time.DateOnly) }

// families is the contract of issue 4, in exposition order.
var families = []family{
	{
		name: plan.MetricPlanInfo, typ: prometheus.GaugeValue,
		help:   "Plans the service tracks, with their title and first and last day; always 1.",
		labels: []string{plan.LabelEnd, plan.LabelPlan, plan.LabelStart, plan.LabelTitle},
		perPlan: func(p *plan.Plan, emit emitFunc) {
			emit(1, planDate(p.End), p.ID, planDate(p.Start), p.Title)
		},
	},
	{
		name: plan.MetricAgencyInfo, typ: prometheus.GaugeValue,
		help:   "Agencies responsible for targets; always 1.",
		labels: []string{plan.LabelAgency, plan.LabelAgencyName},
		perAgency: func(a *plan.Agency, emit emitFunc) {
			emit(1, a.ID, a.Name)
		},
	},
	{
		name: plan.MetricTargetInfo, typ: prometheus.GaugeValue,
		help: "Targets of the plans and their metadata; always 1. Join on plan and target_id with group_left.",
		labels: []string{
			plan.LabelAgency, plan.LabelAgencyName, plan.LabelAggregation, plan.LabelCoAgencies, plan.LabelDirection,
			plan.LabelItem, plan.LabelKind, plan.LabelPlan, plan.LabelTargetID, plan.LabelTitle, plan.LabelUnit,
		},
		perTarget: func(g *plan.Progress, a *agencyNames, emit emitFunc) {
			t := g.Target
			emit(1, t.Agency, (*a)[t.Agency], string(t.Aggregation), strings.Join(t.CoAgencies, ","), string(t.Direction),
				t.Item, string(t.Kind), g.Plan.ID, t.ID, t.Title, t.Unit)
		},
	},
	{
		name: plan.MetricTargetGoal, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "The target's goal for the plan, in its unit (1 for a milestone).",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			emit(g.Target.Goal, g.Plan.ID, g.Target.ID)
		},
	},
	{
		name: plan.MetricTargetActual, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "The annual figure made from the current revisions of the reported months; absent until something is reported.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			if g.HasActual {
				emit(g.Actual, g.Plan.ID, g.Target.ID)
			}
		},
	},
	{
		name: plan.MetricTargetExpected, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "Where the target's trajectory stands at the end of the last month whose report is due.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			emit(g.Expected, g.Plan.ID, g.Target.ID)
		},
	},
	{
		name: plan.MetricTargetProjected, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "The figure expected at the deadline at the current pace; absent until something is reported.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			if g.HasProjected {
				emit(g.Projected, g.Plan.ID, g.Target.ID)
			}
		},
	},
	{
		name: plan.MetricTargetProgressRatio, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "Actual divided by goal; absent without data, with a zero goal and for growth rates.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			if r, ok := g.ProgressRatio(); ok {
				emit(r, g.Plan.ID, g.Target.ID)
			}
		},
	},
	{
		name: plan.MetricTargetExpectedRatio, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "Expected divided by goal; absent with a zero goal and for growth rates.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			if r, ok := g.ExpectedRatio(); ok {
				emit(r, g.Plan.ID, g.Target.ID)
			}
		},
	},
	{
		name: plan.MetricTargetStatus, typ: prometheus.GaugeValue,
		help:   "The target's status as a state set: one series per status, 1 for the current one.",
		labels: []string{plan.LabelPlan, plan.LabelStatus, plan.LabelTargetID},
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			for i, s := range statusValues {
				v := 0.0
				if plan.Statuses[i] == g.Status {
					v = 1
				}
				emit(v, g.Plan.ID, s, g.Target.ID)
			}
		},
	},
	{
		name: plan.MetricTargetDeadline, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "When the report proving the goal met is due, as a Unix time.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			emit(unixSeconds(g.Deadline), g.Plan.ID, g.Target.ID)
		},
	},
	{
		name: plan.MetricTargetLastReport, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "Commit time of the target's newest counted revision as a Unix time; 0 when never reported.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			emit(unixSeconds(g.LastReport), g.Plan.ID, g.Target.ID)
		},
	},
	{
		name: plan.MetricTargetMissing, typ: prometheus.GaugeValue, labels: targetLabel,
		help: "Months whose report is due but absent.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			emit(float64(len(g.Missing)), g.Plan.ID, g.Target.ID)
		},
	},
	{
		name: plan.MetricTargetRevisions, typ: prometheus.CounterValue, labels: targetLabel,
		help: "Corrections so far: revisions beyond the first of each month.",
		perTarget: func(g *plan.Progress, _ *agencyNames, emit emitFunc) {
			emit(float64(g.Corrections), g.Plan.ID, g.Target.ID)
		},
	},
}

// familyNames is the set of names the progress families use; the handler
// drops families of these names from the live registry, so a collector
// registered there by mistake cannot make the exposition invalid.
var familyNames = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range families {
		m[f.name] = true
	}
	return m
}()

// FamilyNames lists the names of the progress metric families, sorted.
func FamilyNames() []string { return slices.Sorted(maps.Keys(familyNames)) }

// unixSeconds is t as a Unix time in seconds, 0 for the zero time (never).
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}
