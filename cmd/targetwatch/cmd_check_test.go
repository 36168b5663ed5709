package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/targetwatch/targetwatch/internal/planfile"
)

func TestCheckRepoTargets(t *testing.T) {
	file := filepath.Join("..", "..", "targets.yaml")
	code, out, errOut := cli(t, "", "check", "--targets", file)
	if code != 0 {
		t.Fatalf("got exit %d, want 0; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		file + ": ok",
		"plan       jiading-2019  上海市嘉定区2019年重点工作任务",
		"period     2019-01-01 .. 2019-12-31 (Asia/Shanghai), monthly reports due on day 10 of the next month",
		"targets    54: quantity 23, milestone 31; 2 approximate",
		"direction  at_least 20, at_most 1, zero_growth 2, complete 31",
		"  water-affairs            2 quantity   1 milestone  区水务局",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q; got:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n > 40 {
		t.Errorf("got a %d-line summary, want one screen (at most 40 lines)", n)
	}
	if errOut != "" {
		t.Errorf("got stderr %q, want none", errOut)
	}
}

// TestCheckWarnsAboutFormulaLikeText: text that CSV exports would have to
// neutralise is a warning at its node, and the plan is still ok (exit 0).
func TestCheckWarnsAboutFormulaLikeText(t *testing.T) {
	yaml := `id: formula-plan
title: 公式计划
source: plan.txt
timezone: Asia/Shanghai
start: 2019-01-01
end: 2019-12-31
agencies:
  - id: water
    name: "@水务局"
    name_en: Water Bureau
targets:
  - id: water-bodies
    item: "1.1"
    title: '=HYPERLINK("http://x","y")'
    title_en: "-3"
    quote: 确保消除劣V类水体不少于30条段
    agency: water
    kind: quantity
    direction: at_least
    goal: 30
    unit: "+条段"
    unit_en: "\t=1"
    aggregation: sum
`
	file := writePlan(t, "1.1确保消除劣V类水体不少于30条段。\n", yaml)
	const tail = " begins like a spreadsheet formula (=, +, -, @, tab or carriage return); CSV exports show it with a leading apostrophe\n"
	// Columns: "    name: " is 10 characters, "    title: " 11, "    unit: "
	// 10, "    unit_en: " 13; -3 is a number and no warning.
	want := file + `:9:11: warning: agency water: name "@水务局"` + tail +
		file + `:14:12: warning: target water-bodies: title "=HYPERLINK(\"http://x\",\"y\")"` + tail +
		file + `:21:11: warning: target water-bodies: unit "+条段"` + tail +
		file + `:22:14: warning: target water-bodies: unit_en "\t=1"` + tail
	code, out, errOut := cli(t, "", "check", "--targets", file)
	if code != 0 || !strings.HasPrefix(out, file+": ok\n") {
		t.Errorf("got exit %d and stdout %q, want 0 and ok", code, out)
	}
	if errOut != want {
		t.Errorf("got stderr\n%s\nwant\n%s", errOut, want)
	}
}

func TestCheckReportsEveryProblem(t *testing.T) {
	yaml := `id: bad-plan
title: 坏计划
source: plan.txt
timezone: Asia/Shanghai
start: 2019-01-01
end: 2019-12-31
agencies:
  - id: water
    name: 区水务局
targets:
  - id: water-bodies
    item: "1.1"
    title: 消除劣V类水体
    quote: 确保消除劣V类水体不少于300条段
    agency: water
    kind: quantity
    direction: at_least
    goal: -30
    unit: 条段
    aggregation: sum
`
	file := writePlan(t, "1.1确保消除劣V类水体不少于30条段。\n", yaml)
	want := file + ":14:12: quote does not appear verbatim in plan.txt\n" +
		file + ":18:11: goal must not be negative, got -30\n" +
		"targetwatch check: 2 problems in " + file + "\n"
	cache := filepath.Join(t.TempDir(), "tw.db.plancache")
	// With --plan-cache the problems are the same, and no cache is written.
	for _, extra := range [][]string{nil, {"--plan-cache", cache}} {
		code, out, errOut := cli(t, "", append([]string{"check", "--targets", file}, extra...)...)
		if code != 1 {
			t.Errorf("%v: got exit %d, want 1", extra, code)
		}
		if out != "" {
			t.Errorf("%v: got stdout %q, want none", extra, out)
		}
		if errOut != want {
			t.Errorf("%v: got stderr\n%s\nwant\n%s", extra, errOut, want)
		}
	}
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Errorf("a plan with problems was cached (%v)", err)
	}
}

// check --plan-cache --quiet writes the cache (and its directory) and
// prints nothing; a second run finds the cache good.
func TestCheckWritesThePlanCache(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "data", "tw.db.plancache")
	file := filepath.Join("..", "..", "targets.yaml")
	for i := range 2 {
		code, out, errOut := cli(t, "", "check", "--targets", file, "--plan-cache", cache, "--quiet")
		if code != 0 || out != "" || errOut != "" {
			t.Fatalf("run %d: got exit %d, stdout %q, stderr %q; want 0 and silence", i+1, code, out, errOut)
		}
		if _, info, err := planfile.ReadCached(file, cache); err != nil || !info.Hit {
			t.Fatalf("run %d: the cache is not good: %+v %v", i+1, info, err)
		}
	}
}

