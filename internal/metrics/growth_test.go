package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
	"github.com/targetwatch/targetwatch/internal/planfile"
)

const growthPlan = `id: growth-2019
title: 测试区2019年主要预期目标
source: x.txt
timezone: Asia/Shanghai
start: 2019-01-01
end: 2019-12-31
agencies:
  - {id: development, name: 区发展改革委}
  - {id: statistics, name: 区统计局}
  - {id: economy, name: 区经委}
targets:
  - {id: gdp-growth, item: "1", title: 地区生产总值增长, quote: 地区生产总值增长6.5%左右, agency: development,
     co_agencies: [statistics, economy], kind: growth, direction: at_least, goal: 6.5}
  - {id: energy-intensity, item: "2", title: 单位地区生产总值能耗, quote: 单位地区生产总值能耗下降3%, agency: economy,
     kind: growth, direction: at_most, goal: -3}
`

// A growth target has no ratio series (a share of a rate means nothing)
// but its negative figures are exported as they are, and target_info
// names the co-agencies, sorted and joined by commas.
func TestGrowthSeries(t *testing.T) {
	p, err := planfile.Parse("growth.yaml", []byte(growthPlan), func(string) ([]byte, error) {
		return []byte("1.地区生产总值增长6.5%左右\n2.单位地区生产总值能耗下降3%\n"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2019, 7, 10, 0, 0, 0, 0, p.Location)
	june := plan.Period{Year: 2019, Month: time.June}
	gdp := plan.Evaluate(p, &p.Targets[0], []plan.Report{{Target: "gdp-growth", Period: june, Value: -1.2, Revision: 1}}, asOf)
	energy := plan.Evaluate(p, &p.Targets[1], nil, asOf)
	s := plan.NewSnapshot(p, asOf, 1, []plan.Progress{gdp, energy})
	body, _ := scrape(t, Handler(func() *plan.Snapshot { return s }, nil, discard), "")
	mfs := parseStrict(t, body)
	for _, name := range []string{plan.MetricTargetProgressRatio, plan.MetricTargetExpectedRatio} {
		if mf, ok := mfs[name]; ok && len(mf.Metric) > 0 {
			t.Errorf("%s: got %d series, want none for growth targets", name, len(mf.Metric))
		}
	}
	for _, want := range []string{
		`targetwatch_target_actual{plan="growth-2019",target_id="gdp-growth"} -1.2`,
		`targetwatch_target_expected{plan="growth-2019",target_id="energy-intensity"} -3`,
		`targetwatch_target_status{plan="growth-2019",status="off_track",target_id="gdp-growth"} 1`,
		`co_agencies="economy,statistics",direction="at_least",item="1",kind="growth"`,
		`co_agencies="",direction="at_most",item="2",kind="growth"`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
}
