package dashboards

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/grafana-tools/sdk"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// generator builds the three dashboards of one or several plans: the
// $plan variable chooses which one a dashboard shows.
type generator struct {
	plan  *plan.Plan   // the first plan: its time zone and thresholds are the boards'
	plans []*plan.Plan // every plan, plan first; nil means plan alone
}

// all is every plan of the generator.
func (g *generator) all() []*plan.Plan {
	if g.plans == nil {
		return []*plan.Plan{g.plan}
	}
	return g.plans
}

// title names the plans in a board's title.
func (g *generator) title() string {
	var ts []string
	for _, p := range g.all() {
		ts = append(ts, p.Title)
	}
	return strings.Join(ts, "；")
}

// thresholds are those of the plan target t belongs to.
func (g *generator) thresholds(t *plan.Target) plan.Thresholds {
	for _, p := range g.all() {
		if _, ok := p.Target(t.ID); ok {
			return p.Thresholds
		}
	}
	return g.plan.Thresholds
}

// schemaVersion is the dashboard schema the JSON is written for (Grafana
// 9); newer Grafanas migrate it on load.
const schemaVersion = 36

func (g *generator) board(uid, title string, vars ...sdk.TemplateVar) *sdk.Board {
	// Not sdk.NewBoard: it numbers boards from an unguarded package
	// counter, which would make Generate unsafe for concurrent use. The
	// numeric id is Grafana's business; the uid is ours.
	b := &sdk.Board{Title: title, Style: "dark"}
	b.UID = uid
	b.Slug = uid
	b.Tags = []string{Tag}
	b.Timezone = g.plan.Timezone
	b.Editable = false // regenerated from targets.yaml, never edited by hand
	b.SchemaVersion = schemaVersion
	b.Time = sdk.Time{From: "now-30d", To: "now"}
	b.Timepicker = sdk.Timepicker{RefreshIntervals: []string{"1m", "5m", "15m", "1h"}, TimeOptions: []string{}}
	b.Refresh = &sdk.BoolString{Flag: true, Value: "5m"}
	yes := true
	b.Links = []sdk.Link{{Title: "targetwatch", Type: "dashboards", Tags: []string{Tag}, AsDropdown: &yes, KeepTime: &yes, IncludeVars: false}}
	b.Annotations.List = []sdk.Annotation{}
	b.Rows = []*sdk.Row{}
	planVar := sdk.TemplateVar{
		Name: VarPlan, Label: "计划", Type: "query",
		Datasource: promDatasource,
		Query:      fmt.Sprintf("label_values(%s, %s)", plan.MetricPlanInfo, plan.LabelPlan),
		Refresh:    sdk.BoolInt{Value: ptr(int64(1))}, // on dashboard load
		Sort:       1,
		Options:    []sdk.Option{},
	}
	b.Templating.List = append([]sdk.TemplateVar{{
		Name: VarDatasource, Label: "数据源", Type: "datasource", Query: "prometheus",
		Options: []sdk.Option{},
	}, planVar}, vars...)
	return b
}

// labelVar is a variable listing the values of one target_info label
// among the targets of the plan chosen in $plan.
func labelVar(name, label, title string) sdk.TemplateVar {
	return sdk.TemplateVar{
		Name: name, Label: title, Type: "query",
		Datasource: promDatasource,
		Query:      fmt.Sprintf("label_values(%s, %s)", sel(plan.MetricTargetInfo), label),
		Refresh:    sdk.BoolInt{Value: ptr(int64(1))}, // on dashboard load
		Sort:       1,
		Options:    []sdk.Option{},
	}
}

func ptr[T any](v T) *T { return &v }

func (g *generator) quantityTargets() []*plan.Target {
	var out []*plan.Target
	for _, p := range g.all() {
		for i := range p.Targets {
			if t := &p.Targets[i]; t.Kind == plan.Quantity {
				out = append(out, t)
			}
		}
	}
	return out
}

func (g *generator) overview() *sdk.Board {
	b := g.board(plan.DashboardOverviewUID, "总览："+g.title())
	s := scope{}
	var l layout
	l.row("状态概览")
	l.add(g.statusCounts(s))
	if qs := g.quantityTargets(); len(qs) > 0 {
		l.row("数量指标进度")
		l.add(g.gauges(s, len(qs)))
	}
	l.row("缺报与风险")
	l.add(g.overdueByAgency())
	l.add(g.mostAtRisk(s))
	if g.hasMilestones() {
		l.row("里程碑")
		l.add(g.milestones(s))
	}
	b.Panels = l.panels
	return b
}

