package planfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"gopkg.in/yaml.v3"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// readTestdata reads source documents next to the fixtures, as Load would.
func readTestdata(rel string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", rel))
}

func goodFixture(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(data), "\n")
}

// problems returns the lines of err, which must be Errors.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got error %v (%T), want Errors", err, err)
	}
	return strings.Split(errs.Error(), "\n")
}

func TestGoodFixture(t *testing.T) {
	p, err := Load(filepath.Join("testdata", "good.yaml"))
	if err != nil {
		t.Fatalf("Load(good.yaml): %v", err)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "test-2019" || p.Title != "测试区2019年重点工作任务" || p.Source != "plan.txt" {
		t.Errorf("got id %q title %q source %q", p.ID, p.Title, p.Source)
	}
	if p.Location.String() != "Asia/Shanghai" {
		t.Errorf("got location %v, want Asia/Shanghai", p.Location)
	}
	if want := time.Date(2019, 1, 1, 0, 0, 0, 0, shanghai); !p.Start.Equal(want) {
		t.Errorf("got start %v, want %v", p.Start, want)
	}
	if want := time.Date(2019, 12, 31, 0, 0, 0, 0, shanghai); !p.End.Equal(want) {
		t.Errorf("got end %v, want %v", p.End, want)
	}
	if p.DueDay != 10 || p.Frequency != "monthly" || p.Thresholds != plan.DefaultThresholds {
		t.Errorf("got due_day %d frequency %q thresholds %+v", p.DueDay, p.Frequency, p.Thresholds)
	}
	wantAgencies := []plan.Agency{
		{ID: "water", Name: "区水务局", NameEN: "District Water Affairs Bureau", Assumed: true},
		{ID: "culture", Name: "区文化旅游局", Assumed: true},
	}
	if !reflect.DeepEqual(p.Agencies, wantAgencies) {
		t.Errorf("got agencies %+v, want %+v", p.Agencies, wantAgencies)
	}
	if len(p.Targets) != 5 {
		t.Fatalf("got %d targets, want 5", len(p.Targets))
	}
	end := p.End
	wantTargets := []plan.Target{
		{ID: "water-bodies", Item: "1.1", Title: "消除劣V类水体", TitleEN: "Inferior water bodies eliminated",
			Quote: "确保消除劣V类水体不少于30条段", Agency: "water", Kind: plan.Quantity, Direction: plan.AtLeast,
			Aggregation: plan.Sum, Goal: 30, Unit: "条段", UnitEN: "segments", Due: end,
			Trajectory: []plan.Point{{Period: plan.Period{Year: 2019, Month: 6}, Value: 10}, {Period: plan.Period{Year: 2019, Month: 12}, Value: 30}}},
		{ID: "dry-waste", Item: "1.2", Title: "日均干垃圾总量", Quote: "确保全区日均干垃圾总量控制在100吨以下",
			Agency: "water", Kind: plan.Quantity, Direction: plan.AtMost, Aggregation: plan.Mean, Goal: 100, Unit: "吨/日", Due: end},
		{ID: "timed-collection", Item: "1.3", Title: "定时定点收集居住区比例", Quote: "在40%以上的居住区推行垃圾定时定点收集",
			Agency: "water", Kind: plan.Quantity, Direction: plan.AtLeast, Aggregation: plan.Last, Goal: 40, Unit: "%",
			Approximate: true, Due: end, Baseline: 10, HasBaseline: true},
		{ID: "new-illegal-buildings", Item: "1.4", Title: "新增违建", Quote: "确保新增违建“零增长”",
			Agency: "water", Kind: plan.Quantity, Direction: plan.ZeroGrowth, Aggregation: plan.Sum, Goal: 0, Unit: "平方米", Due: end},
		// A milestone gets its defaults: complete, max, goal 1, unit 项.
		{ID: "library", Item: "2.1", Title: "建成区图书馆新馆", Quote: "建成区图书馆新馆", Agency: "culture",
			Kind: plan.Milestone, Direction: plan.Complete, Aggregation: plan.Max, Goal: 1, Unit: "项", UnitEN: "milestone",
			Due: time.Date(2019, 9, 30, 0, 0, 0, 0, shanghai)},
	}
	for i, want := range wantTargets {
		got := p.Targets[i]
		if !got.Due.Equal(want.Due) {
			t.Errorf("target %s: got due %v, want %v", want.ID, got.Due, want.Due)
		}
		got.Due, want.Due = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("target %d:\ngot  %+v\nwant %+v", i, got, want)
		}
	}
	wantIgnored := []plan.Ignored{{Item: "1.1", Text: "5公里", Reason: "a sewer length already tracked elsewhere in this test"}}
	if !reflect.DeepEqual(p.Ignored, wantIgnored) {
		t.Errorf("got ignored %+v, want %+v", p.Ignored, wantIgnored)
	}
}

