package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/targetwatch/targetwatch/internal/plan"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// fixture is a small plan evaluated by plan.Evaluate as of 2019-07-15
// noon: the June report (due 10 July) is the last one due, so k = 6 months
// (January to June) are evaluated of N = 12. The figures are chosen so
// that each target lands in a state worth rendering; the numbers
// Evaluate must give are worked out by hand in figures' comments and
// checked by TestFixtureIsWhatEvaluateGives.
func fixture(t *testing.T) *plan.Snapshot {
	t.Helper()
	return fixtureAt(t, time.Date(2019, 7, 15, 12, 0, 0, 0, shanghai(t)))
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func fixturePlan(loc *time.Location) *plan.Plan {
	p := &plan.Plan{
		ID: "jiading-2019", Title: "2019年嘉定区政府工作计划", TitleEN: "Jiading District work plan 2019",
		Timezone: "Asia/Shanghai", Location: loc,
		Start: time.Date(2019, 1, 1, 0, 0, 0, 0, loc), End: time.Date(2019, 12, 31, 0, 0, 0, 0, loc),
		Frequency: "monthly", DueDay: 10, Thresholds: plan.DefaultThresholds,
		Agencies: []plan.Agency{
			{ID: "water", Name: "区水务局", NameEN: "Water Affairs Bureau", Assumed: true},
			{ID: "greening", Name: "区绿化市容局", NameEN: "Greening and City Appearance Bureau", Assumed: true},
		},
		Targets: []plan.Target{
			{ID: "river-segments", Item: "10.2", Title: "河道整治", TitleEN: "River segments improved", Agency: "water",
				Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 329, Unit: "条段", UnitEN: "segments"},
			{ID: "dry-waste", Item: "11.1", Title: "干垃圾日均处置量", TitleEN: "Dry waste per day", Agency: "greening",
				Kind: plan.Quantity, Direction: plan.AtMost, Aggregation: plan.Mean, Goal: 1743, Unit: "吨/日", UnitEN: "t/day"},
			{ID: "sorting-share", Item: "11.2", Title: "垃圾分类达标小区比例", TitleEN: "Residential areas sorting waste", Agency: "greening",
				Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Last, Goal: 70, Baseline: 30, HasBaseline: true, Unit: "%", UnitEN: "%"},
			{ID: "station-open", Item: "8.1", Title: "建成轨交11号线陈翔路站", TitleEN: "Chenxiang Road station opened", Agency: "water",
				Kind: plan.Milestone, Direction: plan.Complete, Aggregation: plan.Last, Goal: 1, Unit: "项", UnitEN: "milestone"},
			{ID: "wet-waste", Item: "11.1", Title: "湿垃圾日均处置量", TitleEN: "Wet waste per day", Agency: "greening",
				Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Mean, Goal: 330, Unit: "吨/日", UnitEN: "t/day"},
			{ID: "illegal-land", Item: "6.8", Title: "新增违法用地", TitleEN: "New illegal land use", Agency: "greening",
				Kind: plan.Quantity, Direction: plan.ZeroGrowth, Aggregation: plan.Sum, Goal: 0, Unit: "亩", UnitEN: "mu"},
		},
	}
	for i := range p.Targets {
		p.Targets[i].Due = p.End
	}
	return p
}

// fixtureFigures are the stored revisions of the fixture's targets. Each
// month's figure arrives on the 8th of the next month at 09:30, so the
// newest counted one (June's) arrived on 8 July.
func fixtureFigures(loc *time.Location) map[string][]plan.Report {
	monthly := func(target string, values map[time.Month]float64) []plan.Report {
		var revs []plan.Report
		for m, v := range values {
			revs = append(revs, plan.Report{Target: target, Period: plan.Period{Year: 2019, Month: m}, Value: v, Revision: 1,
				Received: time.Date(2019, m+1, 8, 9, 30, 0, 0, loc)})
		}
		return revs
	}
	every := func(v float64) map[time.Month]float64 {
		return map[time.Month]float64{1: v, 2: v, 3: v, 4: v, 5: v, 6: v}
	}
	river := monthly("river-segments", map[time.Month]float64{1: 20, 2: 20, 3: 20, 4: 25, 5: 25, 6: 25})
	// March corrected from 20 to 25 in May: one correction.
	river = append(river, plan.Report{Target: "river-segments", Period: plan.Period{Year: 2019, Month: 3}, Value: 25, Revision: 2,
		Note: "补录漏报条段", Received: time.Date(2019, 5, 20, 10, 0, 0, 0, loc)})
	return map[string][]plan.Report{
		// sum = 20 + 20 + 25 + 25 + 25 + 25 = 140; expected 329·6/12 =
		// 164.5; r = 140/164.5 = 0.851 < 0.9: off_track; projected
		// 140/6·12 = 280.
		"river-segments": river,
		// mean of six months at 1780.5 = 1780.5 > the cap 1743: breached,
		// by 37.5; expected is the cap, 1743; projected the mean, 1780.5.
		"dry-waste": monthly("dry-waste", every(1780.5)),
		// May unreported. last = June's 52; expected from the baseline:
		// 30 + (70−30)·6/12 = 50 (35 without the baseline); r = 52/50 =
		// 1.04 ≥ 1: on_track. The levels lie on y = 40 + 2x (x the month
		// number), so the least-squares line at x = 12 projects
		// 40 + 24 = 64.
		"sorting-share": monthly("sorting-share", map[time.Month]float64{1: 42, 2: 44, 3: 46, 4: 48, 6: 52}),
		// Nothing reported: six months missing; expected 0 before the
		// deadline; on_track until 30 days before its due date (1 Dec).
		"station-open": nil,
		// mean 352.5 ≥ the floor 330, r = 1.068: on_track (a mean is
		// achieved only at the deadline); projected the mean, 352.5.
		"wet-waste": monthly("wet-waste", every(352.5)),
		// sum 0, nothing added: on_track; expected 0; projected 0/6·12 = 0.
		"illegal-land": monthly("illegal-land", every(0)),
	}
}

// fixtureAt evaluates the fixture's figures with plan.Evaluate as of asOf.
func fixtureAt(t *testing.T, asOf time.Time) *plan.Snapshot {
	t.Helper()
	p := fixturePlan(asOf.Location())
	figures := fixtureFigures(asOf.Location())
	ts := make([]plan.Progress, len(p.Targets))
	for i := range p.Targets {
		ts[i] = plan.Evaluate(p, &p.Targets[i], figures[p.Targets[i].ID], asOf)
	}
	return plan.NewSnapshot(p, asOf, 7, ts)
}

// TestFixtureIsWhatEvaluateGives checks the fixture against the numbers
// worked out by hand in fixtureFigures, so the goldens rest on states the
// engine really produces.
func TestFixtureIsWhatEvaluateGives(t *testing.T) {
	s := fixture(t)
	june := plan.Period{Year: 2019, Month: time.June}
	last := time.Date(2019, 7, 8, 9, 30, 0, 0, s.Plan.Location)
	months := func(ms ...time.Month) []plan.Period {
		var out []plan.Period
		for _, m := range ms {
			out = append(out, plan.Period{Year: 2019, Month: m})
		}
		return out
	}
	for _, c := range []struct {
		name string
		want plan.Progress
	}{
		{"a sum behind its equal monthly steps is off track", plan.Progress{Target: &s.Plan.Targets[0], Evaluated: june,
			Actual: 140, HasActual: true, Expected: 164.5, Projected: 280, HasProjected: true, Status: plan.OffTrack, LastReport: last, Corrections: 1}},
		{"a daily mean above its cap is breached", plan.Progress{Target: &s.Plan.Targets[1], Evaluated: june,
			Actual: 1780.5, HasActual: true, Expected: 1743, Projected: 1780.5, HasProjected: true, Status: plan.Breached, LastReport: last}},
		{"a level above the line from its baseline is on track, its gap month missing", plan.Progress{Target: &s.Plan.Targets[2], Evaluated: june,
			Actual: 52, HasActual: true, Expected: 50, Projected: 64, HasProjected: true, Status: plan.OnTrack, LastReport: last, Missing: months(time.May)}},
		{"an unreported milestone is on track but misses every month", plan.Progress{Target: &s.Plan.Targets[3], Evaluated: june,
			Status: plan.OnTrack, Missing: months(1, 2, 3, 4, 5, 6)}},
		{"a daily rate above its floor is on track", plan.Progress{Target: &s.Plan.Targets[4], Evaluated: june,
			Actual: 352.5, HasActual: true, Expected: 330, Projected: 352.5, HasProjected: true, Status: plan.OnTrack, LastReport: last}},
		{"zero growth kept is on track", plan.Progress{Target: &s.Plan.Targets[5], Evaluated: june,
			Actual: 0, HasActual: true, Projected: 0, HasProjected: true, Status: plan.OnTrack, LastReport: last}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, ok := s.Target(c.want.Target.ID)
			if !ok {
				t.Fatalf("%s not in the snapshot", c.want.Target.ID)
			}
			got := *g
			got.Plan, got.Deadline = nil, time.Time{}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format Format
		lang   Lang
	}{
		{"report.zh.csv", CSV, Chinese},
		{"report.en.csv", CSV, English},
		{"report.zh.md", Markdown, Chinese},
		{"report.en.md", Markdown, English},
		{"report.json", JSON, Chinese},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, fixture(t), tc.format, tc.lang); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", tc.file+".golden"), buf.Bytes())
		})
	}
}