func (g *generator) agency() *sdk.Board {
	b := g.board(plan.DashboardAgencyUID, "部门："+g.title(),
		labelVar(VarAgency, plan.LabelAgency, "部门"))
	s := scope{agencyVar: true}
	var l layout
	l.row("状态概览")
	l.add(panelSpec{
		kind: "stat", title: "部门", w: 6, h: 4,
		queries: []query{{expr: sel(plan.MetricAgencyInfo, eq(plan.LabelAgency, varRef(VarAgency))), legend: "{{" + plan.LabelAgencyName + "}}", instant: true}},
		options: statOptions("name", "none"),
	})
	sc := g.statusCounts(s)
	sc.w = 18
	l.add(sc)
	if qs := g.quantityTargets(); len(qs) > 0 {
		perAgency := map[string]int{}
		most := 0
		for _, t := range qs {
			perAgency[t.Agency]++
			most = max(most, perAgency[t.Agency])
		}
		l.row("数量指标进度")
		l.add(g.gauges(s, most))
	}
	l.row("缺报与风险")
	l.add(g.overdueByTarget(s))
	l.add(g.mostAtRisk(s))
	if g.hasMilestones() {
		l.row("里程碑")
		l.add(g.milestones(s))
	}
	b.Panels = l.panels
	return b
}