func TestCheckCommandLine(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"a missing file is one clear line", []string{"check", "--targets", filepath.Join(t.TempDir(), "none.yaml")}, 1, "no such file or directory"},
		{"a stray argument is a usage error", []string{"check", "targets.yaml"}, 2, `unexpected argument "targets.yaml"`},
		{"-h explains the flag", []string{"check", "-h"}, 0, "-targets FILE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := cli(t, "", c.args...)
			if code != c.wantCode || !strings.Contains(errOut, c.wantErr) {
				t.Errorf("got exit %d, stderr %q; want exit %d, stderr containing %q", code, errOut, c.wantCode, c.wantErr)
			}
		})
	}
}

// cityYAML is a second plan for the tests of several plans: the city's
// tasks, reports due on the 20th; %s is its second target's id.
const cityYAML = `id: city-2019
title: 市下达任务
source: plan.txt
timezone: Asia/Shanghai
start: 2019-01-01
end: 2019-12-31
due_day: 20
agencies:
  - id: water-affairs
    name: %s
targets:
  - id: city-pipes
    item: "1.1"
    title: 新建污水管道
    quote: 新建污水管道40公里
    agency: water-affairs
    kind: quantity
    direction: at_least
    goal: 40
    unit: 公里
    aggregation: sum
  - id: %s
    item: "1.2"
    title: 新增绿地
    quote: 新增绿地12公顷
    agency: water-affairs
    kind: quantity
    direction: at_least
    goal: 12
    unit: 公顷
    aggregation: sum
`

const cityText = "1.1新建污水管道40公里。\n1.2新增绿地12公顷。\n"

// check with --targets twice checks each plan and then both together: a
// target id of the repository's plan used again, and its water agency
// under another name, are problems naming both places (line 10 column 11
// is the agency name, line 22 column 9 the second target's id; the
// repository's places are found by reading its targets.yaml).
func TestCheckSeveralPlans(t *testing.T) {
	repo := filepath.Join("..", "..", "targets.yaml")
	// The README's example of a second plan.
	if code, _, errOut := cli(t, "", "check", "--targets", repo, "--targets", filepath.Join("..", "..", "examples", "city-2019.yaml")); code != 0 {
		t.Errorf("the README's two plans: got exit %d: %s", code, errOut)
	}
	good := writePlan(t, cityText, fmt.Sprintf(cityYAML, "区水务局", "city-green"))
	code, out, errOut := cli(t, "", "check", "--targets", repo, "--targets", good)
	if code != 0 || errOut != "" {
		t.Fatalf("two good plans: got exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, repo+": ok") || !strings.Contains(out, good+": ok") || !strings.Contains(out, "plan       city-2019  市下达任务") {
		t.Errorf("got summary\n%s\nwant both plans'", out)
	}

	data, err := os.ReadFile(repo)
	if err != nil {
		t.Fatal(err)
	}
	lineOf := func(s string) int { return strings.Count(string(data[:strings.Index(string(data), s)]), "\n") + 1 }
	bad := writePlan(t, cityText, fmt.Sprintf(cityYAML, "水务局", "inferior-water-bodies-eliminated"))
	code, out, errOut = cli(t, "", "check", "--targets", repo, "--targets", bad)
	wantLines := []string{
		fmt.Sprintf(`%s:10:11: agency "water-affairs" is named "水务局" here but "区水务局" in %s:%d:11`, bad, repo, lineOf("- id: water-affairs")+1),
		fmt.Sprintf(`%s:22:9: target id "inferior-water-bodies-eliminated" is also a target of plan "jiading-2019" in %s:%d:9`, bad, repo, lineOf("- id: inferior-water-bodies-eliminated")),
	}
	if code != 1 || out != "" {
		t.Errorf("got exit %d and stdout %q, want 1 and none", code, out)
	}
	for _, w := range wantLines {
		if !strings.Contains(errOut, w+"\n") {
			t.Errorf("stderr lacks\n%s\ngot\n%s", w, errOut)
		}
	}
	if !strings.HasSuffix(errOut, "targetwatch check: 2 problems in the plans of "+repo+", "+bad+" taken together\n") {
		t.Errorf("got stderr ending\n%s", errOut)
	}
}

// audit takes --targets once per plan and audits each against its own
// document.
func TestAuditSeveralPlans(t *testing.T) {
	repo := filepath.Join("..", "..", "targets.yaml")
	city := filepath.Join("..", "..", "examples", "city-2019.yaml")
	code, out, errOut := cli(t, "", "audit", "--targets", repo, "--targets", city)
	if code != 0 || errOut != "" {
		t.Fatalf("got exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{repo + ": ok: ", city + ": ok: 2 quantitative candidates in city-2019.txt, 2 are targets, 0 ignored"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}