func TestCSVReadsBackWithChineseHeaders(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture(t), CSV, Chinese); err != nil {
		t.Fatal(err)
	}
	b, ok := bytes.CutPrefix(buf.Bytes(), []byte(BOM))
	if !ok {
		t.Fatal("got no byte order mark, want one for Excel")
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs), 7; got != want {
		t.Fatalf("got %d records, want %d (header and one per target)", got, want)
	}
	want := []string{"序号", "指标", "责任部门", "年度目标", "单位", "实际完成", "序时进度", "与序时进度差距", "预计全年", "状态", "缺报月数", "完成情况"}
	if got := strings.Join(recs[0], ","); got != strings.Join(want, ",") {
		t.Errorf("got header %s, want %s", got, strings.Join(want, ","))
	}
	if got, want := recs[4][5], ""; got != want {
		t.Errorf("got actual %q for an unreported milestone, want %q (never a zero)", got, want)
	}
}

func TestJSONKeepsMissingFiguresNull(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture(t), JSON, Chinese); err != nil {
		t.Fatal(err)
	}
	var d struct {
		Counts  map[string]int
		Targets []map[string]any
	}
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if got, want := d.Targets[3]["actual"], any(nil); got != want {
		t.Errorf("got actual %v for an unreported milestone, want null", got)
	}
	if got, want := d.Counts["on_track"], 4; got != want {
		t.Errorf("got %d on track, want %d", got, want)
	}
	if got, want := d.Counts["missed"], 0; got != want {
		t.Errorf("got %d missed, want %d (every status is counted, zero included)", got, want)
	}
}