func (g *generator) target() *sdk.Board {
	b := g.board(plan.DashboardTargetUID, "指标详情："+g.title(),
		labelVar(VarTargetID, plan.LabelTargetID, "指标"))
	this := eq(plan.LabelTargetID, varRef(VarTargetID))
	m := func(metric string) string { return sel(metric, this) }
	withUnit := func(expr string) string { return scope{}.join(expr, plan.LabelUnit) }
	valueStat := func(title, expr string) panelSpec {
		return panelSpec{
			kind: "stat", title: title, w: 4, h: 4,
			queries:     []query{{expr: withUnit(expr), legend: "{{" + plan.LabelUnit + "}}", instant: true}},
			options:     statOptions("value_and_name", "none"),
			fieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: "none", NoValue: "—", Color: fixed("blue")}},
		}
	}
	var l layout
	l.row("概况")
	l.add(panelSpec{
		kind: "stat", title: "指标", w: 8, h: 4,
		queries: []query{{expr: m(plan.MetricTargetInfo), legend: fmt.Sprintf("{{%s}} {{%s}}（{{%s}}）", plan.LabelItem, plan.LabelTitle, plan.LabelAgencyName), instant: true}},
		options: statOptions("name", "none"),
	})
	l.add(panelSpec{
		kind: "stat", title: "状态", w: 4, h: 4,
		queries:     []query{{expr: statusCodeExpr(this), legend: "状态", instant: true}},
		options:     statOptions("value", "background"),
		fieldConfig: fieldConfig{Defaults: fieldDefaults{Color: sdk.FieldConfigColor{Mode: "thresholds"}, Thresholds: steps("#8e8e8e"), Mappings: []mapping{statusMapping()}}},
	})
	l.add(valueStat("目标值", m(plan.MetricTargetGoal)))
	l.add(valueStat("实际值", m(plan.MetricTargetActual)))
	l.add(valueStat("应达值", m(plan.MetricTargetExpected)))
	l.add(valueStat("年末预测", m(plan.MetricTargetProjected)))
	l.add(panelSpec{
		kind: "stat", title: "完成率（实际/目标）", w: 4, h: 4,
		description: "目标为 0 的指标不计算完成率。",
		queries:     []query{{expr: m(plan.MetricTargetProgressRatio), legend: "完成率", instant: true}},
		options:     statOptions("value", "none"),
		fieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: "percentunit", Decimals: ptr(1), NoValue: "不适用", Color: fixed("blue")}},
	})
	l.add(panelSpec{
		kind: "stat", title: "应达进度（应达/目标）", w: 4, h: 4,
		queries:     []query{{expr: m(plan.MetricTargetExpectedRatio), legend: "应达进度", instant: true}},
		options:     statOptions("value", "none"),
		fieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: "percentunit", Decimals: ptr(1), NoValue: "不适用", Color: fixed("blue")}},
	})
	l.add(panelSpec{
		kind: "stat", title: "缺报月数", w: 4, h: 4,
		description: "已到报送期限但未报送的月份数。",
		queries:     []query{{expr: m(plan.MetricTargetMissing), legend: "缺报月数", instant: true}},
		options:     statOptions("value", "background"),
		fieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: "none", Color: sdk.FieldConfigColor{Mode: "thresholds"}, Thresholds: steps("green", 1.0, "red")}},
	})
	l.add(panelSpec{
		kind: "stat", title: "距上次报送", w: 4, h: 4,
		queries:     []query{{expr: fmt.Sprintf("time() - (%s > 0)", m(plan.MetricTargetLastReport)), legend: "距上次报送", instant: true}},
		options:     statOptions("value", "none"),
		fieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: "dtdurations", NoValue: "从未报送", Color: fixed("blue")}},
	})
	l.add(panelSpec{
		kind: "stat", title: "距考核截止", w: 4, h: 4,
		description: "证明完成目标的月报的报送期限。",
		queries:     []query{{expr: fmt.Sprintf("%s - time()", m(plan.MetricTargetDeadline)), legend: "距考核截止", instant: true}},
		options:     statOptions("value", "none"),
		fieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: "dtdurations", Color: fixed("blue")}},
	})
	l.add(panelSpec{
		kind: "stat", title: "报送修订次数", w: 4, h: 4,
		description: "全部报送记录的次数，含各月首次报送；超出月份数的部分为更正。",
		queries:     []query{{expr: m(plan.MetricTargetRevisions), legend: "修订次数", instant: true}},
		options:     statOptions("value", "none"),
		fieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: "none", Color: fixed("blue")}},
	})

	l.row("趋势")
	l.add(timeseries("实际、应达、目标与预测", 24, 9, "none",
		query{expr: m(plan.MetricTargetActual), legend: "实际"},
		query{expr: m(plan.MetricTargetExpected), legend: "应达"},
		query{expr: m(plan.MetricTargetGoal), legend: "目标"},
		query{expr: m(plan.MetricTargetProjected), legend: "年末预测"},
	))
	l.add(timeseries("缺报月数", 8, 8, "none", query{expr: m(plan.MetricTargetMissing), legend: "缺报月数"}))
	l.add(timeseries("距上次报送", 8, 8, "s", query{expr: fmt.Sprintf("time() - (%s > 0)", m(plan.MetricTargetLastReport)), legend: "距上次报送"}))
	l.add(timeseries("报送修订（更正）", 8, 8, "none",
		query{expr: m(plan.MetricTargetRevisions), legend: "修订累计"},
		query{expr: fmt.Sprintf("increase(%s[1d])", m(plan.MetricTargetRevisions)), legend: "近一日新增"},
	))
	b.Panels = l.panels
	return b
}

func fixed(color string) sdk.FieldConfigColor {
	return sdk.FieldConfigColor{Mode: "fixed", FixedColor: color}
}

func statOptions(textMode, colorMode string) map[string]any {
	return map[string]any{
		"reduceOptions": map[string]any{"values": false, "calcs": []string{"lastNotNull"}, "fields": ""},
		"orientation":   "auto",
		"textMode":      textMode,
		"colorMode":     colorMode,
		"graphMode":     "none",
		"justifyMode":   "auto",
	}
}

func timeseries(title string, w, h int, unit string, qs ...query) panelSpec {
	return panelSpec{
		kind: "timeseries", title: title, w: w, h: h, queries: qs,
		options: map[string]any{
			"legend":  map[string]any{"displayMode": "list", "placement": "bottom", "calcs": []string{}},
			"tooltip": map[string]any{"mode": "multi", "sort": "none"},
		},
		fieldConfig: fieldConfig{Defaults: fieldDefaults{
			Unit:  unit,
			Color: sdk.FieldConfigColor{Mode: "palette-classic"},
			Custom: map[string]any{
				"drawStyle": "line", "lineInterpolation": "stepAfter", "lineWidth": 2,
				"fillOpacity": 0, "showPoints": "never", "spanNulls": false,
			},
		}},
	}
}

