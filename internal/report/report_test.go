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

// fixture is a small plan evaluated by hand as of 2019-07-15: the June
// report is the last one due.
func fixture(t *testing.T) *plan.Snapshot {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
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
				Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Last, Goal: 70, Unit: "%", UnitEN: "%"},
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
	june := plan.Period{Year: 2019, Month: time.June}
	last := time.Date(2019, 7, 8, 9, 30, 0, 0, loc)
	ts := []plan.Progress{
		{Target: &p.Targets[0], Evaluated: june, Actual: 140, HasActual: true, Expected: 164.5, Projected: 280, HasProjected: true,
			Status: plan.OffTrack, LastReport: last, Corrections: 1},
		{Target: &p.Targets[1], Evaluated: june, Actual: 1780.4, HasActual: true, Expected: 1743, Projected: 1780.4, HasProjected: true,
			Status: plan.Breached, LastReport: last},
		{Target: &p.Targets[2], Evaluated: june, Actual: 52, HasActual: true, Expected: 50, Projected: 72, HasProjected: true,
			Status: plan.OnTrack, LastReport: last, Missing: []plan.Period{{Year: 2019, Month: time.May}}},
		{Target: &p.Targets[3], Evaluated: june, Status: plan.OnTrack, Missing: []plan.Period{{Year: 2019, Month: time.June}}},
		{Target: &p.Targets[4], Evaluated: june, Actual: 352.5, HasActual: true, Expected: 330, Projected: 352.5, HasProjected: true, Status: plan.OnTrack, LastReport: last},
		{Target: &p.Targets[5], Evaluated: june, Actual: 0, HasActual: true, Status: plan.OnTrack, LastReport: last},
	}
	return plan.NewSnapshot(p, time.Date(2019, 7, 15, 12, 0, 0, 0, loc), 7, ts)
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
			path := filepath.Join("testdata", tc.file+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("got\n%s\nwant\n%s", buf.Bytes(), want)
			}
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
		{"a breached cap says by how much", "dry-waste", Chinese, "实际1780.4吨/日, 超出上限37.4吨/日"},
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
	if _, err := ParseFormat("xlsx"); err == nil || !strings.Contains(err.Error(), `unknown format "xlsx"`) {
		t.Errorf("got %v, want an unknown format error", err)
	}
	if f, err := ParseFormat(""); err != nil || f != CSV {
		t.Errorf("got %q, %v, want csv by default", f, err)
	}
}

func TestTemplate(t *testing.T) {
	s := fixture(t)
	// Early August: July has ended but its report is due only on the 10th.
	aug := s.WithTargets(time.Date(2019, 8, 5, 12, 0, 0, 0, s.Plan.Location), s.Version, s.Targets)
	for _, tc := range []struct {
		name   string
		snap   *plan.Snapshot
		agency string
		want   map[string][]string
	}{
		{"mid-July lists only the months missing", s, "greening", map[string][]string{
			"sorting-share": {"2019-05"},
		}},
		{"an unreported milestone lists its missing month", s, "water", map[string][]string{
			"station-open": {"2019-06"},
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
		"station-open,2019-06,,,8.1,Chenxiang Road station opened,milestone,2019-07-10\r\n" +
		"station-open,2019-07,,,8.1,Chenxiang Road station opened,milestone,2019-08-10\r\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if err := WriteTemplate(&buf, aug, "nope", Chinese); plan.KindOf(err) != plan.KindNotFound {
		t.Errorf("unknown agency: got %v, want a not-found error", err)
	}
}
