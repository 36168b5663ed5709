// Package report renders a progress snapshot as the plan execution report
// (执行情况报告) that governments publish mid-year and at year end: one row
// per target with its goal, actual, expected and projected figures, the gap
// to the schedule, its status and the months still unreported.
//
// Rendering is pure: it reads a *plan.Snapshot and writes bytes, so the API,
// the command line and the status page show exactly the same numbers.
// Column headers and sentences are Chinese by default and English on request.
package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// Lang selects the language of headers, statuses and sentences.
type Lang string

// Languages.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// ParseLang maps a query value or an Accept-Language tag to a Lang; anything
// that is not English is Chinese, the plan's own language.
func ParseLang(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "en" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_") {
		return English
	}
	return Chinese
}

// Row is one target of the report, with every number already computed from
// the snapshot. Optional figures are nil when they do not exist (nothing
// reported, no projection), so "not reported" never reads as zero.
type Row struct {
	Plan        string         `json:"plan"` // the id of the target's plan
	TargetID    string         `json:"target_id"`
	Item        string         `json:"item"`
	Title       string         `json:"title"`
	AgencyID    string         `json:"agency"`
	AgencyName  string         `json:"agency_name"`
	Kind        plan.Kind      `json:"kind"`
	Direction   plan.Direction `json:"direction"`
	Unit        string         `json:"unit"`
	Goal        float64        `json:"goal"`
	Actual      *float64       `json:"actual"`
	Expected    float64        `json:"expected"`
	Gap         *float64       `json:"gap_to_expected"` // actual − expected, in the target's unit
	Projected   *float64       `json:"projected"`
	Status      plan.Status    `json:"status"`
	StatusText  string         `json:"status_text"`
	Missing     []string       `json:"missing_periods"`
	Summary     string         `json:"summary"` // "完成X, 比序时进度低Y个百分点"
	LastReport  string         `json:"last_report,omitempty"`
	Corrections int            `json:"corrections"`
}

// Rows builds one row per target in plan order.
func Rows(s *plan.Snapshot, lang Lang) []Row {
	rows := make([]Row, 0, len(s.Targets))
	for i := range s.Targets {
		rows = append(rows, NewRow(s, s.Targets[i], lang))
	}
	return rows
}

// NewRow computes the row of one target.
func NewRow(s *plan.Snapshot, g *plan.Progress, lang Lang) Row {
	t := g.Target
	r := Row{
		Plan:        g.Plan.ID,
		TargetID:    t.ID,
		Item:        t.Item,
		Title:       Title(t, lang),
		AgencyID:    t.Agency,
		AgencyName:  AgencyName(g.Plan, t.Agency, lang),
		Kind:        t.Kind,
		Direction:   t.Direction,
		Unit:        Unit(t, lang),
		Goal:        t.Goal,
		Expected:    round(g.Expected),
		Status:      g.Status,
		StatusText:  StatusText(g.Status, lang),
		Missing:     []string{},
		Corrections: g.Corrections,
	}
	if g.HasActual {
		a, gap := round(g.Actual), round(g.Actual-g.Expected)
		r.Actual, r.Gap = &a, &gap
	}
	if g.HasProjected {
		p := round(g.Projected)
		r.Projected = &p
	}
	for _, m := range g.Missing {
		r.Missing = append(r.Missing, m.String())
	}
	if !g.LastReport.IsZero() {
		loc := g.Plan.Location
		if loc == nil {
			loc = g.LastReport.Location()
		}
		r.LastReport = g.LastReport.In(loc).Format("2006-01-02T15:04:05-07:00")
	}
	r.Summary = Summary(g, lang)
	return r
}

// Title is the target's title in lang, falling back to Chinese.
func Title(t *plan.Target, lang Lang) string {
	if lang == English && t.TitleEN != "" {
		return t.TitleEN
	}
	return t.Title
}

// Unit is the target's unit in lang, falling back to Chinese.
func Unit(t *plan.Target, lang Lang) string {
	if lang == English && t.UnitEN != "" {
		return t.UnitEN
	}
	return t.Unit
}

// AgencyName is the agency's name in lang, or its id when it is unknown.
func AgencyName(p *plan.Plan, id string, lang Lang) string {
	a, ok := p.Agency(id)
	if !ok {
		return id
	}
	if lang == English && a.NameEN != "" {
		return a.NameEN
	}
	return a.Name
}

var statusText = map[plan.Status][2]string{
	plan.NoData:   {"暂无数据", "no data"},
	plan.OnTrack:  {"正常推进", "on track"},
	plan.AtRisk:   {"存在风险", "at risk"},
	plan.OffTrack: {"进度滞后", "off track"},
	plan.Achieved: {"已完成", "achieved"},
	plan.Missed:   {"未按期完成", "missed"},
	plan.Breached: {"突破上限", "breached"},
}

// StatusText is the human name of a status.
func StatusText(st plan.Status, lang Lang) string {
	n, ok := statusText[st]
	if !ok {
		return string(st)
	}
	if lang == English {
		return n[1]
	}
	return n[0]
}

