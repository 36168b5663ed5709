package planfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/plan"
)

// smallPlan is a targets file of one agency and two targets; the lines
// the tests point at are numbered in the comments.
const smallPlan = `id: %PLAN%
title: 计划
source: plan.txt
timezone: Asia/Shanghai
start: 2019-01-01
end: 2019-12-31
agencies:
  - id: water
    name: %WATER%
targets:
  - id: %FIRST%
    item: "1.1"
    title: 甲
    quote: 甲
    agency: water
    kind: quantity
    direction: at_least
    goal: 3
    unit: 个
    aggregation: sum
  - id: %SECOND%
    item: "1.2"
    title: 乙
    quote: 乙
    agency: water
    kind: quantity
    direction: at_least
    goal: 3
    unit: 个
    aggregation: sum
`

// Line numbers in smallPlan: the plan id on line 1 (column 5), the
// agency name on line 9 (column 11), the first target id on line 11 and
// the second on line 21 (both column 9).

func writePlan(t *testing.T, dir, name string, repl map[string]string) (string, *plan.Plan) {
	t.Helper()
	data := smallPlan
	for k, v := range repl {
		data = strings.ReplaceAll(data, "%"+k+"%", v)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Parse(path, []byte(data), nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return path, p
}

func TestTogether(t *testing.T) {
	district := map[string]string{"PLAN": "district-2019", "WATER": "区水务局", "FIRST": "pipes", "SECOND": "rivers"}
	tests := []struct {
		name string
		city map[string]string
		want []string // problems, with positions relative to the files
	}{
		{"plans with their own ids and the same agency name go together",
			map[string]string{"PLAN": "city-2019", "WATER": "区水务局", "FIRST": "city-pipes", "SECOND": "city-rivers"}, nil},
		{"a target id in both plans names both places",
			map[string]string{"PLAN": "city-2019", "WATER": "区水务局", "FIRST": "city-pipes", "SECOND": "pipes"},
			[]string{`city.yaml:21:9: target id "pipes" is also a target of plan "district-2019" in district.yaml:11:9`}},
		{"a shared agency with another name names both places",
			map[string]string{"PLAN": "city-2019", "WATER": "区水务局（市）", "FIRST": "city-pipes", "SECOND": "city-rivers"},
			[]string{`city.yaml:9:11: agency "water" is named "区水务局（市）" here but "区水务局" in district.yaml:9:11`}},
		{"two files of the same plan id clash on the id, and on every target",
			district,
			[]string{
				`city.yaml:1:5: plan id "district-2019" is also the id of the plan in district.yaml:1:5`,
				`city.yaml:11:9: target id "pipes" is also a target of plan "district-2019" in district.yaml:11:9`,
				`city.yaml:21:9: target id "rivers" is also a target of plan "district-2019" in district.yaml:21:9`,
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			dp, d := writePlan(t, dir, "district.yaml", district)
			cp, c := writePlan(t, dir, "city.yaml", tc.city)
			err := Together([]string{dp, cp}, []*plan.Plan{d, c})
			var got []string
			if err != nil {
				for _, p := range err.(Errors) {
					rel, _ := filepath.Rel(dir, p.File)
					p.File = rel
					got = append(got, strings.ReplaceAll(p.String(), dir+string(filepath.Separator), ""))
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("problem %d: got %s, want %s", i, got[i], tc.want[i])
				}
			}
		})
	}
}