// Each case changes one line of the good fixture (text replaces the line;
// it may hold several lines, or none to delete it) and lists every problem
// the change must cause, exactly.
func TestRules(t *testing.T) {
	cases := []lineCase{
		{"a target id used twice is reported at the second use", 39, "  - id: water-bodies",
			[]string{`good.yaml:39:9: duplicate target id "water-bodies" (first at line 24)`}},
		{"a target id must be a slug", 24, "  - id: Water_Bodies",
			[]string{`good.yaml:24:9: id "Water_Bodies" is not a valid slug: want 1 to 40 of a-z, 0-9 and '-', not starting or ending with '-'`}},
		{"a target id may not end in a dash", 24, "  - id: water-",
			[]string{`good.yaml:24:9: id "water-" is not a valid slug: want 1 to 40 of a-z, 0-9 and '-', not starting or ending with '-'`}},
		{"an agency must be in agencies", 43, "    agency: sanitation",
			[]string{`good.yaml:43:13: unknown agency "sanitation": not in agencies`}},
		{"kind must be known", 44, "    kind: count",
			[]string{`good.yaml:44:11: unknown kind "count" (want quantity, milestone or growth)`}},
		{"direction must be known", 45, "    direction: below",
			[]string{`good.yaml:45:16: unknown direction "below" (want at_least, at_most, zero_growth or complete)`}},
		{"aggregation must be known", 48, "    aggregation: average",
			[]string{`good.yaml:48:18: unknown aggregation "average" (want sum, last, mean or max)`}},
		{"a quantity needs a goal", 46, "",
			[]string{`good.yaml:39:5: missing goal`}},
		{"a target needs a title", 41, "",
			[]string{`good.yaml:39:5: missing title`}},
		{"a target needs a quote", 42, "",
			[]string{`good.yaml:39:5: missing quote`}},
		{"a title may not be empty", 41, `    title: ""`,
			[]string{`good.yaml:41:12: title is empty`}},
		{"a title may not hold a right-to-left override", 41, `    title: "日均\u202e总量"`,
			[]string{`good.yaml:41:12: target dry-waste: title: must not contain the control character U+202E (at character 3); only tab and newline are allowed`}},
		{"a unit may not hold an escape", 47, `    unit: "\e[1m吨"`,
			[]string{`good.yaml:47:11: target dry-waste: unit: must not contain the control character U+001B (at character 1); only tab and newline are allowed`}},
		{"an agency name may not hold a C1 control", 17, `    name: "区水务局\x85"`,
			[]string{`good.yaml:17:11: agency water: name: must not contain the control character U+0085 (at character 5); only tab and newline are allowed`}},
		{"the plan title may not hold DEL", 3, `title: "测试\x7f"`,
			[]string{`good.yaml:3:8: title: must not contain the control character U+007F (at character 3); only tab and newline are allowed`}},
		{"a quantity needs a unit", 47, "",
			[]string{`good.yaml:39:5: missing unit`}},
		{"a quantity needs an aggregation", 48, "",
			[]string{`good.yaml:39:5: missing aggregation`}},
		{"a goal may not be negative", 46, "    goal: -5",
			[]string{`good.yaml:46:11: goal must not be negative, got -5`}},
		{"a goal beyond 1e12 is refused", 46, "    goal: 1e13",
			[]string{`good.yaml:46:11: goal must be at most 1000000000000, got 10000000000000`}},
		{"an infinite goal is refused", 46, "    goal: .inf",
			[]string{`good.yaml:46:11: goal must be at most 1000000000000, got +Inf`}},
		{"a goal that is not a number is refused", 46, "    goal: .nan",
			[]string{`good.yaml:46:11: goal must be at most 1000000000000, got NaN`}},
		{"a trajectory value beyond 1e12 is refused", 38, "      2019-12: 2e12",
			[]string{`good.yaml:38:16: trajectory value must be at most 1000000000000, got 2000000000000`}},
		{"a baseline beyond 1e12 is refused", 59, "    baseline: 1e300",
			[]string{`good.yaml:59:15: baseline must be at most 1000000000000, got 1e+300`}},
		{"a goal must be a number", 46, "    goal: lots",
			[]string{`good.yaml:46:11: goal: want a number, got "lots"`}},
		{"a zero_growth goal must be 0", 68, "    goal: 3",
			[]string{`good.yaml:68:11: a zero_growth target's goal must be 0, got 3`}},
		{"a percentage goal must be within 0..100", 56, "    goal: 140",
			[]string{`good.yaml:56:11: a percentage goal must be within 0..100, got 140`}},
		{"a milestone's goal must be 1", 76, "    kind: milestone\n    goal: 2",
			[]string{`good.yaml:77:11: a milestone's goal must be 1 (done), got 2`}},
		{"a milestone's direction must be complete", 76, "    kind: milestone\n    direction: at_least",
			[]string{`good.yaml:77:16: a milestone's direction must be complete, got at_least`}},
		{"complete is for milestones only", 45, "    direction: complete",
			[]string{`good.yaml:45:16: direction complete is for milestones only: want at_least, at_most or zero_growth`}},
		{"a milestone is not summed", 76, "    kind: milestone\n    aggregation: sum",
			[]string{`good.yaml:77:18: a milestone's aggregation must be max or last, got sum`}},
		{"a milestone takes no trajectory", 76, "    kind: milestone\n    trajectory: {2019-06: 0}",
			[]string{`good.yaml:77:17: a milestone takes no trajectory`}},
		{"trajectory months must lie within the plan", 38, "      2020-01: 30",
			[]string{`good.yaml:38:7: trajectory month 2020-01 is outside the plan (2019-01..2019-12)`}},
		{"trajectory months must be in order", 38, "      2019-03: 30",
			[]string{`good.yaml:38:7: trajectory month 2019-03 does not come after 2019-06`}},
		{"trajectory months must be YYYY-MM", 38, "      2019-12-31: 30",
			[]string{`good.yaml:38:7: trajectory month "2019-12-31": want YYYY-MM`}},
		{"a sum target's trajectory must not decrease", 38, "      2019-12: 5",
			[]string{`good.yaml:38:16: trajectory of a sum target must not decrease: 5 at 2019-12 is below 10 at 2019-06`}},
		{"due must lie within the plan", 77, "    due: 2020-01-31",
			[]string{`good.yaml:77:10: due 2020-01-31 is outside the plan (2019-01-01..2019-12-31)`}},
		{"due must be a date", 77, "    due: September",
			[]string{`good.yaml:77:10: due "September" is not a date: want YYYY-MM-DD`}},
		{"a quote must appear verbatim in the source", 42, "    quote: 日均干垃圾总量控制在100吨以内",
			[]string{`good.yaml:42:12: quote does not appear verbatim in plan.txt`}},
		{"ASCII quotation marks do not match the plan's Chinese ones", 64, `    quote: 确保新增违建"零增长"`,
			[]string{`good.yaml:64:12: quote does not appear verbatim in plan.txt`}},
		{"a quote must come from its own item", 42, "    quote: 在40%以上的居住区推行垃圾定时定点收集",
			[]string{`good.yaml:42:12: quote is in item 1.3 of plan.txt, not in item 1.2`}},
		{"an item must have a heading in the source", 25, `    item: "1.9"`,
			[]string{`good.yaml:25:11: item 1.9 has no heading in plan.txt`}},
		{"an item must be a plan item number", 25, `    item: "1.1a"`,
			[]string{`good.yaml:25:11: item "1.1a" is not a plan item number such as 10.2`}},
		{"the source must be readable", 5, "source: missing.txt",
			[]string{`good.yaml:5:9: cannot read source "missing.txt": no such file or directory`}},
		{"the plan needs a source", 5, "",
			[]string{`good.yaml:2:1: missing source`}},
		{"an unknown plan field is an error", 10, "dueday: 10",
			[]string{`good.yaml:10:1: unknown field "dueday" in the plan`}},
		{"an unknown target field is an error", 34, "    unit-en: segments",
			[]string{`good.yaml:34:5: unknown field "unit-en" in a target`}},
		{"an unknown threshold is an error", 13, "  cap: 0.95",
			[]string{`good.yaml:13:3: unknown field "cap" in thresholds`}},
		{"a field given twice is an error", 32, "    goal: 30\n    goal: 31",
			[]string{`good.yaml:33:5: field "goal" given twice (first at line 32)`}},
		{"an agency id used twice is reported at the second use", 20, "  - id: water",
			[]string{
				`good.yaml:20:9: duplicate agency id "water" (first at line 16)`,
				`good.yaml:75:13: unknown agency "culture": not in agencies`,
			}},
		{"an agency id must be a slug", 20, "  - id: Culture",
			[]string{
				`good.yaml:20:9: agency id "Culture" is not a valid slug: want 1 to 40 of a-z, 0-9 and '-', not starting or ending with '-'`,
				`good.yaml:75:13: unknown agency "culture": not in agencies`,
			}},
		{"an agency needs a name", 21, "",
			[]string{`good.yaml:20:5: missing name`}},
		{"the plan needs a timezone", 6, "",
			[]string{`good.yaml:2:1: missing timezone`}},
		{"the timezone must be an IANA name", 6, "timezone: Mars/Olympus",
			[]string{`good.yaml:6:11: unknown timezone "Mars/Olympus": want an IANA name such as Asia/Shanghai`}},
		{"the plan id must be a slug", 2, "id: Test 2019",
			[]string{`good.yaml:2:5: id "Test 2019" is not a valid slug: want 1 to 40 of a-z, 0-9 and '-', not starting or ending with '-'`}},
		{"the plan needs a title", 3, "",
			[]string{`good.yaml:2:1: missing title`}},
		{"start must be before end", 7, "start: 2020-01-01",
			[]string{`good.yaml:8:6: end 2019-12-31 is not after start 2020-01-01`}},
		{"end must be a date", 8, "end: 2019-12-32",
			[]string{`good.yaml:8:6: end "2019-12-32" is not a date: want YYYY-MM-DD`}},
		{"frequency must be monthly", 9, "frequency: weekly",
			[]string{`good.yaml:9:12: unknown frequency "weekly" (want monthly)`}},
		{"due_day must exist in every month", 10, "due_day: 31",
			[]string{`good.yaml:10:10: due_day must be within 1..28 (every month has it), got 31`}},
		{"off_track may not exceed at_risk", 13, "  off_track: 1.2",
			[]string{`good.yaml:13:14: off_track (1.2) must not be above at_risk (1)`}},
		{"cap_warning is a share of the cap", 14, "  cap_warning: 1.5",
			[]string{`good.yaml:14:16: cap_warning must be at most 1 (a share of the cap), got 1.5`}},
		{"a percentage cannot be summed", 58, "    aggregation: sum",
			[]string{
				`good.yaml:58:18: a percentage cannot be summed over months: use last, mean or max`,
				`good.yaml:59:15: baseline applies only to aggregation last or max (a level), not sum`,
			}},
		{"a baseline is for level targets only", 35, "    aggregation: sum\n    baseline: 3",
			[]string{`good.yaml:36:15: baseline applies only to aggregation last or max (a level), not sum`}},
		{"a milestone takes no baseline", 76, "    kind: milestone\n    baseline: 0",
			[]string{`good.yaml:77:15: a milestone takes no baseline`}},
		{"a percentage baseline must be within 0..100", 59, "    baseline: 120",
			[]string{`good.yaml:59:15: a percentage baseline must be within 0..100, got 120`}},
		{"approximate must be a boolean", 60, "    approximate: yes",
			[]string{`good.yaml:60:18: approximate: want true or false, got "yes"`}},
		{"an ignored entry needs a reason", 81, "",
			[]string{`good.yaml:79:5: missing reason`}},
		{"targets must be a list", 23, "targets: {}\nold_targets:",
			[]string{
				`good.yaml:23:10: targets: want a list, got a mapping`,
				`good.yaml:24:1: unknown field "old_targets" in the plan`,
			}},
		{"broken YAML is reported with its line", 30, "    kind: quantity: yes",
			[]string{`good.yaml:30:1: invalid YAML: mapping values are not allowed in this context`}},
	}
	checkLineCases(t, "good.yaml", goodFixture(t), cases)
}