// Summary is the one-sentence verdict in the style of published execution
// reports: how much is done and how far that is from the schedule.
func Summary(g *plan.Progress, lang Lang) string {
	t := g.Target
	en := lang == English
	unit := Unit(t, lang)
	if !g.HasActual {
		if g.Evaluated.IsZero() {
			return pick(en, "尚未到报送期", "no report due yet")
		}
		return pick(en, "未报送数据", "nothing reported")
	}
	a := Number(g.Actual)
	switch {
	case t.Kind == plan.Milestone:
		if g.Actual >= 1 {
			return pick(en, "已完成", "done")
		}
		if g.Status == plan.Missed {
			return pick(en, "逾期未完成", "not done by its due date")
		}
		return pick(en, "尚未完成", "not done yet")
	case t.IsGrowth():
		return growthSummary(g, en)
	case t.Direction == plan.ZeroGrowth:
		if g.Actual > 0 {
			return fmt.Sprintf(pick(en, "新增%s%s, 未实现零增长", "increase of %s %s: zero growth not held"), a, unit)
		}
		return pick(en, "保持零增长", "zero growth held")
	case t.Direction == plan.AtMost:
		d := Number(math.Abs(g.Actual - t.Goal))
		if g.Actual > t.Goal {
			return fmt.Sprintf(pick(en, "实际%s%s, 超出上限%s%s", "actual %s %s, %s %s over the cap"), a, unit, d, unit)
		}
		return fmt.Sprintf(pick(en, "实际%s%s, 低于上限%s%s", "actual %s %s, %s %s under the cap"), a, unit, d, unit)
	}
	if t.Aggregation == plan.Mean {
		// A floor on a daily rate: above or below it, not "done".
		d := Number(math.Abs(g.Actual - t.Goal))
		if g.Actual < t.Goal {
			return fmt.Sprintf(pick(en, "实际%s%s, 低于目标%s%s", "actual %s %s, %s %s under the floor"), a, unit, d, unit)
		}
		return fmt.Sprintf(pick(en, "实际%s%s, 高于目标%s%s", "actual %s %s, %s %s above the floor"), a, unit, d, unit)
	}
	// at_least: compare in percentage points of the goal, the way execution
	// reports compare a completion rate with the schedule (序时进度).
	if t.IsPercent() {
		pts := Number(math.Abs(g.Actual - g.Expected))
		switch {
		case g.Actual < g.Expected:
			return fmt.Sprintf(pick(en, "达到%s%%, 比序时进度低%s个百分点", "at %s%%, %s points below schedule"), a, pts)
		case g.Actual > g.Expected:
			return fmt.Sprintf(pick(en, "达到%s%%, 比序时进度高%s个百分点", "at %s%%, %s points ahead of schedule"), a, pts)
		}
		return fmt.Sprintf(pick(en, "达到%s%%, 与序时进度持平", "at %s%%, on schedule"), a)
	}
	if t.Goal == 0 {
		return fmt.Sprintf(pick(en, "完成%s%s", "done %s %s"), a, unit)
	}
	done := plan.Finite(g.Actual / t.Goal * 100)
	exp := plan.Finite(g.Expected / t.Goal * 100)
	pts := Number(math.Abs(done - exp))
	head := fmt.Sprintf(pick(en, "完成%s%s, 为年度目标的%s%%", "done %s %s, %s%% of the goal"), a, unit, Number(done))
	switch {
	case done+0.05 < exp:
		return head + fmt.Sprintf(pick(en, ", 比序时进度低%s个百分点", ", %s points below schedule"), pts)
	case done > exp+0.05:
		return head + fmt.Sprintf(pick(en, ", 比序时进度高%s个百分点", ", %s points ahead of schedule"), pts)
	}
	return head + pick(en, ", 与序时进度持平", ", on schedule")
}

// growthSummary compares a growth rate with its goal in percentage points,
// the way a bulletin says 增幅低于目标任务: a share of a rate means nothing.
func growthSummary(g *plan.Progress, en bool) string {
	a := Number(g.Actual)
	gap, _ := g.GapPoints()
	pts := Number(math.Abs(gap))
	switch {
	case gap < 0:
		return fmt.Sprintf(pick(en, "累计%s%%, 比目标差%s个百分点", "at %s%%, %s points short of the goal"), a, pts)
	case gap > 0:
		return fmt.Sprintf(pick(en, "累计%s%%, 好于目标%s个百分点", "at %s%%, %s points better than the goal"), a, pts)
	}
	return fmt.Sprintf(pick(en, "累计%s%%, 与目标持平", "at %s%%, at the goal"), a)
}

func pick(en bool, zh, e string) string {
	if en {
		return e
	}
	return zh
}

// Number writes a computed figure (an actual, expected value, gap, share)
// rounded to two decimals, in plan.FormatNumber's form.
func Number(x float64) string { return plan.FormatNumber(round(x)) }

// round rounds to two decimals. Beyond 10¹⁵ a float has no hundredths to
// round (and x·100 could overflow), so x is kept.
func round(x float64) float64 {
	if math.Abs(x) >= 1e15 || math.IsNaN(x) {
		return x
	}
	return math.Round(x*100) / 100
}