// statusMapping shows a statusCode as the status's Chinese name and colour.
func statusMapping() mapping {
	var values []string
	var results []mappingResult
	for _, st := range plan.Statuses {
		values = append(values, strconv.Itoa(statusCode[st]))
		results = append(results, mappingResult{Text: statusName(st), Color: statusColors[st]})
	}
	return valueMapping(values, results)
}

// statusCounts is one stat per status: how many targets are in it.
func (g *generator) statusCounts(s scope) panelSpec {
	ps := panelSpec{
		kind: "stat", title: "各状态指标数", w: gridWidth, h: 4,
		description: "每个指标恰好处于一种状态。",
		options:     statOptions("value_and_name", "background"),
		fieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: "none", Decimals: ptr(0), Color: fixed("#8e8e8e")}},
	}
	for _, st := range plan.Statuses {
		name := statusName(st)
		expr := sel(plan.MetricTargetStatus, eq(plan.LabelStatus, string(st)))
		if s.agencyVar {
			expr = s.join(expr)
		}
		ps.queries = append(ps.queries, query{expr: "sum(" + expr + ")", legend: name, instant: true})
		ps.fieldConfig.Overrides = append(ps.fieldConfig.Overrides, byName(name, property{"color", fixed(statusColors[st])}))
	}
	return ps
}

// gauges shows one gauge per quantity target, coloured by what on track
// means for its direction: for at_least targets the gauge is actual over
// expected (green from the at_risk threshold up); for caps it is actual over
// the cap (nearer the cap is worse); for goal-0 targets it is the actual
// itself (anything above 0 is a breach). n is how many gauges the panel
// must make room for.
func (g *generator) gauges(s scope, n int) panelSpec {
	qs := g.quantityTargets()
	th := g.plan.Thresholds
	legend := "{{" + plan.LabelTitle + "}}"
	name := func(t *plan.Target) string { return t.Title }
	if !uniqueTitles(qs) {
		legend = fmt.Sprintf("{{%s}}（{{%s}}）", plan.LabelTitle, plan.LabelTargetID)
		name = func(t *plan.Target) string { return fmt.Sprintf("%s（%s）", t.Title, t.ID) }
	}
	var overrides []override
	for _, t := range qs {
		switch classOf(t) {
		case pace:
			// The default steps are the first plan's; a target of a
			// plan with other pace thresholds gets its own.
			if tt := g.thresholds(t); tt.AtRisk != th.AtRisk || tt.OffTrack != th.OffTrack {
				overrides = append(overrides, byName(name(t),
					property{"thresholds", steps("red", tt.OffTrack, "yellow", tt.AtRisk, "green")}))
			}
		case share:
			overrides = append(overrides, byName(name(t),
				property{"thresholds", steps("green", g.thresholds(t).CapWarning, "yellow", 1.0, "red")},
				property{"max", 1.2}))
		case level:
			// Figures are never negative, so the smallest positive
			// step marks any increase as a breach.
			overrides = append(overrides, byName(name(t),
				property{"thresholds", steps("green", 1e-9, "red")},
				property{"unit", "suffix: " + t.Unit},
				property{"decimals", 0},
				property{"max", 1.0}))
		}
	}
	const perRow = 6
	rows := (n + perRow - 1) / perRow
	noValue := ""
	if s.agencyVar {
		noValue = "本部门没有数量指标"
	}
	return panelSpec{
		kind: "gauge", title: "完成进度", w: gridWidth, h: 5 * rows,
		description: "递增类指标：实际值/应达值，达到 100% 即按计划推进；" +
			"上限类指标：实际值/上限，越接近上限越差；零增长指标：实际增量，大于 0 即突破。" +
			"点击仪表进入指标详情。",
		queries: []query{{expr: s.join(gaugeExpr(qs), plan.LabelTitle), legend: legend, instant: true}},
		options: map[string]any{
			"reduceOptions":        map[string]any{"values": false, "calcs": []string{"lastNotNull"}, "fields": ""},
			"orientation":          "auto",
			"showThresholdLabels":  false,
			"showThresholdMarkers": true,
		},
		fieldConfig: fieldConfig{
			Defaults: fieldDefaults{
				Unit: "percentunit", Decimals: ptr(0), Min: ptr(0.0), Max: ptr(1.5), NoValue: noValue,
				Color:      sdk.FieldConfigColor{Mode: "thresholds"},
				Thresholds: steps("red", th.OffTrack, "yellow", th.AtRisk, "green"),
				Mappings:   []mapping{specialMapping("nan", mappingResult{Text: statusName(plan.NoData), Color: statusColors[plan.NoData]})},
				Links:      []link{targetLink("${__field.labels." + plan.LabelTargetID + "}")},
			},
			Overrides: overrides,
		},
	}
}

