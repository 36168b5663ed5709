package plan

// Metric and label names are a contract between the collector, the
// generated dashboards and the alert rules; all of them take the names from
// here.
const (
	MetricPrefix = "targetwatch_"

	MetricPlanInfo            = "targetwatch_plan_info"
	MetricTargetInfo          = "targetwatch_target_info"
	MetricAgencyInfo          = "targetwatch_agency_info"
	MetricTargetGoal          = "targetwatch_target_goal"
	MetricTargetActual        = "targetwatch_target_actual"
	MetricTargetExpected      = "targetwatch_target_expected"
	MetricTargetProjected     = "targetwatch_target_projected"
	MetricTargetProgressRatio = "targetwatch_target_progress_ratio"
	MetricTargetExpectedRatio = "targetwatch_target_expected_ratio"
	MetricTargetStatus        = "targetwatch_target_status"
	MetricTargetDeadline      = "targetwatch_target_deadline_timestamp_seconds"
	MetricTargetLastReport    = "targetwatch_target_last_report_timestamp_seconds"
	MetricTargetMissing       = "targetwatch_target_reports_missing"
	MetricTargetRevisions     = "targetwatch_target_revisions_total"

	// The outcome of the latest reload of the targets files (SIGHUP or
	// POST /-/reload), as Prometheus reports its own configuration's.
	MetricPlanLastReloadSuccessful = "targetwatch_plan_last_reload_successful"
	MetricPlanLastReloadSuccess    = "targetwatch_plan_last_reload_success_timestamp_seconds"

	// LabelPlan is the plan's id on every per-target series, so that
	// several plans (or several services) in one Prometheus never collide
	// on target_id.
	LabelPlan       = "plan"
	LabelStart      = "start"
	LabelEnd        = "end"
	LabelTargetID   = "target_id"
	LabelItem       = "item"
	LabelTitle      = "title"
	LabelAgency     = "agency"
	LabelAgencyName = "agency_name"
	// LabelCoAgencies lists a target's co-agencies on target_info: their
	// ids, sorted, joined by commas ("" when it has none).
	LabelCoAgencies  = "co_agencies"
	LabelUnit        = "unit"
	LabelDirection   = "direction"
	LabelAggregation = "aggregation"
	LabelKind        = "kind"
	LabelStatus      = "status"

	AlertTargetAtRisk        = "TargetAtRisk"
	AlertTargetOffTrack      = "TargetOffTrack"
	AlertTargetCapBreached   = "TargetCapBreached"
	AlertTargetMissed        = "TargetMissed"
	AlertTargetReportOverdue = "TargetReportOverdue"
	AlertTargetwatchDown     = "TargetwatchDown"
	AlertPlanReloadFailed    = "TargetwatchPlanReloadFailed"

	// PrometheusJob is the scrape job name used by the shipped Prometheus
	// config, the rules and the dashboards.
	PrometheusJob = "targetwatch"
)

// Grafana dashboard uids, stable so links from alerts keep working.
const (
	DashboardOverviewUID = "targetwatch-overview"
	DashboardAgencyUID   = "targetwatch-agency"
	DashboardTargetUID   = "targetwatch-target"
)