// lineCase changes one line of a good file: line (1-based) is replaced by
// text, or removed when text is empty, and the file must then fail with
// exactly the problems in want.
type lineCase struct {
	name string
	line int
	text string
	want []string
}

// checkLineCases runs each case against good, parsed as name.
func checkLineCases(t *testing.T, name string, good []string, cases []lineCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := append([]string(nil), good[:c.line-1]...)
			if c.text != "" {
				lines = append(lines, c.text)
			}
			lines = append(lines, good[c.line:]...)
			p, err := Parse(name, []byte(strings.Join(lines, "\n")), readTestdata)
			if err == nil {
				t.Fatalf("got plan %q and no error, want %q", p.ID, c.want)
			}
			if got := problems(t, err); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		})
	}
}

// A file with many mistakes reports all of them at once, in file order.
func TestInvalidFiles(t *testing.T) {
	cases := map[string][]string{
		"invalid-empty.yaml": {
			`testdata/invalid-empty.yaml:1:1: empty file: want a mapping with id, title, agencies and targets`,
		},
		"invalid-not-a-mapping.yaml": {
			`testdata/invalid-not-a-mapping.yaml:2:1: plan: want a mapping, got a list`,
		},
		"invalid-many.yaml": {
			`testdata/invalid-many.yaml:2:1: missing timezone`,
			`testdata/invalid-many.yaml:5:6: end "2019-02-30" is not a date: want YYYY-MM-DD`,
			`testdata/invalid-many.yaml:6:1: unknown field "owner" in the plan`,
			`testdata/invalid-many.yaml:13:5: missing quote`,
			`testdata/invalid-many.yaml:13:9: id "Sewers" is not a valid slug: want 1 to 40 of a-z, 0-9 and '-', not starting or ending with '-'`,
			`testdata/invalid-many.yaml:16:13: unknown agency "waterworks": not in agencies`,
			`testdata/invalid-many.yaml:17:11: unknown kind "amount" (want quantity, milestone or growth)`,
			`testdata/invalid-many.yaml:18:16: unknown direction "up" (want at_least, at_most, zero_growth or complete)`,
			`testdata/invalid-many.yaml:19:11: goal must not be negative, got -16`,
			`testdata/invalid-many.yaml:21:18: unknown aggregation "total" (want sum, last, mean or max)`,
			`testdata/invalid-many.yaml:22:5: unknown field "deadline" in a target`,
			`testdata/invalid-many.yaml:23:5: missing title`,
			`testdata/invalid-many.yaml:27:12: quote does not appear verbatim in plan.txt`,
			`testdata/invalid-many.yaml:32:5: missing title`,
			`testdata/invalid-many.yaml:32:9: duplicate target id "waste" (first at line 23)`,
			`testdata/invalid-many.yaml:38:11: a zero_growth target's goal must be 0, got 5`,
		},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", name))
			if got := problems(t, err); !reflect.DeepEqual(got, want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "targets.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want an error wrapping os.ErrNotExist", err)
	}
	var errs Errors
	if errors.As(err, &errs) {
		t.Errorf("got Errors %v for an unreadable file, want a plain error", errs)
	}
}