func uniqueTitles(ts []*plan.Target) bool {
	seen := map[string]bool{}
	for _, t := range ts {
		if seen[t.Title] {
			return false
		}
		seen[t.Title] = true
	}
	return true
}

// targetLink opens the target detail dashboard, keeping the time range and
// datasource.
func targetLink(id string) link {
	return link{
		Title: "指标详情",
		URL: fmt.Sprintf("/d/%s?var-%s=%s&${__url_time_range}&${%s:queryparam}&${%s:queryparam}",
			plan.DashboardTargetUID, VarTargetID, id, VarDatasource, VarPlan),
	}
}

// overdueByAgency is a table of missing monthly reports per agency.
func (g *generator) overdueByAgency() panelSpec {
	s := scope{}
	byAgency := func(expr string) string {
		return fmt.Sprintf("sum by (%s, %s) (%s)", plan.LabelAgency, plan.LabelAgencyName,
			s.join(expr, plan.LabelAgency, plan.LabelAgencyName))
	}
	m := sel(plan.MetricTargetMissing)
	return panelSpec{
		kind: "table", title: "各部门缺报情况", w: 10, h: 10,
		description: "缺报月数：已过报送期限仍未报送的月份合计；缺报指标数：至少缺报一个月的指标个数。点击进入部门看板。",
		queries: []query{
			{expr: byAgency(m), table: true},
			{expr: byAgency(m + " > bool 0"), table: true},
		},
		transformations: []transformation{
			{ID: "merge", Options: map[string]any{}},
			sortBy("Value #A", true),
			organize([][2]string{
				{plan.LabelAgencyName, "部门"}, {"Value #A", "缺报月数"}, {"Value #B", "缺报指标数"}, {plan.LabelAgency, "部门编号"},
			}, "Time"),
		},
		options: map[string]any{"showHeader": true, "cellHeight": "sm"},
		fieldConfig: fieldConfig{Defaults: fieldDefaults{
			Color: sdk.FieldConfigColor{Mode: "thresholds"},
			Links: []link{{
				Title: "部门看板",
				URL: fmt.Sprintf("/d/%s?var-%s=${__data.fields.%s}&${__url_time_range}&${%s:queryparam}&${%s:queryparam}",
					plan.DashboardAgencyUID, VarAgency, plan.LabelAgency, VarDatasource, VarPlan),
			}},
		}, Overrides: []override{
			byName("缺报月数", property{"custom.displayMode", "color-text"}, property{"thresholds", steps("green", 1.0, "red")}),
			byName("缺报指标数", property{"custom.displayMode", "color-text"}, property{"thresholds", steps("green", 1.0, "red")}),
		}},
	}
}

// overdueByTarget is a table of missing monthly reports per target of the
// chosen agency.
func (g *generator) overdueByTarget(s scope) panelSpec {
	lr := sel(plan.MetricTargetLastReport)
	return panelSpec{
		kind: "table", title: "各指标缺报情况", w: 10, h: 10,
		description: "缺报月数：已过报送期限仍未报送的月份数。点击进入指标详情。",
		queries: []query{
			{expr: s.join(sel(plan.MetricTargetMissing), plan.LabelItem, plan.LabelTitle), table: true},
			// -1 marks a target never reported; the value mapping names it.
			{expr: s.join(fmt.Sprintf("time() - (%s > 0) or %s * 0 - 1", lr, lr), plan.LabelItem, plan.LabelTitle), table: true},
		},
		transformations: []transformation{
			{ID: "merge", Options: map[string]any{}},
			sortBy("Value #A", true),
			organize([][2]string{
				{plan.LabelItem, "条目"}, {plan.LabelTitle, "指标"}, {"Value #A", "缺报月数"}, {"Value #B", "距上次报送"}, {plan.LabelTargetID, "编号"},
			}, "Time", "instance", "job", plan.LabelPlan),
		},
		options: map[string]any{"showHeader": true, "cellHeight": "sm"},
		fieldConfig: fieldConfig{Defaults: fieldDefaults{
			Color: sdk.FieldConfigColor{Mode: "thresholds"},
			Links: []link{targetLink("${__data.fields." + plan.LabelTargetID + "}")},
		}, Overrides: []override{
			byName("缺报月数", property{"custom.displayMode", "color-text"}, property{"thresholds", steps("green", 1.0, "red")}),
			byName("距上次报送", property{"unit", "dtdurations"}, property{"mappings", []mapping{valueMapping([]string{"-1"}, []mappingResult{{Text: "从未报送"}})}}),
		}},
	}
}