func TestSummary(t *testing.T) {
	s := fixture(t)
	for _, tc := range []struct {
		name string
		id   string
		lang Lang
		want string
	}{
		{"a count behind schedule says how many points below", "river-segments", Chinese, "完成140条段, 为年度目标的42.55%, 比序时进度低7.45个百分点"},
		{"the English sentence says the same", "river-segments", English, "done 140 segments, 42.55% of the goal, 7.45 points below schedule"},
		{"a breached cap says by how much", "dry-waste", Chinese, "实际1780.5吨/日, 超出上限37.5吨/日"},
		{"a percentage compares points directly", "sorting-share", Chinese, "达到52%, 比序时进度高2个百分点"},
		{"an unreported milestone says nothing was reported", "station-open", Chinese, "未报送数据"},
		{"zero growth held is said so", "illegal-land", Chinese, "保持零增长"},
		{"a daily-rate floor says how far above it", "wet-waste", Chinese, "实际352.5吨/日, 高于目标22.5吨/日"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := s.Target(tc.id)
			if got := Summary(g, tc.lang); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want Lang
	}{
		{"en is English", "en", English},
		{"a regional English tag is English", "en-GB", English},
		{"zh is Chinese", "zh-CN", Chinese},
		{"anything else falls back to the plan's language", "fr", Chinese},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseLang(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := ParseFormat("xls"); err == nil || !strings.Contains(err.Error(), `unknown format "xls"`) {
		t.Errorf("got %v, want an unknown format error", err)
	}
	if f, err := ParseFormat(""); err != nil || f != CSV {
		t.Errorf("got %q, %v, want csv by default", f, err)
	}
}

func TestTemplate(t *testing.T) {
	s := fixture(t)
	// Early August: July has ended but its report is due only on the 10th.
	aug := fixtureAt(t, time.Date(2019, 8, 5, 12, 0, 0, 0, s.Plan.Location))
	for _, tc := range []struct {
		name   string
		snap   *plan.Snapshot
		agency string
		want   map[string][]string
	}{
		{"mid-July lists only the months missing", s, "greening", map[string][]string{
			"sorting-share": {"2019-05"},
		}},
		{"an unreported milestone lists every month due so far", s, "water", map[string][]string{
			"station-open": {"2019-01", "2019-02", "2019-03", "2019-04", "2019-05", "2019-06"},
		}},
		{"early August adds July, ended but not yet due", aug, "greening", map[string][]string{
			"dry-waste":     {"2019-07"},
			"sorting-share": {"2019-05", "2019-07"},
			"illegal-land":  {"2019-07"},
			"wet-waste":     {"2019-07"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string][]string{}
			for id, ms := range TemplateMonths(tc.snap, tc.agency) {
				for _, m := range ms {
					got[id] = append(got[id], m.String())
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	var buf bytes.Buffer
	err := WriteTemplate(&buf, aug, "water", English)
	if err != nil {
		t.Fatal(err)
	}
	want := BOM + "target,period,value,note,item,title,unit,due\r\n" +
		"river-segments,2019-07,,,10.2,River segments improved,segments,2019-08-10\r\n" +
		"station-open,2019-01,,,8.1,Chenxiang Road station opened,milestone,2019-02-10\r\n" +
		"station-open,2019-02,,,8.1,Chenxiang Road station opened,milestone,2019-03-10\r\n" +
		"station-open,2019-03,,,8.1,Chenxiang Road station opened,milestone,2019-04-10\r\n" +
		"station-open,2019-04,,,8.1,Chenxiang Road station opened,milestone,2019-05-10\r\n" +
		"station-open,2019-05,,,8.1,Chenxiang Road station opened,milestone,2019-06-10\r\n" +
		"station-open,2019-06,,,8.1,Chenxiang Road station opened,milestone,2019-07-10\r\n" +
		"station-open,2019-07,,,8.1,Chenxiang Road station opened,milestone,2019-08-10\r\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if err := WriteTemplate(&buf, aug, "nope", Chinese); plan.KindOf(err) != plan.KindNotFound {
		t.Errorf("unknown agency: got %v, want a not-found error", err)
	}
}

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    float64
		want string
	}{
		{"a computed third shows two decimals", 1750.0 / 3, "583.33"},   // 583.333…
		{"float noise is not shown", 1.4000000000000001, "1.4"},         // 14·0.1 at run time
		{"a sum with noise is its decimal", 0.30000000000000004, "0.3"}, // 0.1+0.2 at run time
		{"a tiny negative gap rounds to 0, not -0", -0.001, "0"},
		{"the bound has no exponent", 1e12, "1000000000000"},
		{"twelve months at the bound", 12e12, "12000000000000"},
		// Rounding to hundredths would overflow x·100 to +Inf.
		{"a huge figure is not lost to rounding", 1e307, "1e+307"},
	} {
		if got := Number(tc.x); got != tc.want {
			t.Errorf("%s: Number(%v): got %q, want %q", tc.name, tc.x, got, tc.want)
		}
	}
}

// severalPlans is the fixture's plan with a second plan beside it: one
// target of the city's, due on the 20th, for the fixture's water agency.
func severalPlans(t *testing.T) *plan.Snapshot {
	one := fixture(t)
	p := one.Plan
	city := &plan.Plan{ID: "city-2019", Title: "市下达任务", Timezone: p.Timezone, Location: p.Location,
		Start: p.Start, End: p.End, Frequency: "monthly", DueDay: 20, Thresholds: plan.DefaultThresholds,
		Agencies: []plan.Agency{{ID: "water", Name: "区水务局"}},
		Targets: []plan.Target{{ID: "city-pipes", Item: "3.1", Title: "新建污水管道", Agency: "water",
			Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Sum, Goal: 40, Unit: "公里", Due: p.End}},
	}
	s := plan.NewSnapshotOf([]*plan.Plan{p, city})
	g := plan.Progress{Plan: city, Target: &city.Targets[0], Status: plan.NoData,
		Evaluated: plan.Period{Year: 2019, Month: time.June}, Missing: []plan.Period{{Year: 2019, Month: time.June}}}
	return s.WithTargets(one.AsOf, one.Version, append(append([]*plan.Progress(nil), one.Targets...), &g))
}

// A report of several plans starts each row with its plan; one of a
// single plan (the golden files) has no such column.
func TestReportOfSeveralPlansNamesEachRowsPlan(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, severalPlans(t), CSV, English); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 8 || recs[0][0] != "plan" || recs[0][1] != "item" {
		t.Fatalf("got %d records headed %v, want 8 headed plan, item, ...", len(recs), recs[0])
	}
	for i, want := range []string{"jiading-2019", "jiading-2019", "jiading-2019", "jiading-2019", "jiading-2019", "jiading-2019", "city-2019"} {
		if recs[i+1][0] != want {
			t.Errorf("row %d: got plan %q, want %q", i+1, recs[i+1][0], want)
		}
	}
	// The city's target: item 3.1, goal 40, nothing reported.
	if got := strings.Join(recs[7][:6], ","); got != "city-2019,3.1,新建污水管道,区水务局,40,公里" {
		t.Errorf("got the city row %s", got)
	}
}

// A template of several plans names each row's plan in a last column,
// and gives each month the due date of its own plan: June is due on 10
// July in the district's plan and on 20 July in the city's.
func TestTemplateOfSeveralPlans(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, severalPlans(t), "water", English); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if h := strings.Join(recs[0], ","); h != "target,period,value,note,item,title,unit,due,plan" {
		t.Fatalf("got header %s", h)
	}
	last := recs[len(recs)-1]
	if got := strings.Join([]string{last[0], last[1], last[7], last[8]}, ","); got != "city-pipes,2019-06,2019-07-20,city-2019" {
		t.Errorf("got the city's row %v, want city-pipes 2019-06 due 2019-07-20 of city-2019", last)
	}
	for _, r := range recs[1 : len(recs)-1] {
		if r[8] != "jiading-2019" {
			t.Errorf("row %v: want plan jiading-2019", r)
		}
	}
}

// The JSON golden file, read on its own: the fixture's one plan is named
// at the top and on each of its six rows.
func TestGoldenJSONNamesThePlan(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "report.json.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Plan    string   `json:"plan"`
		Plans   []string `json:"plans"`
		Targets []struct {
			Plan string `json:"plan"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Plan != "jiading-2019" || len(d.Plans) != 1 || d.Plans[0] != "jiading-2019" || len(d.Targets) != 6 {
		t.Fatalf("got plan %q, plans %v, %d rows; want jiading-2019, [jiading-2019], 6", d.Plan, d.Plans, len(d.Targets))
	}
	for i, r := range d.Targets {
		if r.Plan != "jiading-2019" {
			t.Errorf("row %d: plan %q", i, r.Plan)
		}
	}
}

// checkGolden compares got with the golden file at path, writing it first
// under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