// Without a source reader the quotes go unchecked, for plans built in tests.
func TestParseWithoutSource(t *testing.T) {
	good := strings.Join(goodFixture(t), "\n")
	bad := strings.Replace(good, "quote: 建成区图书馆新馆", "quote: 不在文件里", 1)
	if _, err := Parse("good.yaml", []byte(bad), nil); err != nil {
		t.Errorf("got %v, want no error without a source reader", err)
	}
}

// The extractor writes drafts by marshalling File; what it writes must load
// back to the same plan.
func TestMarshalRoundTrip(t *testing.T) {
	base := 5.0
	f := File{
		ID: "round-trip", Title: "往返", Source: "plan.txt", Timezone: "Asia/Shanghai",
		Start: "2019-01-01", End: "2019-12-31",
		Agencies: []AgencySpec{{ID: "water", Name: "区水务局", Assumed: true}},
		Targets: []TargetSpec{
			{ID: "sewers", Item: "1.1", Title: "新建污水管道", Quote: "新建污水管道5公里", Agency: "water",
				Kind: "quantity", Direction: "at_least", Goal: 5, Unit: "公里", UnitEN: "km", Aggregation: "sum",
				Trajectory: Trajectory{{Month: "2019-06", Value: 2}, {Month: "2019-12", Value: 5}}},
			{ID: "share", Item: "1.3", Title: "比例", Quote: "在40%以上的居住区", Agency: "water",
				Kind: "quantity", Direction: "at_least", Goal: 40, Unit: "%", Aggregation: "last", Baseline: &base},
			{ID: "buildings", Item: "1.4", Title: "新增违建", Quote: "确保新增违建“零增长”", Agency: "water",
				Kind: "quantity", Direction: "zero_growth", Goal: 0, Unit: "平方米", Aggregation: "sum"},
			{ID: "library", Item: "2.1", Title: "图书馆", Quote: "建成区图书馆新馆", Agency: "water", Kind: "milestone", Goal: 1},
		},
		Ignored: []IgnoredSpec{},
	}
	data, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("draft.yaml", data, readTestdata)
	if err != nil {
		t.Fatalf("Parse(marshalled File): %v\n%s", err, data)
	}
	got := []plan.Point{}
	tg, _ := p.Target("sewers")
	got = append(got, tg.Trajectory...)
	want := []plan.Point{{Period: plan.Period{Year: 2019, Month: 6}, Value: 2}, {Period: plan.Period{Year: 2019, Month: 12}, Value: 5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got trajectory %v, want %v", got, want)
	}
	if tg, _ := p.Target("share"); !tg.HasBaseline || tg.Baseline != 5 {
		t.Errorf("got baseline %v (set %v), want 5", tg.Baseline, tg.HasBaseline)
	}
	if tg, _ := p.Target("buildings"); tg.Direction != plan.ZeroGrowth || tg.Goal != 0 {
		t.Errorf("got %s goal %v, want zero_growth goal 0", tg.Direction, tg.Goal)
	}
}

// Chinese documents often come in GB18030; quotes are checked against the
// decoded text.
func TestGB18030Source(t *testing.T) {
	dir := t.TempDir()
	utf, err := os.ReadFile(filepath.Join("testdata", "plan.txt"))
	if err != nil {
		t.Fatal(err)
	}
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(utf)
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(gb) {
		t.Fatal("the GB18030 fixture is valid UTF-8; the test would prove nothing")
	}
	good, err := os.ReadFile(filepath.Join("testdata", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"plan.txt": gb, "good.yaml": good} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load(filepath.Join(dir, "good.yaml")); err != nil {
		t.Errorf("Load with a GB18030 source: %v", err)
	}
}