// mostAtRisk lists the ten targets whose status is worst.
func (g *generator) mostAtRisk(s scope) panelSpec {
	return panelSpec{
		kind: "table", title: "风险最高的指标", w: gridWidth - 10, h: 10,
		description: "按状态由重到轻排列的前十个指标：突破上限、未按期完成、进度滞后、存在风险、暂无数据。点击进入指标详情。",
		queries: []query{{
			expr:  fmt.Sprintf("topk(10, %s)", s.join(statusCodeExpr(), plan.LabelItem, plan.LabelTitle, plan.LabelAgencyName)),
			table: true,
		}},
		transformations: []transformation{
			sortBy("Value", true),
			organize([][2]string{
				{plan.LabelItem, "条目"}, {plan.LabelTitle, "指标"}, {plan.LabelAgencyName, "部门"}, {"Value", "状态"}, {plan.LabelTargetID, "编号"},
			}, "Time", "instance", "job", plan.LabelPlan),
		},
		options: map[string]any{"showHeader": true, "cellHeight": "sm"},
		fieldConfig: fieldConfig{Defaults: fieldDefaults{
			Color: sdk.FieldConfigColor{Mode: "thresholds"},
			Links: []link{targetLink("${__data.fields." + plan.LabelTargetID + "}")},
		}, Overrides: []override{
			byName("状态", property{"custom.displayMode", "color-background"}, property{"mappings", []mapping{statusMapping()}}),
		}},
	}
}

func (g *generator) hasMilestones() bool {
	for _, p := range g.all() {
		for _, t := range p.Targets {
			if t.Kind == plan.Milestone {
				return true
			}
		}
	}
	return false
}

// milestones lists the dated yes/no commitments with their status and the
// date their proof is due; gauges cover only quantities.
func (g *generator) milestones(s scope) panelSpec {
	ms := scope{agencyVar: s.agencyVar, kind: plan.Milestone}
	labels := []string{plan.LabelItem, plan.LabelTitle, plan.LabelAgencyName}
	noValue := ""
	if s.agencyVar {
		noValue = "本部门没有里程碑"
	}
	return panelSpec{
		kind: "table", title: "里程碑", w: gridWidth, h: 10,
		description: "按期完成即可的事项（是/否）。截止：证明完成的月报的报送期限。点击进入指标详情。",
		queries: []query{
			{expr: ms.join(statusCodeExpr(), labels...), table: true},
			// Grafana's date units take milliseconds.
			{expr: ms.join(sel(plan.MetricTargetDeadline)+" * 1000", labels...), table: true},
		},
		transformations: []transformation{
			{ID: "merge", Options: map[string]any{}},
			sortBy("Value #A", true),
			organize([][2]string{
				{plan.LabelItem, "条目"}, {plan.LabelTitle, "里程碑"}, {plan.LabelAgencyName, "部门"},
				{"Value #A", "状态"}, {"Value #B", "截止"}, {plan.LabelTargetID, "编号"},
			}, "Time", "instance", "job", plan.LabelPlan),
		},
		options: map[string]any{"showHeader": true, "cellHeight": "sm"},
		fieldConfig: fieldConfig{Defaults: fieldDefaults{
			NoValue: noValue,
			Color:   sdk.FieldConfigColor{Mode: "thresholds"},
			Links:   []link{targetLink("${__data.fields." + plan.LabelTargetID + "}")},
		}, Overrides: []override{
			byName("状态", property{"custom.displayMode", "color-background"}, property{"mappings", []mapping{statusMapping()}}),
			byName("截止", property{"unit", "time:YYYY-MM-DD"}),
		}},
	}
}
